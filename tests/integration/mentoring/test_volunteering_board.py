"""The volunteering board over HTTP on both databases: every readable community's opportunities
in one list, searched; one opportunity with the caller's own hours; outsiders see nothing."""

from __future__ import annotations

import uuid

from tests.integration.community.support import community


async def post(client, who, slug, title, description=""):
    r = await client.post(f"/api/volunteering/communities/{slug}",
                          json={"title": title, "description": description},
                          headers=who.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_board_search_and_detail_with_my_hours(client, person):
    admin = await person("admin")
    public = (await community(client, admin, kind="caregiver"))["slug"]
    hidden = (await community(client, admin, kind="caregiver", visibility="invite"))["slug"]
    greeter = await post(client, admin, public, "Greeter in the clinic lobby", "Tuesdays")
    await post(client, admin, public, "Campaign helper", "Vaccination week in the lobby")
    await post(client, admin, hidden, "Translator", "Spanish")
    volunteer = await person("patient", name="Vera Volunteer")

    r = await client.get("/api/volunteering/opportunities", headers=volunteer.headers)
    assert r.status_code == 200, r.text
    seen = {o["title"]: o for o in r.json()["opportunities"]}
    assert set(seen) == {"Greeter in the clinic lobby", "Campaign helper"}  # not the invite one
    assert seen["Campaign helper"]["community_slug"] == public
    assert (seen["Campaign helper"]["organiser"], seen["Campaign helper"]["signed_up"]) == (
        False, False)  # fmt: skip
    r = await client.get("/api/volunteering/opportunities?q=VACCINATION", headers=volunteer.headers)
    assert [o["title"] for o in r.json()["opportunities"]] == ["Campaign helper"]
    r = await client.get("/api/volunteering/opportunities", headers=admin.headers)
    assert len(r.json()["opportunities"]) == 3 and all(
        o["organiser"] for o in r.json()["opportunities"])  # fmt: skip
    r = await client.get(f"/api/volunteering/opportunities?q={'x' * 101}", headers=admin.headers)
    assert r.status_code == 422

    base = f"/api/volunteering/opportunities/{greeter}"
    r = await client.get(base, headers=volunteer.headers)
    assert r.status_code == 200 and (r.json()["signed_up"], r.json()["my_hours"]) == (False, [])
    await client.post(f"{base}/sign-up", headers=volunteer.headers)
    hours = {"day": "2026-01-10", "minutes": 90, "note": "Morning shift"}
    logged = (await client.post(f"{base}/hours", json=hours, headers=volunteer.headers)).json()
    await client.post(f"{base}/hours/{logged['id']}", json={"confirm": False},
                      headers=admin.headers)  # fmt: skip
    r = await client.get(base, headers=volunteer.headers)
    detail = r.json()
    assert detail["signed_up"] is True and detail["organiser"] is False
    assert [(h["minutes"], h["status"]) for h in detail["my_hours"]] == [(90, "declined")]
    r = await client.get("/api/volunteering/opportunities", headers=volunteer.headers)
    assert {o["title"]: o["signed_up"] for o in r.json()["opportunities"]}[
        "Greeter in the clinic lobby"] is True  # fmt: skip


async def test_an_unreadable_or_unknown_opportunity_is_404(client, person):
    admin = await person("admin")
    hidden = (await community(client, admin, kind="caregiver", visibility="invite"))["slug"]
    secret = await post(client, admin, hidden, "Translator")
    outsider = await person("patient")
    for opp in (secret, uuid.uuid4()):
        r = await client.get(f"/api/volunteering/opportunities/{opp}", headers=outsider.headers)
        assert r.status_code == 404
    r = await client.get("/api/volunteering/opportunities/not-a-uuid", headers=outsider.headers)
    assert r.status_code == 422
    researcher = await person("researcher")  # no community is theirs: an empty board, not an error
    r = await client.get("/api/volunteering/opportunities", headers=researcher.headers)
    assert r.status_code == 200 and r.json()["opportunities"] == []
