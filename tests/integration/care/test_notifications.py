"""Notifications: in-app on booked/changed/cancelled, a reminder sent once across two nodes, e-mail
through a real local SMTP server (aiosmtpd) with no health data, and the .ics calendar file."""

from __future__ import annotations

import asyncio
import email

import pytest
from aiosmtpd.controller import Controller

from careverse.care.jobs import send_reminders_once
from careverse.kernel.db import Database
from tests.integration.care.support import book
from tests.support import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox[1],
        "smtp_starttls": False,
        "public_url": "https://clinic.example.org",
        "care_reminder_lead_minutes": 120,
    }


def bodies(inbox) -> list[str]:
    return [m.get_payload(decode=True).decode() for m in inbox[0].messages]


async def test_booked_changed_cancelled_and_reminded(
    app, client, person, clinician_with_hours, monday, inbox
):
    clinician = await clinician_with_hours("Europe/London")
    patient = await person("patient")
    await client.put(
        "/api/care/preferences", json={"time_zone": "America/New_York"}, headers=patient.headers
    )
    made = await book(client, patient, clinician, "2026-03-23T10:00:00Z", reason="Rectal bleeding")
    assert made.status_code == 201
    appt = made.json()

    notes = (await client.get("/api/me/notifications", headers=patient.headers)).json()
    assert [n["kind"] for n in notes] == ["appointment.booked"]
    assert "Mon 23 Mar 2026, 06:00 EDT" in notes[0]["body"]  # in the patient's own zone
    clinician_notes = (await client.get("/api/me/notifications", headers=clinician.headers)).json()
    assert [n["kind"] for n in clinician_notes] == ["appointment.booked"]

    monday.advance(seconds=1)
    moved = await client.post(
        f"/api/care/appointments/{appt['id']}/reschedule",
        json={"start": "2026-03-23T09:00:00Z"},
        headers=patient.headers,
    )
    assert moved.status_code == 200

    monday.advance(seconds=1)
    # The reminder job, run by two nodes at once, sends one reminder (09:00 is within 2 hours).
    node_a = Database(app.state.runtime.settings.effective_database_url, app.state.runtime.events)
    node_b = Database(app.state.runtime.settings.effective_database_url, app.state.runtime.events)
    try:
        sent = await asyncio.gather(
            send_reminders_once(node_a, app.state.runtime.settings, app.state.runtime.mailer),
            send_reminders_once(node_b, app.state.runtime.settings, app.state.runtime.mailer),
        )
        assert sorted(sent) == [0, 1]
        assert (
            await send_reminders_once(node_a, app.state.runtime.settings, app.state.runtime.mailer)
            == 0
        )
    finally:
        await node_a.dispose()
        await node_b.dispose()

    monday.advance(seconds=1)
    cancelled = await client.post(
        f"/api/care/appointments/{appt['id']}/cancel",
        json={"note": "Feeling better"},
        headers=patient.headers,
    )
    assert cancelled.status_code == 200
    notes = (await client.get("/api/me/notifications", headers=patient.headers)).json()
    assert [n["kind"] for n in notes] == [
        "appointment.cancelled", "appointment.reminder", "appointment.changed",
        "appointment.booked",
    ]  # fmt: skip
    unread = await client.get(
        "/api/me/notifications", params={"unread": True}, headers=patient.headers
    )
    assert len(unread.json()) == 4
    one = await client.post(f"/api/me/notifications/{notes[0]['id']}/read", headers=patient.headers)
    assert one.status_code == 204
    assert (
        await client.post(f"/api/me/notifications/{notes[1]['id']}/read", headers=clinician.headers)
    ).status_code == 404
    await client.post("/api/me/notifications/read", headers=patient.headers)
    unread = await client.get(
        "/api/me/notifications", params={"unread": True}, headers=patient.headers
    )
    assert unread.json() == []

    # E-mail went to the patient only (the clinician's are in-app), four of them.
    handler, _ = inbox
    to_patient = [m for m in handler.messages if m["To"] == patient.email]
    assert len(to_patient) == 4 and len(handler.messages) == 4
    for message in handler.messages:
        assert message["Subject"] == "A message from Careverse"
    text = "\n".join(bodies(inbox))
    assert "Rectal" not in text and "bleeding" not in text
    assert f"https://clinic.example.org/care/appointments/{appt['id']}" in text


async def test_calendar_file(client, person, clinician_with_hours, monday):
    clinician = await clinician_with_hours("UTC", name="Dr. Ana Lima, GP")
    patient, other = await person("patient"), await person("patient")
    appt = (
        await book(client, patient, clinician, "2026-03-23T10:00:00Z", reason="Secret reason")
    ).json()
    response = await client.get(
        f"/api/care/appointments/{appt['id']}/calendar.ics", headers=patient.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20260323T100000Z" in body and "DTEND:20260323T101500Z" in body
    assert "Dr. Ana Lima\\, GP" in body.replace("\r\n ", "")
    assert "Secret" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert (
        await client.get(f"/api/care/appointments/{appt['id']}/calendar.ics", headers=other.headers)
    ).status_code == 404
