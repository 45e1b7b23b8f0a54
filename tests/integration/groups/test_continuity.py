"""Continuity on both databases: the clinician's view of attendance only with the member's
consent and the one access policy; facilitators' notes private and encrypted; "I need support"
reaching a facilitator and, unacknowledged by its deadline, the crisis path's alert."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from careverse.groups.sessions import ACKNOWLEDGE_WITHIN, escalate_due_once, remind_due_once
from careverse.kernel.uow import unit_of_work
from careverse.world.circle_events import (
    CircleCheckIn,
    CircleSupportAcknowledged,
    CircleSupportRequested,
)
from tests.integration.groups.support import group, join, notices
from tests.integration.monitoring.alert_support import alerts, team

START = datetime(2026, 3, 26, 18, 30, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 90 * 24 * 3600}


@pytest.fixture(autouse=True)
def in_session(fake_clock):
    fake_clock.now = START + timedelta(minutes=5)
    return fake_clock


async def publish(app, event) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(event)


async def session_with(client, facilitator, member) -> tuple[dict, dict]:
    made = await group(client, facilitator)
    await join(client, member, made["slug"])
    r = await client.post(
        f"/api/groups/{made['slug']}/session/join", json={}, headers=member.headers
    )
    assert r.status_code == 200, r.text
    return made, r.json()


async def test_clinician_sees_attendance_only_with_consent_and_care(
    app, client, person, in_session
):
    t = await team(client, person)
    made, joined = await session_with(client, t.admin, t.patient)
    space, me = uuid.UUID(joined["space_id"]), t.patient.id
    await publish(app, CircleCheckIn(space_id=space, account_id=me, phase="start", score=2))
    await publish(app, CircleCheckIn(space_id=space, account_id=me, phase="end", score=4))
    in_session.now += timedelta(hours=2)
    url = f"/api/groups/patients/{t.patient.patient_id}/record"
    r = await client.get(url, headers=t.clinician.headers)
    assert r.status_code == 404  # no consent yet
    r = await client.get("/api/groups/me/record", headers=t.patient.headers)
    (mine,) = r.json()["groups"]
    assert (mine["sessions"][0]["start"], mine["sessions"][0]["end"]) == (2, 4)

    r = await client.put(
        f"/api/groups/{made['slug']}/sharing", json={"share": True}, headers=t.patient.headers
    )
    assert r.status_code == 200 and r.json() == {"share": True}
    r = await client.get(url, headers=t.clinician.headers)
    assert r.status_code == 200, r.text
    (shared,) = r.json()["groups"]
    assert shared["sessions"][0]["attended"] is True and shared["sessions"][0]["end"] == 4
    stranger = await person("clinician")  # no care relationship: the policy refuses
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=t.admin.headers)).status_code == 404
    await client.put(
        f"/api/groups/{made['slug']}/sharing", json={"share": False}, headers=t.patient.headers
    )
    assert (await client.get(url, headers=t.clinician.headers)).status_code == 404
    # The scores are encrypted at rest.
    async with app.state.runtime.db.session() as session:
        stored = (await session.execute(text("SELECT score FROM group_checkins"))).scalars().all()
    assert stored and all(s not in ("2", "4") for s in stored)


async def test_notes_are_the_facilitators_alone_and_encrypted(app, client, person):
    admin, member = await person("admin"), await person("patient")
    made, joined = await session_with(client, admin, member)
    url = f"/api/groups/{made['slug']}/sessions/{joined['session_id']}/notes"
    r = await client.post(
        url, json={"body": "Quiet session; follow up on sleep."}, headers=admin.headers
    )
    assert r.status_code == 201, r.text
    r = await client.get(url, headers=admin.headers)
    assert [n["body"] for n in r.json()["notes"]] == ["Quiet session; follow up on sleep."]
    for who in (member, await person("clinician")):
        assert (await client.get(url, headers=who.headers)).status_code == 404
        r = await client.post(url, json={"body": "x"}, headers=who.headers)
        assert r.status_code == 404
    r = await client.post(url, json={"body": "   "}, headers=admin.headers)
    assert r.status_code == 422
    # The group's health for its organisers: head counts, no names; members may not see it.
    r = await client.get(f"/api/groups/{made['slug']}/health", headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["members"] == 1 and [s["attended"] for s in r.json()["sessions"]] == [1]
    r = await client.get(f"/api/groups/{made['slug']}/health", headers=member.headers)
    assert r.status_code == 403
    async with app.state.runtime.db.session() as session:
        (stored,) = (await session.execute(text("SELECT body FROM group_session_notes"))).scalars()
    assert "sleep" not in stored


async def test_need_support_reaches_a_human_with_a_deadline(app, client, person, in_session):
    t = await team(client, person)
    made, joined = await session_with(client, t.admin, t.patient)
    space = uuid.UUID(joined["space_id"])
    await publish(app, CircleSupportRequested(space_id=space, account_id=t.patient.id))
    (told,) = await notices(client, t.admin, "groups.support")
    assert made["name"] not in told["title"]
    db, settings = app.state.runtime.db, app.state.runtime.settings
    assert await escalate_due_once(db, settings) == 0  # not due yet
    in_session.now += ACKNOWLEDGE_WITHIN + timedelta(seconds=1)
    assert await escalate_due_once(db, settings) == 1
    assert await escalate_due_once(db, settings) == 0  # once
    escalated = await notices(client, t.admin, "groups.support.escalated")
    assert escalated and "group" not in escalated[0]["title"].lower().replace("a group", "")
    (alert,) = await alerts(client, t.clinician, source="groups")
    assert alert["severity"] == "high"

    # Acknowledged in time: no escalation.
    await publish(app, CircleSupportRequested(space_id=space, account_id=t.patient.id))
    await publish(
        app, CircleSupportAcknowledged(space_id=space, account_id=t.patient.id, by_id=t.admin.id)
    )
    in_session.now += ACKNOWLEDGE_WITHIN * 2
    assert await escalate_due_once(db, settings) == 0


async def test_reminder_an_hour_before_once_and_neutral(app, client, person, in_session):
    admin, member = await person("admin"), await person("patient")
    made = await group(client, admin)
    await join(client, member, made["slug"])
    db = app.state.runtime.db
    in_session.now = START - timedelta(hours=2)
    assert await remind_due_once(db) == 0
    in_session.now = START - timedelta(minutes=50)
    assert await remind_due_once(db) == 2  # the member and the facilitator
    assert await remind_due_once(db) == 0
    (reminder,) = await notices(client, member, "groups.session.soon")
    assert reminder["title"] == "Your group session starts soon"
    assert made["name"] not in reminder["title"]
