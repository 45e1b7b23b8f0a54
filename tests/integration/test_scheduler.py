"""The background jobs a node starts (`careverse serve` → create_app → Runtime.start) do their
work on a live node as the clock moves, and two nodes sharing a database claim each job once.

The fake clock paces the loops (``kernel.clock.sleep``): moving it wakes every loop whose wait has
passed, as the wall clock would. ``FakeClock.naps`` counts the waits begun, so a test knows when
each woken loop has finished its round and gone back to sleep, instead of sleeping itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from careverse.app import create_app
from tests.integration.care.support import DEVICES_OK, WEEKDAYS
from tests.integration.community.moderation_support import post, room
from tests.integration.groups.support import group, join, notices
from tests.integration.monitoring.alert_support import add_rule, alerts, send, team, vital
from tests.integration.privacy.support import (
    Person,
    assign,
    audit_rows,
    cheap_password_hashing,
    delegate,
    person,
)
from tests.mailbox import running_inbox, smtp_settings

__all__ = ["cheap_password_hashing", "person"]

HR, WEIGHT = "8867-4", "29463-7"
MONDAY_7AM = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)  # London on GMT: clinic hours 09-17 UTC
TUESDAY_9AM = "2026-03-24T09:00:00Z"
TUESDAY_0850 = datetime(2026, 3, 24, 8, 50, tzinfo=UTC)  # the 09:00 visit opens for check-in
CAREGIVER_UNTIL = datetime(2026, 3, 24, 8, 55, tzinfo=UTC)  # the visit's caregiver delegation
# Every loop a node runs with the default settings. A capability that adds one must add it here,
# and to the test below, so that no background job goes untested.
JOBS = {
    "privacy.erase-due",
    "care.reminders",
    "care.lapsed-invitations",
    "monitoring.alert-schedule",
    "community.crisis-escalation",
    "community.digest",
    "fhir.bulk-export",
    "wellbeing.reminders",
    "groups.sessions",
    # Their work under a moved clock is tested in their own packages' tests (events' reminder an
    # hour before, tests/integration/events; the gallery's crisis hold escalated once,
    # tests/integration/gallery); here they are started and keep running beside the others.
    "events.reminders",
    "gallery.crisis",
}
CRISIS_POST = "I can't do this anymore. I'm going to kill myself tonight."


@pytest.fixture(autouse=True)
def monday(fake_schedule):
    fake_schedule.now = MONDAY_7AM
    return fake_schedule


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return {
        **smtp_settings(inbox),  # the community digest is e-mailed
        "community_digest_check_seconds": 3600,  # wakes at 08:00, 09:00…
        "access_token_ttl_seconds": 7 * 24 * 3600,  # the clock moves by a day
        "alert_check_seconds": 1,  # a round every (fake) second
        "care_reminder_check_seconds": 1,
        "community_crisis_check_seconds": 1,
        "fhir_bulk_check_seconds": 1,
        "wellbeing_reminder_check_seconds": 3600,  # wakes at 08:00, 09:00…
        "care_reminder_lead_minutes": 60,
        "erasure_check_seconds": 3600,
        "erasure_grace_days": 1,
    }


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 20) -> None:
    """Until ``check()`` holds (a generous deadline: the machine may be busy)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not done within {timeout} s")
        await asyncio.sleep(0.02)


async def scenario(app, client, person) -> dict:
    """Work for every loop, due at different times: an alert (escalates at 07:15), a no-data rule
    (fires after 08:00), a visit on Tuesday at 09:00 (reminder from 08:00), an erasure (due Tuesday
    07:00), the visitor's caregiver whose delegation expires on Tuesday at 08:55 (invited into the
    visit once it is under way: see :func:`caregiver_in_the_visit`)."""
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    r = await client.put(
        "/api/care/availability",
        json={"time_zone": "Europe/London", "weekly": WEEKDAYS},
        headers=t.clinician.headers,
    )
    assert r.status_code == 200, r.text
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high")  # fmt: skip
    no_data = await add_rule(client, t.clinician, t.patient, kind="no_data", hours=1, code=HR,
                             severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105), vital(HR, 70))
    (alert,) = await alerts(client, t.clinician)

    visitor = await person("patient")
    r = await client.post(
        "/api/care/appointments",
        json={"clinician_id": str(t.clinician.id), "start": TUESDAY_9AM},
        headers=visitor.headers,
    )
    assert r.status_code == 201, r.text
    visit = r.json()
    caregiver = await person("caregiver")
    await delegate(client, visitor, caregiver, ["appointments:read", "consults:read"],
                   expires_at=CAREGIVER_UNTIL)  # fmt: skip
    leaving = await person("patient")
    r = await client.delete("/api/me", headers=leaving.headers)
    assert r.status_code == 202, r.text
    crisis = await room(client, person)  # a crisis post held at 07:00: acknowledge by 07:15
    await post(client, crisis.member, crisis.slug, CRISIS_POST)
    digest = await client.put("/api/community/digest", json={"frequency": "daily"},
                              headers=crisis.other.headers)  # fmt: skip
    assert digest.status_code == 200, digest.text  # due Tuesday 07:00: one new topic to count
    await post(client, crisis.moderator, crisis.slug, "Welcome, everyone. Say hello here.")
    export = await client.get("/fhir/$export?_type=Patient",
                              headers={**t.admin.headers, "Prefer": "respond-async"})  # fmt: skip
    assert export.status_code == 202, export.text
    # A PHQ-9 every two weeks from Tuesday 08:00: the patient is reminded then.
    r = await client.post(
        f"/api/wellbeing/patients/{t.patient.patient_id}/schedules",
        json={"instrument": "phq9", "every_days": 14, "first_due": "2026-03-24T08:00:00Z"},
        headers=t.clinician.headers,
    )
    assert r.status_code == 201, r.text
    # A support group meeting on Tuesdays at 08:30 UTC: its member is reminded from 07:30.
    circle = await group(client, t.admin, timezone="UTC", first_date="2026-03-24",
                         start_time="08:30")  # fmt: skip
    await join(client, visitor, circle["slug"])
    return {"team": t, "second": second, "alert": alert, "no_data": no_data,
            "export": export.headers["content-location"].split("/fhir/", 1)[1],
            "visitor": visitor, "visit": visit, "caregiver": caregiver,
            "leaving": leaving, "reader": crisis.other}  # fmt: skip


async def caregiver_in_the_visit(client, s: dict) -> None:
    """At the visit's check-in (Tuesday 08:50): the visitor checks in, the clinician admits them
    (the visit is in progress), and the visitor invites their caregiver."""
    visit, visitor = s["visit"]["id"], s["visitor"]
    r = await client.post(f"/api/care/appointments/{visit}/check-in",
                          json={"device_check": DEVICES_OK}, headers=visitor.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/care/appointments/{visit}/admit", headers=s["team"].clinician.headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/care/appointments/{visit}/invite",
                          json={"role": "caregiver", "account_id": str(s["caregiver"].id)},
                          headers=visitor.headers)  # fmt: skip
    assert r.status_code == 204, r.text
    assert await invitees(client, s) == [str(s["caregiver"].id)]


async def invitees(client, s: dict) -> list[str]:
    r = await client.get(f"/api/care/appointments/{s['visit']['id']}", headers=s["visitor"].headers)
    return [i["account_id"] for i in r.json()["invitees"]]


async def lapsed(app) -> list:
    """The invitations the care job ended because their delegation expired."""
    rows = await audit_rows(app, action="appointment.uninvite")
    return [r for r in rows if json.loads(r.detail)["reason"] == "delegation-expired"]


async def escalations(app) -> list:
    return await audit_rows(app, action="alert.escalate")


async def crisis_escalations(app) -> list:
    return await audit_rows(app, action="community.crisis.escalate")


async def reminders(client, visitor: Person) -> list:
    r = await client.get("/api/me/notifications", headers=visitor.headers)
    return [n for n in r.json() if n["kind"] == "appointment.reminder"]


async def erasures(app, leaving: Person) -> list:
    return await audit_rows(app, action="erasure.complete", resource_id=str(leaving.id))


async def no_data_alerts(client, clinician: Person, rule_id: str) -> list:
    return [a for a in await alerts(client, clinician, source="rule") if a["rule_id"] == rule_id]


async def test_every_loop_of_a_live_node_does_its_work_when_the_clock_moves(
    app, client, person, monday, inbox
):
    runtime = app.state.runtime
    assert set(runtime.job_names) == JOBS
    assert sorted(runtime.running_jobs()) == sorted(JOBS)  # the scheduler is running
    s = await scenario(app, client, person)
    t = s["team"]

    # 07:14:59: nothing is due yet; every loop that woke went round and found nothing.
    naps = monday.naps
    monday.advance(minutes=14, seconds=59)
    await monday.settle(naps + 5)  # alerts, reminders, invitations, crisis, groups (not erasure)
    assert await escalations(app) == []
    assert await group_reminders(client, s["visitor"]) == []
    assert await crisis_escalations(app) == []

    # 07:15:00: the alert nobody acknowledged escalates, on the schedule, to the second clinician.
    monday.advance(seconds=1)
    await eventually(lambda: _nonempty(escalations(app)), "escalation")
    await eventually(lambda: _nonempty(crisis_escalations(app)), "crisis case escalation")
    r = await client.get(f"/api/monitoring/alerts/{s['alert']['id']}", headers=s["second"].headers)
    assert r.json()["escalated_to"] == str(s["second"].id)
    assert await no_data_alerts(client, t.clinician, s["no_data"]["id"]) == []
    assert await reminders(client, s["visitor"]) == []
    assert await erasures(app, s["leaving"]) == []
    assert await digests(inbox, s["reader"]) == []
    assert await questionnaire_reminders(client, t.patient) == []
    # The bulk export kicked off at 07:00 has run; its manifest is ready for the admin.
    await eventually(lambda: _nonempty(exports_done(app)), "bulk export")
    r = await client.get(f"/fhir/{s['export']}", headers=t.admin.headers)
    assert r.status_code == 200 and r.json()["output"][0]["type"] == "Patient", r.text

    # Tuesday 08:01: no heart rate for over an hour, the 09:00 visit within the hour, the
    # erasure's day of grace over.
    monday.now = datetime(2026, 3, 24, 8, 1, tzinfo=UTC)
    await eventually(
        lambda: _nonempty(no_data_alerts(client, t.clinician, s["no_data"]["id"])), "no-data rule"
    )
    await eventually(lambda: _nonempty(reminders(client, s["visitor"])), "reminder")
    await eventually(lambda: _nonempty(group_reminders(client, s["visitor"])), "group reminder")
    await eventually(lambda: _nonempty(erasures(app, s["leaving"])), "erasure")
    await eventually(lambda: _nonempty(digests(inbox, s["reader"])), "community digest")
    await eventually(
        lambda: _nonempty(questionnaire_reminders(client, t.patient)), "questionnaire reminder"
    )
    (digest,) = await digests(inbox, s["reader"])
    assert "1 new topic in your Careverse communities" in digest.get_payload(decode=True).decode()
    await eventually(lambda: _nonempty(exports_expired(app)), "bulk export expiry")  # 24 h on
    assert (await client.get(f"/fhir/{s['export']}", headers=t.admin.headers)).status_code == 404

    # Tuesday 08:50: the visit is under way with the caregiver in it. 08:54:59: their delegation
    # has not expired, and the loops that woke (not erasure) leave the invitation alone.
    naps = monday.naps
    monday.now = TUESDAY_0850
    await monday.settle(naps + 5)
    await caregiver_in_the_visit(client, s)
    naps = monday.naps
    monday.now = CAREGIVER_UNTIL - timedelta(seconds=1)
    await monday.settle(naps + 5)
    assert await lapsed(app) == []
    assert await invitees(client, s) == [str(s["caregiver"].id)]

    # 08:55: the delegation has expired; the care job ends the invitation, with no request made.
    monday.now = CAREGIVER_UNTIL
    await eventually(lambda: _nonempty(lapsed(app)), "lapsed invitation")
    (ended,) = await lapsed(app)
    assert (ended.actor_id, ended.resource_id) == (None, s["visit"]["id"])
    assert await invitees(client, s) == []
    assert sorted(runtime.running_jobs()) == sorted(JOBS)  # still running after their work


async def test_two_nodes_running_the_same_jobs_do_each_piece_of_work_once(
    app, client, person, monday, settings, inbox
):
    other = create_app(settings)  # a second node on the same database, with the same loops
    async with other.router.lifespan_context(other):
        assert sorted(other.state.runtime.running_jobs()) == sorted(JOBS)
        s = await scenario(app, client, person)
        naps = monday.naps
        monday.now = datetime(2026, 3, 24, 8, 1, tzinfo=UTC)
        # Both nodes' loops wake, work, and go back to sleep.
        await monday.settle(naps + 2 * len(JOBS))
        await eventually(lambda: _nonempty(erasures(app, s["leaving"])), "erasure")
        t = s["team"]
        # The threshold alert and the crisis post's own urgent alert (its author is a patient)
        # escalated, each once (the no-data alert opened only now: not due yet).
        escalated = [row.resource_id for row in await escalations(app)]
        assert s["alert"]["id"] in escalated and len(escalated) == len(set(escalated)) == 2
        assert len(await no_data_alerts(client, t.clinician, s["no_data"]["id"])) == 1
        assert len(await reminders(client, s["visitor"])) == 1
        await eventually(lambda: _nonempty(group_reminders(client, s["visitor"])), "group")
        assert len(await group_reminders(client, s["visitor"])) == 1  # by one node
        assert len(await erasures(app, s["leaving"])) == 1
        assert len(await crisis_escalations(app)) == 1  # the crisis case, by one node
        assert len(await digests(inbox, s["reader"])) == 1  # the digest, by one node
        await eventually(
            lambda: _nonempty(questionnaire_reminders(client, t.patient)), "questionnaire reminder"
        )
        assert len(await questionnaire_reminders(client, t.patient)) == 1  # by one node
        assert len(await exports_expired(app)) == 1  # the day-old export, deleted by one node
        asynchronously = {**t.admin.headers, "Prefer": "respond-async"}
        fresh = await client.get("/fhir/$export?_type=Patient", headers=asynchronously)
        assert fresh.status_code == 202, fresh.text

        # The caregiver's delegation expires during the visit: one node ends the invitation.
        naps = monday.naps
        monday.now = TUESDAY_0850
        await monday.settle(naps + 2 * 5)  # both nodes' alert, reminder, invitation, crisis, groups
        await eventually(lambda: _nonempty(exports_done(app)), "bulk export")
        assert len(await exports_done(app)) == 1  # the fresh bulk export, run by one node
        await caregiver_in_the_visit(client, s)
        naps = monday.naps
        monday.now = CAREGIVER_UNTIL
        await eventually(lambda: _nonempty(lapsed(app)), "lapsed invitation")
        await monday.settle(naps + 2 * 5)  # both nodes' invitation loops have been round
    assert len(await lapsed(app)) == 1
    assert await invitees(client, s) == []


async def group_reminders(client, member: Person) -> list:
    return await notices(client, member, "groups.session.soon")


async def questionnaire_reminders(client, patient: Person) -> list:
    r = await client.get("/api/me/notifications", headers=patient.headers)
    return [n for n in r.json() if n["kind"] == "wellbeing.due"]


async def digests(inbox, reader: Person) -> list:
    """The community digests e-mailed to ``reader``."""
    box, _ = inbox
    subject = "Your Careverse communities"
    return [m for m in box.messages if m["Subject"] == subject and m["To"] == reader.email]


async def exports_done(app) -> list:
    return await audit_rows(app, action="fhir.export.complete")


async def exports_expired(app) -> list:
    return await audit_rows(app, action="fhir.export.expire")


async def _nonempty(rows: Awaitable[list]) -> bool:
    return bool(await rows)
