"""Wellbeing's facet of a clinician's patient list: overdue questionnaires.

A scheduled instrument (:mod:`careverse.wellbeing.schedules`) is overdue once its due time has
passed. An unscheduled one is read from what the patient already does: an instrument they have
answered before is due again once its recall period has passed since their last answer (PHQ-9,
GAD-7, WHO-5 and the two-item screeners ask about the last 2 weeks, the C-SSRS screener about the
past month). One query for the whole list.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.wellbeing.models import WellbeingResponse
from careverse.wellbeing.schedule_models import WellbeingSchedule

RECALL = {"cssrs": timedelta(days=30)}
DEFAULT_RECALL = timedelta(days=14)


async def overdue_questionnaires(
    session: AsyncSession, patient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict]:
    """The facet ``questionnaires``: {patient_id: {"overdue": n, "instruments": [codes]}} for the
    patients with at least one instrument due again; the others are left out."""
    if not patient_ids:
        return {}
    now = clock.now()
    answered = (
        select(
            WellbeingResponse.patient_id,
            WellbeingResponse.instrument,
            func.max(WellbeingResponse.submitted_at).label("at"),
            literal(False).label("scheduled"),
        )
        .where(WellbeingResponse.patient_id.in_(patient_ids))
        .group_by(WellbeingResponse.patient_id, WellbeingResponse.instrument)
    )
    scheduled = select(
        WellbeingSchedule.patient_id,
        WellbeingSchedule.instrument,
        WellbeingSchedule.next_due_at,
        literal(True),
    ).where(WellbeingSchedule.patient_id.in_(patient_ids), WellbeingSchedule.ended_at.is_(None))
    latest: dict[tuple[uuid.UUID, str], datetime] = {}
    due_at: dict[tuple[uuid.UUID, str], datetime] = {}
    for patient_id, instrument, at, is_scheduled in await session.execute(
        union_all(answered, scheduled)
    ):
        if is_scheduled:  # a schedule decides when it is due
            due_at[(patient_id, instrument)] = clock.as_utc(at)
        else:
            latest[(patient_id, instrument)] = clock.as_utc(at) + RECALL.get(
                instrument, DEFAULT_RECALL
            )
    out: dict[uuid.UUID, dict] = {}
    for (patient_id, instrument), due in {**latest, **due_at}.items():
        if due > now:
            continue
        due = out.setdefault(patient_id, {"overdue": 0, "instruments": []})
        due["overdue"] += 1
        due["instruments"].append(instrument)
    for due in out.values():
        due["instruments"].sort()
    return out
