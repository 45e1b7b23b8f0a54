"""The notifications inbox: a booking's notices land in it (committed with the booking), paged,
counted, marked read; a new message's notice is pushed live to the person's open pages; a
caregiver with a vitals delegation is told of an alert about the person they support (the title
names no one and no health data); and an erasure leaves nothing of the person in messaging."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from careverse.kernel.notify import NotificationRequested
from careverse.kernel.uow import unit_of_work
from careverse.messaging.models import Notification
from careverse.messaging.streams import NotificationStreams, notification_events
from tests.integration.care.support import book
from tests.integration.messaging.support import notices, start, unread
from tests.integration.monitoring.alert_support import LONG_SESSIONS, add_rule, send, team, vital
from tests.integration.privacy.support import delegate

WEIGHT = "29463-7"


@pytest.fixture
def settings_overrides() -> dict:
    return LONG_SESSIONS


async def test_a_booking_is_in_the_inbox_paged_counted_and_marked_read(
    client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    for start_at in ("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z", "2026-03-23T12:00:00Z"):
        made = await book(client, patient, clinician, start_at, reason="Chest pain")
        assert made.status_code == 201, made.text
        monday.advance(seconds=1)
    appt = made.json()

    notes = await notices(client, patient)
    assert [n["kind"] for n in notes] == ["appointment.booked"] * 3
    newest = notes[0]
    assert newest["title"] == "Appointment booked" and "Chest" not in newest["body"]
    assert newest["link"] == f"/care/appointments/{appt['id']}"
    assert newest["appointment_id"] == appt["id"]
    assert newest["patient_id"] == str(patient.patient_id)
    assert newest["read"] is False and newest["read_at"] is None
    assert await unread(client, patient) == 3

    page = await notices(client, patient, limit=2)
    rest = await notices(client, patient, limit=2, offset=2)
    assert [n["id"] for n in page + rest] == [n["id"] for n in notes]
    bad = await client.get("/api/me/notifications", params={"limit": 0}, headers=patient.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "limit"]

    read = await client.post(f"/api/me/notifications/{newest['id']}/read", headers=patient.headers)
    assert read.status_code == 204
    assert await unread(client, patient) == 2
    assert (await notices(client, patient))[0]["read_at"] is not None
    # Someone else's notice is not there to mark.
    theirs = (await notices(client, clinician))[0]
    other = await client.post(f"/api/me/notifications/{theirs['id']}/read", headers=patient.headers)
    assert other.status_code == 404
    assert (
        await client.post("/api/me/notifications/read", headers=patient.headers)
    ).status_code == 204
    assert await unread(client, patient) == 0
    assert await unread(client, clinician) == 3


async def test_a_new_message_is_pushed_to_the_open_pages_of_its_reader(app, client, person):
    t = await team(client, person)
    streams = app.state.runtime.get(NotificationStreams)
    stream = notification_events(streams, t.clinician.id, ping_seconds=30)
    assert await anext(stream) == ": connected\n\n"
    pushed = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    assert (await start(client, t.patient, body="Private words")).status_code == 201
    event = await asyncio.wait_for(pushed, 2)
    await stream.aclose()
    assert event.startswith("event: notification\n")
    assert "New message from a patient" in event and "Private" not in event
    assert await unread(client, t.clinician) == 1


async def test_a_caregiver_with_vitals_access_is_told_of_an_alert(app, client, person):
    t = await team(client, person, patient_name="Amara Okafor")
    watching, booking_only = await person("caregiver"), await person("caregiver")
    await delegate(client, t.patient, watching, ["vitals:read"])
    await delegate(client, t.patient, booking_only, ["appointments:read"])
    await add_rule(
        client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">", value=100,
        severity="high",
    )  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 104.2))

    told = await notices(client, watching)
    assert [n["kind"] for n in told] == ["alert.raised"]
    assert told[0]["title"] == "New alert about someone you support"
    assert "Amara" not in told[0]["title"] and "Amara" in told[0]["body"]
    assert told[0]["link"] == "/vitals"
    assert await notices(client, booking_only) == []
    assert await notices(client, t.patient) == []


async def test_the_inbox_stores_any_capabilitys_request_with_its_transaction(app, person):
    patient = await person("patient")
    async with app.state.runtime.db.session() as session:
        with pytest.raises(RuntimeError):
            async with unit_of_work(session) as uow:
                await uow.publish(
                    NotificationRequested(account_id=patient.id, kind="test", title="Rolled back")
                )
                raise RuntimeError("the change it announced failed")
        async with unit_of_work(session) as uow:
            await uow.publish(
                NotificationRequested(account_id=patient.id, kind="test", title="Kept", link="/x")
            )
    async with app.state.runtime.db.session() as session:
        titles = (
            await session.scalars(
                select(Notification.title).where(Notification.account_id == patient.id)
            )
        ).all()
    assert titles == ["Kept"]
