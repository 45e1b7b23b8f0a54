"""A narrow read of monitoring for aggregate audits (research.fairness): which patients were
monitored and which alerts each had, without titles, reasons or readings' values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

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
