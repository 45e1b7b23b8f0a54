"""Support groups over HTTP on both databases: recurrence across DST in the member's zone,
capacity and the waitlist, ground rules and referral gates, refusals, joining a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.groups.support import RULES, group, join, notices

# Thursday 26 March 2026 17:00 UTC: the next session is 18:30 GMT (the last before BST).
NOW = datetime(2026, 3, 26, 17, 0, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 90 * 24 * 3600}  # the clock moves by days


@pytest.fixture(autouse=True)
def thursday(fake_clock):
    fake_clock.now = NOW
    return fake_clock


async def test_next_session_across_the_clock_change_in_each_members_zone(client, person, thursday):
    admin = await person("admin")
    made = await group(client, admin)
    assert made["next_start"].startswith("2026-03-26T18:30:00")
    assert made["facilitator"] is True and made["members"] == 0
    thursday.now = datetime(2026, 3, 27, tzinfo=UTC)
    r = await client.get(f"/api/groups/{made['slug']}?tz=America/New_York", headers=admin.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert datetime.fromisoformat(body["next_start"]) == datetime(2026, 4, 2, 17, 30, tzinfo=UTC)
    assert body["next_start_local"] == "2026-04-02T13:30:00-04:00"
    r = await client.get(f"/api/groups/{made['slug']}?tz=Nowhere/Else", headers=admin.headers)
    assert r.status_code == 422 and "time zone" in r.text


async def test_capacity_waitlist_and_promotion_when_a_place_frees(client, person):
    admin = await person("admin")
    made = await group(client, admin, capacity=2)
    a, b, c = [await person("patient") for _ in range(3)]
    assert (await join(client, a, made["slug"]))["my_status"] == "active"
    assert (await join(client, b, made["slug"]))["my_status"] == "active"
    third = await join(client, c, made["slug"])
    assert (third["my_status"], third["waitlisted"]) == ("waitlisted", 1)
    await join(client, c, made["slug"], expect=409)  # already waiting
    r = await client.post(f"/api/groups/{made['slug']}/leave", headers=a.headers)
    assert r.status_code == 204
    r = await client.get(f"/api/groups/{made['slug']}", headers=c.headers)
    assert r.json()["my_status"] == "active" and r.json()["members"] == 2
    (notice,) = await notices(client, c, "groups.promoted")
    assert notice["link"] == f"/groups/{made['slug']}"


async def test_ground_rules_and_admission_gates(client, person):
    admin = await person("admin")
    made = await group(client, admin)
    patient = await person("patient")
    refuse = {"accept_rules": False, "rules_version": 1}
    r = await client.post(f"/api/groups/{made['slug']}/join", json=refuse, headers=patient.headers)
    assert r.status_code == 422 and "ground rules" in r.text
    await join(client, patient, made["slug"], rules_version=2, expect=409)
    assert made["ground_rules"] == RULES

    asked = await group(client, admin, admission="request")
    assert (await join(client, patient, asked["slug"]))["my_status"] == "requested"
    r = await client.get(f"/api/groups/{asked['slug']}/requests", headers=patient.headers)
    assert r.status_code == 403
    r = await client.get(f"/api/groups/{asked['slug']}/requests", headers=admin.headers)
    (request,) = r.json()["members"]
    r = await client.post(
        f"/api/groups/{asked['slug']}/requests/{request['id']}/approve", headers=admin.headers
    )
    assert r.status_code == 204
    assert await notices(client, patient, "groups.approved")

    referral = await group(client, admin, admission="referral")
    other = await person("patient")
    r = await join(client, other, referral["slug"], expect=403)
    assert r["code"] == "referral_only"


async def test_refusals_are_404_for_what_one_may_not_see(client, person):
    admin = await person("admin")
    hidden = await group(client, admin, visibility="invite")
    outsider = await person("patient")
    for path in ("", "/requests", "/sessions.ics"):
        r = await client.get(f"/api/groups/{hidden['slug']}{path}", headers=outsider.headers)
        assert r.status_code == 404, (path, r.text)
    r = await client.get("/api/groups", headers=outsider.headers)
    assert hidden["slug"] not in [g["slug"] for g in r.json()["groups"]]
    r = await client.get("/api/groups/no-such-group", headers=outsider.headers)
    assert r.status_code == 404
    bad = await group(client, admin, expect=422, timezone="Mars/Olympus")
    assert "time zone" in str(bad)
    await group(client, admin, expect=422, start_time="25:00")
    await group(client, admin, expect=422, template="no-such-room")
    patient = await person("patient")
    r = await client.post("/api/groups/communities/anything", json={}, headers=patient.headers)
    assert r.status_code == 422


async def test_joining_a_session_opens_its_space_and_keeps_attendance(client, person, thursday):
    admin = await person("admin")
    made = await group(client, admin)
    member, stranger = await person("patient"), await person("patient")
    await join(client, member, made["slug"])
    url = f"/api/groups/{made['slug']}/session/join"
    thursday.now = datetime(2026, 3, 26, 18, 0, tzinfo=UTC)  # 30 minutes before
    r = await client.post(url, json={}, headers=member.headers)
    assert r.status_code == 409 and r.json()["code"] == "not_open_yet"
    thursday.now = datetime(2026, 3, 26, 18, 20, tzinfo=UTC)
    r = await client.post(url, json={"mode": "text", "pseudonym": True}, headers=member.headers)
    assert r.status_code == 200, r.text
    joined = r.json()
    r = await client.post(url, json={}, headers=admin.headers)
    assert r.json()["space_id"] == joined["space_id"] and r.json()["facilitator"] is True
    r = await client.post(url, json={}, headers=stranger.headers)
    assert r.status_code == 403
    r = await client.post(url, json={"mode": "hologram"}, headers=member.headers)
    assert r.status_code == 422
    # The world lets the member in (and only the group's people).
    r = await client.get("/api/spaces", headers=member.headers)
    assert joined["space_id"] in [s["id"] for s in r.json()]
    thursday.now += timedelta(hours=2)
    r = await client.get("/api/groups/me/record", headers=member.headers)
    (record,) = r.json()["groups"]
    assert record["sessions"][0]["attended"] is True and record["sessions"][0]["mode"] == "text"


async def test_calendar_download_is_neutral(client, person):
    admin = await person("admin")
    made = await group(client, admin)
    member = await person("patient")
    await join(client, member, made["slug"])
    r = await client.get(f"/api/groups/{made['slug']}/sessions.ics", headers=member.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert r.text.count("BEGIN:VEVENT") == 8 and "carers" not in r.text
    assert "DTSTART:20260326T183000Z" in r.text and "DTSTART:20260402T173000Z" in r.text
