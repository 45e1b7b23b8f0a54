"""Mentoring over HTTP on both databases: apply, the training quiz, approval, a match with its
reasons, the 1:1 space, goals, meetings, messages, the end; who sees what; bad input."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from careverse.mentoring import training
from careverse.mentoring.events import erase_member_rows
from careverse.mentoring.models import Mentor, Relationship
from careverse.privacy.events import AccountErasureDue
from tests.integration.community.support import community
from tests.integration.groups.support import notices

RIGHT = [q["correct"] for q in training.QUESTIONS]
MENTOR = {
    "condition": "Breast cancer", "stage": "chemotherapy", "languages": ["en", "es"],
    "age_band": "35-44", "gender": "woman", "availability": ["mon-am", "wed-pm"],
    "capacity": 1, "about": "Two years past my last round.",
}  # fmt: skip
NEED = {
    "condition": "breast cancer", "stage": "chemotherapy", "languages": ["es"],
    "age_band": "35-44", "gender_preference": "", "availability": ["mon-am"],
}  # fmt: skip


async def approved_mentor(client, admin, slug, person, role="patient", **extra):
    mentor = await person(role)
    r = await client.post(f"/api/mentoring/communities/{slug}/apply",
                          json={**MENTOR, **extra}, headers=mentor.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    row = r.json()
    r = await client.post(f"/api/mentoring/communities/{slug}/quiz", json={"answers": RIGHT},
                          headers=mentor.headers)  # fmt: skip
    assert r.json()["passed"] is True
    r = await client.post(f"/api/mentoring/communities/{slug}/applications/{row['id']}",
                          json={"approve": True}, headers=admin.headers)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "approved"
    return mentor, row["id"]


async def test_apply_train_approve_match_meet_message_end(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    mentor = await person("patient", name="Ana Mentor")
    r = await client.post(f"/api/mentoring/communities/{slug}/apply", json=MENTOR,
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    app = r.json()
    assert (app["status"], app["kind"], app["condition"]) == ("applied", "peer", "breast cancer")
    # not trained yet: approval waits for the quiz
    decide = f"/api/mentoring/communities/{slug}/applications/{app['id']}"
    r = await client.post(decide, json={"approve": True}, headers=admin.headers)
    assert r.status_code == 409 and r.json()["code"] == "not_trained"
    wrong = [
        [(c[0] + 1) % len(q["options"])] for c, q in zip(RIGHT, training.QUESTIONS, strict=True)
    ]
    quiz = f"/api/mentoring/communities/{slug}/quiz"
    r = await client.post(quiz, json={"answers": wrong}, headers=mentor.headers)
    assert r.json()["passed"] is False and r.json()["score"] == 0
    r = await client.post(quiz, json={"answers": RIGHT}, headers=mentor.headers)
    assert r.json() | {"feedback": None} == {"score": 4, "total": 4, "passed": True,
                                             "feedback": None}  # fmt: skip
    # only organisers see and decide applications
    r = await client.get(f"/api/mentoring/communities/{slug}/applications", headers=mentor.headers)
    assert r.status_code == 403
    r = await client.get(f"/api/mentoring/communities/{slug}/applications", headers=admin.headers)
    assert [m["name"] for m in r.json()["mentors"]] == ["Ana Mentor"]
    r = await client.post(decide, json={"approve": True}, headers=mentor.headers)
    assert r.status_code == 403
    r = await client.post(decide, json={"approve": True}, headers=admin.headers)
    assert r.json()["status"] == "approved"
    assert await notices(client, mentor, "mentoring.approved")

    mentee = await person("patient", name="Bea Mentee")
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=mentee.headers)  # fmt: skip
    (offer,) = r.json()["matches"]
    assert offer["name"] == "Ana Mentor" and offer["score"] == 95
    assert [x["code"] for x in offer["reasons"]] == [
        "condition", "stage", "language", "age_band", "availability"]  # fmt: skip
    body = {"mentor_id": offer["mentor_id"], "need": NEED, "goals": ["Get through round 3"]}
    rel_url = f"/api/mentoring/communities/{slug}/relationships"
    r = await client.post(rel_url, json=body, headers=mentee.headers)
    assert r.status_code == 201, r.text
    rel = r.json()
    assert (rel["my_side"], rel["other"], rel["status"]) == ("mentee", "Ana Mentor", "active")
    assert [g["text"] for g in rel["goals"]] == ["Get through round 3"]
    assert await notices(client, mentor, "mentoring.matched")

    # the load is capped: capacity 1, so a second mentee finds no one and cannot ask
    other = await person("patient")
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=other.headers)  # fmt: skip
    assert r.json()["matches"] == []
    r = await client.post(rel_url, json=body, headers=other.headers)
    assert r.status_code == 409 and r.json()["code"] == "mentor_full"

    # the 1:1 space: both sides may enter, nobody else
    space = f"/api/spaces/{rel['space_id']}"
    assert (await client.get(space, headers=mentee.headers)).status_code == 200
    assert (await client.get(space, headers=mentor.headers)).status_code == 200
    assert (await client.get(space, headers=other.headers)).status_code == 404

    base = f"/api/mentoring/relationships/{rel['id']}"
    r = await client.post(f"{base}/meetings", json={"starts_at": "2099-01-05T10:00:00+00:00"},
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    assert await notices(client, mentee, "mentoring.meeting")
    r = await client.post(f"{base}/messages", json={"body": "How did round 2 go?"},
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 201
    r = await client.post(f"{base}/messages", json={"body": "Tiring, but done."},
                          headers=mentee.headers)  # fmt: skip
    r = await client.post(f"{base}/goals", json={"text": "Walk daily"}, headers=mentee.headers)
    goal = r.json()
    r = await client.put(f"{base}/goals/{goal['id']}", json={"done": True}, headers=mentor.headers)
    assert r.json()["done"] is True
    r = await client.get(base, headers=mentor.headers)
    seen = r.json()
    assert seen["my_side"] == "mentor" and seen["other"] == "Bea Mentee"
    assert [(m["body"], m["mine"]) for m in seen["messages"]] == [
        ("How did round 2 go?", True), ("Tiring, but done.", False)]  # fmt: skip
    assert len(seen["meetings"]) == 1 and [g["done"] for g in seen["goals"]] == [False, True]

    # others, moderators included, get 404
    moderator = await person("moderator")
    for who in (other, moderator, admin):
        assert (await client.get(base, headers=who.headers)).status_code == 404
        r = await client.post(f"{base}/messages", json={"body": "hi"}, headers=who.headers)
        assert r.status_code == 404

    r = await client.post(f"{base}/report", json={"reason": "Asked for my phone number"},
                          headers=mentee.headers)  # fmt: skip
    assert r.status_code == 204
    (told,) = await notices(client, moderator, "mentoring.reported")
    assert "mentoring" in told["title"].lower()
    r = await client.post(f"{base}/end", headers=mentee.headers)
    assert r.status_code == 204
    assert await notices(client, mentor, "mentoring.ended")
    r = await client.post(f"{base}/messages", json={"body": "still?"}, headers=mentor.headers)
    assert r.status_code == 409 and r.json()["code"] == "ended"
    # the place freed: the other mentee is offered the mentor now
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=other.headers)  # fmt: skip
    assert len(r.json()["matches"]) == 1
    r = await client.get("/api/mentoring/relationships", headers=mentor.headers)
    assert [x["status"] for x in r.json()["relationships"]] == ["ended"]


async def test_professional_mentoring_uses_the_professional_community(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="professional"))["slug"]
    mentor, _id = await approved_mentor(client, admin, slug, person, role="clinician")
    r = await client.get("/api/mentoring/me", headers=mentor.headers)
    (mine,) = r.json()["mentors"]
    assert mine["kind"] == "professional"
    junior = await person("clinician")  # early-career staff
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=junior.headers)  # fmt: skip
    assert [m["mentor_id"] for m in r.json()["matches"]] == [_id]
    # a patient may not see a professional community: 404 as for the community itself
    patient = await person("patient")
    r = await client.post(f"/api/mentoring/communities/{slug}/matches", json=NEED,
                          headers=patient.headers)  # fmt: skip
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age_band": "40ish"}, "age_band"),
        ({"availability": ["monday"]}, "availability"),
        ({"gender": "x"}, "gender"),
        ({"condition": "   "}, "condition"),
        ({"capacity": 9}, "capacity"),
        ({"languages": []}, "languages"),
    ],
)
async def test_bad_applications_are_refused_with_the_field(client, person, change, field):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    applicant = await person("patient")
    r = await client.post(f"/api/mentoring/communities/{slug}/apply", json={**MENTOR, **change},
                          headers=applicant.headers)  # fmt: skip
    assert r.status_code == 422, r.text
    assert field in r.text


async def test_bad_requests_and_unknown_things(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    mentor, mentor_id = await approved_mentor(client, admin, slug, person)
    mentee = await person("patient")
    r = await client.post(f"/api/mentoring/communities/{slug}/quiz", json={"answers": [[0]]},
                          headers=mentee.headers)  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "not_applied"
    r = await client.post(f"/api/mentoring/communities/{slug}/quiz", json={"answers": [[0]]},
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 409  # already approved
    r = await client.post("/api/mentoring/communities/nowhere/matches", json=NEED,
                          headers=mentee.headers)  # fmt: skip
    assert r.status_code == 404
    wrong_lang = {**NEED, "languages": ["fr"]}
    body = {"mentor_id": mentor_id, "need": wrong_lang}
    url = f"/api/mentoring/communities/{slug}/relationships"
    r = await client.post(url, json=body, headers=mentee.headers)
    assert r.status_code == 409 and r.json()["code"] == "no_match"
    r = await client.post(url, json={"mentor_id": mentor_id, "need": NEED},
                          headers=mentor.headers)  # fmt: skip
    assert r.status_code == 409  # not one's own mentor
    rel = (await client.post(url, json={"mentor_id": mentor_id, "need": NEED},
                             headers=mentee.headers)).json()  # fmt: skip
    base = f"/api/mentoring/relationships/{rel['id']}"
    r = await client.post(f"{base}/meetings", json={"starts_at": "2001-01-01T10:00:00+00:00"},
                          headers=mentee.headers)  # fmt: skip
    assert r.status_code == 422 and "future" in r.text
    r = await client.post(f"{base}/meetings", json={"starts_at": "2099-01-01T10:00:00"},
                          headers=mentee.headers)  # fmt: skip
    assert r.status_code == 422 and "offset" in r.text
    r = await client.post(f"{base}/messages", json={"body": "   "}, headers=mentee.headers)
    assert r.status_code == 422
    r = await client.get("/api/mentoring/relationships/not-a-uuid", headers=mentee.headers)
    assert r.status_code == 422


async def test_erasure_removes_the_persons_mentoring(app, client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="condition"))["slug"]
    _mentor, mentor_id = await approved_mentor(client, admin, slug, person)
    mentee = await person("patient")
    url = f"/api/mentoring/communities/{slug}/relationships"
    r = await client.post(url, json={"mentor_id": mentor_id, "need": NEED}, headers=mentee.headers)
    assert r.status_code == 201
    async with app.state.runtime.db.session() as session:
        await erase_member_rows(
            AccountErasureDue(account_id=mentee.id, patient_id=mentee.patient_id), session
        )
        await erase_member_rows(AccountErasureDue(account_id=admin.id, patient_id=None), session)
        await session.commit()
    async with app.state.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Relationship)) == 0
        row = await session.get(Mentor, uuid.UUID(mentor_id))
        assert row is not None and row.decided_by is None and row.status == "approved"
