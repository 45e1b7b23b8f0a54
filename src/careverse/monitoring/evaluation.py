"""Evaluating a patient: every check new readings (or a changed care plan) could affect, applied
to the patient's alerts.

The checks read in a session of their own; each finding that changes an alert is then written in
a unit of work of its own (and, on SQLite, in line with ingest's writers), which publishes the
:class:`AlertChanged` it makes. Two nodes evaluating one patient at once cannot open two alerts
for one condition (the alert's unique ``open_key``): the loser reads again and updates instead.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.exc import IntegrityError, OperationalError

from careverse.identity.relationships import care_team
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import alert_changed, apply_finding
from careverse.monitoring.events import AlertChanged
from careverse.monitoring.findings import Finding
from careverse.monitoring.ingest import write_lock
from careverse.monitoring.rules import findings_for

ATTEMPTS = 4


async def evaluate_patient(
    db: Database,
    settings: Settings,
    patient_id: uuid.UUID,
    codes: frozenset[str] | None = None,
    marks: dict[str, int] | None = None,
) -> list[AlertChanged]:
    """Run every check of one patient that ``codes`` (None: any) could affect; apply them.

    ``marks``: the newest reading id already judged per code (see :func:`rules.findings_for`).
    Answers the alert changes, each published after its commit.
    """
    async with db.session() as session:
        findings = await findings_for(session, patient_id, settings, codes, marks)
        # Quiet findings write nothing unless they may resolve an alert.
        findings = [f for f in findings if f.firing or settings.alert_auto_resolve]
        team = await care_team(session, patient_id) if findings else []  # who hears of changes
    changes: list[AlertChanged] = []
    for finding in findings:
        change = await _apply(db, settings, patient_id, finding, team)
        if change is not None:
            changes.append(change)
    return changes


async def _apply(
    db: Database,
    settings: Settings,
    patient_id: uuid.UUID,
    finding: Finding,
    team: list[uuid.UUID],
) -> AlertChanged | None:
    for attempt in range(ATTEMPTS):
        try:
            # SQLite: queue behind ingest's writers in order, not in its busy handler.
            async with (
                db.session() as session,
                write_lock(session),
                unit_of_work(session) as uow,
            ):
                applied = await apply_finding(
                    session, patient_id, finding, auto_resolve=settings.alert_auto_resolve
                )
                if applied is None:
                    return None
                alert, change, previous = applied
                event = await alert_changed(
                    session, alert, change, team=team, previous_severity=previous
                )
                await uow.publish(event)
            return event
        except (IntegrityError, OperationalError):
            # Another node opened this alert first (unique open_key), or SQLite refused to
            # upgrade a stale read to a write: the unit of work rolled back; read again.
            if attempt == ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.02 * (attempt + 1))
    return None
