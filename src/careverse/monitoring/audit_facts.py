"""A narrow read of monitoring for aggregate audits (research.fairness): which patients were
monitored and which alerts each had, without titles, reasons or readings' values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.monitoring.alert_models import Alert
from careverse.monitoring.models import Reading


@dataclass(frozen=True, slots=True)
class AlertFact:
    """One alert as an audit counts it."""

    patient_id: uuid.UUID
    source: str  # news2 | rule | wellbeing
    severity: str
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


async def monitored_patients(session: AsyncSession, since: datetime) -> set[uuid.UUID]:
    """The patients with at least one reading taken since ``since``."""
    rows = await session.execute(
        select(Reading.patient_id).where(Reading.effective_at >= since).distinct()
    )
    return {r[0] for r in rows}


async def alert_facts(session: AsyncSession, since: datetime) -> list[AlertFact]:
    """Every alert opened since ``since`` (no policy check: the caller authorizes an aggregate
    audit and shows no single patient)."""
    rows = await session.execute(
        select(
            Alert.patient_id, Alert.source, Alert.severity, Alert.opened_at,
            Alert.acknowledged_at, Alert.resolved_at,
        ).where(Alert.opened_at >= since)
    )  # fmt: skip
    return [AlertFact(*r) for r in rows]


DEMO_SOURCE_PREFIX = "demo-audit-"


async def has_demo_history(session: AsyncSession) -> bool:
    """Whether the fairness audit's demo history is there already (the demo seeds it once)."""
    row = await session.execute(
        select(Reading.id).where(Reading.source_id.startswith(DEMO_SOURCE_PREFIX)).limit(1)
    )
    return row.first() is not None


async def record_demo_history(
    session: AsyncSession,
    patient_id: uuid.UUID,
    read_at: datetime,
    alerts: list[tuple[str, datetime, float | None]],
) -> None:
    """For the demo only: one heart-rate reading (the patient was monitored) and resolved alerts
    ``(source, opened_at, minutes to acknowledge or None)``; the caller commits."""
    session.add(
        Reading(
            patient_id=patient_id, code="8867-4", unit="/min", value=78.0, effective_at=read_at,
            received_at=read_at, source_id=f"{DEMO_SOURCE_PREFIX}{patient_id}",
        )
    )  # fmt: skip
    for source, opened, minutes in alerts:
        acknowledged = opened + timedelta(minutes=minutes) if minutes is not None else None
        resolved = (acknowledged or opened) + timedelta(hours=2)
        session.add(
            Alert(
                patient_id=patient_id, source=source, severity="medium", status="resolved",
                title="Demo alert", why="Demo history for the fairness audit", count=1,
                opened_at=opened, updated_at=resolved, escalate_from=opened,
                acknowledged_at=acknowledged, resolved_at=resolved,
            )
        )  # fmt: skip
