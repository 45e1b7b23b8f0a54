"""Issue 12: the patient chooses their reminder when booking: none, an hour or a day before, or
the clinic's default; the reminder job honours the choice."""

from __future__ import annotations

from careverse.care.jobs import send_reminders_once
from tests.integration.care.support import book

TUESDAY_NINE = "2026-03-24T09:00:00Z"  # a day and two hours after MONDAY 07:00


async def run_job(app) -> int:
    runtime = app.state.runtime
    return await send_reminders_once(runtime.db, runtime.settings, runtime.mailer)


async def test_reminders_follow_the_patients_choice(
    app, client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    day, silent, default = await person(), await person(), await person()
    colleague = await clinician_with_hours("UTC", name="Dr. Sam Ito")
    other = await clinician_with_hours("UTC", name="Dr. Ana Ruiz")
    made = {
        "day": await book(client, day, clinician, TUESDAY_NINE, reminder_minutes=1440),
        "none": await book(client, silent, colleague, TUESDAY_NINE, reminder_minutes=0),
        "default": await book(client, default, other, TUESDAY_NINE),
    }
    for name, answer in made.items():
        assert answer.status_code == 201, (name, answer.text)
    assert made["day"].json()["reminder_minutes"] == 1440
    assert made["default"].json()["reminder_minutes"] is None

    odd = await book(client, day, clinician, "2026-03-24T11:00:00Z", reminder_minutes=7)
    assert odd.status_code == 422

    monday.advance(seconds=2 * 3600 + 60)  # 09:01 Monday: within a day of Tuesday 09:00
    assert await run_job(app) == 1  # the one who chose a day before
    monday.now = monday.now.replace(day=24, hour=8, minute=30)  # 08:30 Tuesday
    assert await run_job(app) == 1  # the clinic's default lead (60 minutes); never "none"
    assert await run_job(app) == 0
