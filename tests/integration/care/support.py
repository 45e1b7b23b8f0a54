"""Helpers of the care tests."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.privacy.support import Person

# Monday 23 March 2026, 07:00 UTC: London is still on GMT, New York already on EDT.
MONDAY = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
# 08:50 the same day: a 09:00 visit is open for check-in (from 30 minutes before).
BEFORE_NINE = datetime(2026, 3, 23, 8, 50, tzinfo=UTC)
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


async def book(client, who: Person, clinician: Person, start: str, **body):
    """Book through the API as ``who``; answers the response."""
    return await client.post(
        "/api/care/appointments",
        json={"clinician_id": str(clinician.id), "start": start, **body},
        headers=who.headers,
    )


async def checked_in(client, patient: Person, clinician: Person, start: str, **body) -> dict:
    """Book and check in (the clock must be within the check-in window); answers the booking."""
    made = await book(client, patient, clinician, start, **body)
    assert made.status_code == 201, made.text
    appt = made.json()
    done = await client.post(
        f"/api/care/appointments/{appt['id']}/check-in",
        json={"device_check": DEVICES_OK},
        headers=patient.headers,
    )
    assert done.status_code == 200, done.text
    return appt


async def admitted(client, patient: Person, clinician: Person, start: str) -> tuple[dict, dict]:
    """Book, check in and admit; answers (booking, admission {space_id, encounter_id})."""
    appt = await checked_in(client, patient, clinician, start)
    admit = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert admit.status_code == 200, admit.text
    return appt, admit.json()


DEVICES_OK = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}
