"""No double booking, ever: 100 patients try one slot at the same moment, each request on its own
database session; the database lets exactly one win (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from careverse.care.models import Appointment, AppointmentBlock
from tests.integration.care.support import book

ATTEMPTS = 100


async def test_one_hundred_patients_one_slot_exactly_one_wins(
    app, client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    patients = [await person("patient") for _ in range(ATTEMPTS)]

    # Half want a 30-minute visit at 10:00, half a 15-minute one at 10:15, which overlaps it.
    def attempt(i: int):
        start, kind = (
            ("2026-03-23T10:00:00Z", "new") if i % 2 else ("2026-03-23T10:15:00Z", "follow-up")
        )
        return book(client, patients[i], clinician, start, visit_type=kind)

    responses = await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: ATTEMPTS - 1}, statuses
    assert all(r.json()["code"] == "slot_taken" for r in responses if r.status_code == 409)

    async with app.state.runtime.db.session() as session:
        booked = await session.scalar(select(func.count()).select_from(Appointment))
        blocks = (await session.scalars(select(AppointmentBlock))).all()
    assert booked == 1
    assert len({b.appointment_id for b in blocks}) == 1
