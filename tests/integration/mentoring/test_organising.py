"""A mentor pauses, resumes and withdraws their approval and changes their capacity; the site's
moderators list reports (both databases)."""

from __future__ import annotations

from tests.integration.community.support import community
from tests.integration.mentoring.test_mentoring import MENTOR, NEED, approved_mentor


async def matches(client, slug, who) -> list:
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=who.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()["matches"]


async def test_pause_resume_capacity_and_withdraw(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    mentor, mentor_id = await approved_mentor(client, admin, slug, person)
    mentee = await person("patient")
    url = f"/api/mentoring/me/{mentor_id}"
    assert len(await matches(client, slug, mentee)) == 1

    r = await client.put(url, json={"status": "paused", "capacity": 3}, headers=mentor.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["capacity"]) == ("paused", 3)
    assert await matches(client, slug, mentee) == []  # a paused mentor is not offered
    r = await client.post(f"/api/mentoring/communities/{slug}/apply", json=MENTOR,
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 409  # paused is still an application here

    for bad in ({"status": "applied", "capacity": 1}, {"status": "paused", "capacity": 9}):
        r = await client.put(url, json=bad, headers=mentor.headers)
        assert r.status_code == 422
    other = await person("patient")  # someone else's application: 404
    r = await client.put(url, json={"status": "withdrawn", "capacity": 1}, headers=other.headers)
    assert r.status_code == 404
    r = await client.put(url, json={"status": "approved", "capacity": 2}, headers=mentor.headers)
    assert r.json()["status"] == "approved"
    assert len(await matches(client, slug, mentee)) == 1

    r = await client.put(url, json={"status": "withdrawn", "capacity": 2}, headers=mentor.headers)
    assert r.json()["status"] == "withdrawn"
    assert await matches(client, slug, mentee) == []
    r = await client.put(url, json={"status": "approved", "capacity": 2}, headers=mentor.headers)
    assert r.status_code == 409 and r.json()["code"] == "not_approved"
    (mine,) = (await client.get("/api/mentoring/me", headers=mentor.headers)).json()["mentors"]
    assert mine["status"] == "withdrawn" and mine["quiz_score"] == 4


async def test_moderators_list_reports_others_may_not(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    mentor, _mentor_id = await approved_mentor(client, admin, slug, person)
    mentee = await person("patient", name="Rita Reporter")
    (offer,) = await matches(client, slug, mentee)
    r = await client.post(f"/api/mentoring/communities/{slug}/relationships",
                          json={"mentor_id": offer["mentor_id"], "need": NEED, "goals": []},
                          headers=mentee.headers)  # fmt: skip
    rel = r.json()["id"]
    r = await client.post(f"/api/mentoring/relationships/{rel}/report",
                          json={"reason": "Asked for money"}, headers=mentee.headers)  # fmt: skip
    assert r.status_code == 204
    moderator = await person("moderator")
    r = await client.get("/api/mentoring/reports", headers=moderator.headers)
    assert r.status_code == 200, r.text
    (report,) = [x for x in r.json()["reports"] if x["reporter"] == "Rita Reporter"]
    assert (report["reason"], report["reported"], report["relationship_status"]) == (
        "Asked for money", mentor.name, "active")  # fmt: skip
    for who in (mentor, mentee, await person("clinician")):
        assert (await client.get("/api/mentoring/reports", headers=who.headers)).status_code == 403
