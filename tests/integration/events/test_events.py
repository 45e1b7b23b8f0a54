"""Events over HTTP on both databases: creating, the capacity and the waitlist, the .ics file
and reminders, entering the space, slides, question moderation (a crisis question reaches a
human), the recording, and refusals (404 for what one may not see, 403 for host tools, 422)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from careverse.events.service import remind_due_once
from careverse.world.stage_events import StageQuestionDecided, StageRecorded
from tests.integration.community.support import community
from tests.integration.community.support import join as join_community
from tests.integration.events.support import event, notices, publish, register
from tests.integration.monitoring.alert_support import alerts, team

CRISIS = "I can't do this anymore, I'm going to kill myself tonight."


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 7 * 24 * 3600}


async def test_create_register_capacity_waitlist_and_promotion(client, person):
    admin = await person("admin")
    made = await event(client, admin, capacity=2)
    assert made["host"] is True and made["my_role"] == "host" and made["registered"] == 0
    a, b, c = [await person("patient") for _ in range(3)]
    first = await register(client, a, made["slug"])
    assert first["my_status"] == "registered" and first["space_id"] is not None
    await register(client, b, made["slug"])
    third = await register(client, c, made["slug"])
    assert (third["my_status"], third["waitlisted"], third["space_id"]) == ("waitlisted", 1, None)
    await register(client, c, made["slug"], expect=409)
    r = await client.post(f"/api/events/{made['slug']}/cancel", headers=a.headers)
    assert r.status_code == 200 and r.json()["my_status"] == "cancelled"
    r = await client.get(f"/api/events/{made['slug']}", headers=c.headers)
    assert r.json()["my_status"] == "registered" and r.json()["registered"] == 2
    (told,) = await notices(client, c, "events.promoted")
    assert told["link"] == f"/events/{made['slug']}"
    listed = await client.get("/api/events", headers=c.headers)
    assert made["slug"] in [e["slug"] for e in listed.json()["events"]]


async def test_calendar_and_reminders_once(app, client, person, fake_clock):
    admin = await person("admin")
    made = await event(client, admin, in_minutes=90)
    member = await person("caregiver")
    url = f"/api/events/{made['slug']}/event.ics"
    assert (await client.get(url, headers=member.headers)).status_code == 403
    await register(client, member, made["slug"])
    r = await client.get(url, headers=member.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Careverse event\r\n" in r.text and "DTSTART:" in r.text
    db = app.state.runtime.db
    assert await remind_due_once(db) == 0  # 90 minutes away
    fake_clock.now += timedelta(minutes=45)
    assert await remind_due_once(db) == 2  # the host and the registrant
    assert await remind_due_once(db) == 0
    (told,) = await notices(client, member, "events.soon")
    assert made["title"] not in told["title"]


async def test_access_404_for_hidden_403_for_host_tools_and_422s(client, person):
    admin = await person("admin")
    hidden = await community(client, admin, visibility="invite")
    made = await event(client, admin, community=hidden["slug"], visibility="community")
    outsider, patient = await person("patient"), await person("patient")
    slug = made["slug"]
    for path in ("", "/slides", "/questions", "/recording", "/event.ics"):
        r = await client.get(f"/api/events/{slug}{path}", headers=outsider.headers)
        assert r.status_code == 404, (path, r.text)
    r = await client.get(f"/api/events/spaces/{made['space_id']}", headers=outsider.headers)
    assert r.json() == {"event": None}  # as for a space with no event
    r = await client.post(f"/api/events/{slug}/register", headers=outsider.headers)
    assert r.status_code == 404
    assert slug not in [
        e["slug"]
        for e in (await client.get("/api/events", headers=outsider.headers)).json()["events"]
    ]
    # A public community's event: a reader registers but has no host tools.
    open_one = await community(client, admin)
    await join_community(client, patient, open_one["slug"])
    pub = await event(client, admin, community=open_one["slug"], visibility="community")
    await register(client, patient, pub["slug"])
    r = await client.put(f"/api/events/{pub['slug']}/slides", json={"texts": ["x"]},
                         headers=patient.headers)  # fmt: skip
    assert r.status_code == 403 and "not_host" in r.text
    # Only organisers create events; bad input is a 422 naming the field.
    await event(client, patient, expect=403)
    r = await client.post("/api/events", json={"slug": "x"}, headers=admin.headers)
    assert r.status_code == 422
    bad = await event(client, admin, expect=422, in_minutes=-5)
    assert "starts_at" in str(bad)
    bad = await event(client, admin, expect=422, capacity=600)
    assert "capacity" in str(bad)
    r = await client.post(f"/api/events/{pub['slug']}/questions", json={"text": "?"},
                          headers=patient.headers)  # fmt: skip
    assert r.status_code == 422 and "text" in r.text
    r = await client.put(f"/api/events/{pub['slug']}/slides", json={"texts": [""]},
                         headers=admin.headers)  # fmt: skip
    assert r.status_code == 422
    r = await client.post(f"/api/events/{pub['slug']}/slides/image",
                          files={"file": ("a.png", b"no")}, headers=admin.headers)  # fmt: skip
    assert r.status_code == 422 and "image" in r.text


async def test_questions_are_moderated_and_the_audience_sees_the_approved(app, client, person):
    admin = await person("admin")
    made = await event(client, admin, in_minutes=10)
    slug = made["slug"]
    a, b = await person("patient"), await person("caregiver")
    for who in (a, b):
        await register(client, who, slug)
    r = await client.post(f"/api/events/{slug}/join", headers=a.headers)
    assert r.status_code == 200, r.text
    space = r.json()["space_id"]
    assert space == made["space_id"] if made["space_id"] else True
    r = await client.get(f"/api/spaces/{space}", headers=a.headers)
    assert r.status_code == 200 and r.json()["template"] == "auditorium"
    r = await client.get(f"/api/events/spaces/{space}", headers=a.headers)
    assert r.status_code == 200 and r.json()["event"]["slug"] == slug
    r = await client.get(f"/api/events/spaces/{uuid.uuid4()}", headers=a.headers)
    assert r.status_code == 200 and r.json() == {"event": None}

    asked = []
    for text_ in ("Is the booster safe in pregnancy?", "Can carers get one too?"):
        r = await client.post(f"/api/events/{slug}/questions", json={"text": text_},
                              headers=a.headers)  # fmt: skip
        assert r.status_code == 201 and r.json()["status"] == "pending", r.text
        asked.append(r.json()["id"])
    r = await client.get(f"/api/events/{slug}/questions", headers=b.headers)
    assert r.json()["questions"] == [] and r.json()["host"] is False
    r = await client.get(f"/api/events/{slug}/questions", headers=admin.headers)
    assert [q["asker"] for q in r.json()["questions"]] == [a.name, a.name]
    # Over HTTP, and from the stage (the world's event): only a host's decision counts.
    r = await client.post(f"/api/events/{slug}/questions/{asked[0]}", json={"decision": "approve"},
                          headers=b.headers)  # fmt: skip
    assert r.status_code == 403
    r = await client.post(f"/api/events/{slug}/questions/{asked[0]}", json={"decision": "approve"},
                          headers=admin.headers)  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "approved"
    space_id = uuid.UUID(space)
    await publish(app, StageQuestionDecided(space_id=space_id, question_id=uuid.UUID(asked[1]),
                                            by_id=b.id, decision="answer"))  # fmt: skip
    await publish(app, StageQuestionDecided(space_id=space_id, question_id=uuid.UUID(asked[1]),
                                            by_id=admin.id, decision="dismiss"))  # fmt: skip
    r = await client.get(f"/api/events/{slug}/questions", headers=b.headers)
    shown = r.json()["questions"]
    assert [(q["text"], q["status"], q["asker"]) for q in shown] == [
        ("Is the booster safe in pregnancy?", "approved", None)
    ]
    r = await client.post(f"/api/events/{slug}/questions/{asked[0]}", json={"decision": "shout"},
                          headers=admin.headers)  # fmt: skip
    assert r.status_code == 422

    # The recording: slides, the stage's log and the questions taken, with their times.
    r = await client.put(f"/api/events/{slug}/slides", json={"texts": ["Welcome", "Who can"]},
                         headers=admin.headers)  # fmt: skip
    assert [s["text"] for s in r.json()["slides"]] == ["Welcome", "Who can"]
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    r = await client.post(f"/api/events/{slug}/slides/image", files={"file": ("c.png", png)},
                          headers=admin.headers)  # fmt: skip
    assert r.status_code == 201 and r.json()["image"] is True
    r = await client.get(f"/api/events/{slug}/slides/{r.json()['id']}/image", headers=b.headers)
    assert r.status_code == 200 and r.content == png
    now = 1_900_000_000.0
    for kind, who, detail in (("start", admin.id, ""), ("slide", admin.id, "1"),
                              ("chat", b.id, '{"name": "B", "text": "Thank you"}')):  # fmt: skip
        await publish(app, StageRecorded(space_id=space_id, account_id=who, kind=kind,
                                         detail=detail, at=now))  # fmt: skip
    r = await client.get(f"/api/events/{slug}/recording", headers=b.headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert [e["kind"] for e in got["log"]] == ["start", "slide", "chat"]
    assert got["log"][1]["slide"] == 1 and got["log"][2]["text"] == "Thank you"
    assert [q["status"] for q in got["questions"]] == ["approved"] and len(got["slides"]) == 3
    assert (await client.get(f"/api/events/{slug}", headers=b.headers)).json()["started"] is True
    async with app.state.runtime.db.session() as session:
        stored = (await session.execute(text("SELECT body FROM event_questions"))).scalars().all()
    assert not any("booster" in s for s in stored)  # encrypted at rest


async def test_a_crisis_question_is_held_and_opens_an_alert(client, person):
    t = await team(client, person)
    made = await event(client, t.admin, in_minutes=10)
    await register(client, t.patient, made["slug"])
    r = await client.post(f"/api/events/{made['slug']}/questions", json={"text": CRISIS},
                          headers=t.patient.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["crisis"] is True and r.json()["status"] == "held"
    (alert,) = await alerts(client, t.clinician, source="events")
    assert alert["severity"] == "high" and "kill" not in str(alert)
    (told,) = await notices(client, t.admin, "events.crisis")
    assert told["link"] == f"/events/{made['slug']}"
    r = await client.post(f"/api/events/{made['slug']}/questions/{r.json()['id']}",
                          json={"decision": "approve"}, headers=t.admin.headers)  # fmt: skip
    assert r.status_code == 409 and "crisis_held" in r.text


async def test_doors_open_fifteen_minutes_before_and_close_at_the_end(client, person, fake_clock):
    admin = await person("admin")
    made = await event(client, admin, in_minutes=30)
    member = await person("patient")
    url = f"/api/events/{made['slug']}/join"
    assert (await client.post(url, headers=member.headers)).status_code == 403  # not registered
    await register(client, member, made["slug"])
    r = await client.post(url, headers=member.headers)
    assert r.status_code == 409 and "not_open_yet" in r.text
    assert (await client.post(url, headers=admin.headers)).status_code == 200  # hosts: an hour
    fake_clock.now += timedelta(minutes=20)
    assert (await client.post(url, headers=member.headers)).status_code == 200
    fake_clock.now += timedelta(minutes=75)
    r = await client.post(url, headers=member.headers)
    assert r.status_code == 409 and "event_over" in r.text
