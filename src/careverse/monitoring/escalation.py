"""Escalation: an open alert nobody acknowledged in time goes to another clinician.

The target is the patient's other care-team clinician (after the longest-standing one), else the
on-call clinician (``alert_oncall_account_id``), who is given a short care relationship so that
they can see the patient. Every node may run :func:`escalate_due`: alerts are claimed first (a
unit of work of its own), so each is escalated by exactly one node; each escalation is then a
unit of work of its own, and one that fails is released for the next run.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.relationships import RelationshipService, care_team, has_care_relationship
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from careverse.kernel.uow import UnitOfWork, unit_of_work
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.alerts import alert_changed

log = structlog.get_logger(__name__)

ESCALATION_ACCESS = timedelta(hours=24)  # an on-call target's care relationship lasts this long


async def _claim_due(session: AsyncSession, cutoff: datetime, now: datetime) -> list[uuid.UUID]:
    """Claim open alerts due for escalation, so that exactly one node escalates each (the
    caller's unit of work commits the claims before any escalation starts)."""
    due = (
        select(Alert.id)
        .where(
            Alert.status == "open",
            Alert.escalation_claimed_at.is_(None),
            Alert.escalate_from <= cutoff,
        )
        .order_by(Alert.escalate_from)
        .limit(100)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list((await session.scalars(due.with_for_update(skip_locked=True))).all())
        if ids:
            await session.execute(
                update(Alert).where(Alert.id.in_(ids)).values(escalation_claimed_at=now)
            )
        return ids
    claimed = []
    for alert_id in (await session.scalars(due)).all():
        result = await session.execute(
            update(Alert)
            .where(
                Alert.id == alert_id,
                Alert.status == "open",
                Alert.escalation_claimed_at.is_(None),
            )
            .values(escalation_claimed_at=now)
        )
        if cast(CursorResult, result).rowcount == 1:
            claimed.append(alert_id)
    return claimed


async def escalation_target(
    session: AsyncSession, patient_id: uuid.UUID, settings: Settings
) -> uuid.UUID | None:
    """The patient's other care-team clinician (after the longest-standing one), else on-call."""
    team = [
        c for c in await care_team(session, patient_id)
        if await directory.account_role(session, c) == Role.CLINICIAN.value
    ]  # fmt: skip
    if len(team) > 1:
        return team[1]
    if settings.alert_oncall_account_id:
        try:
            oncall = uuid.UUID(settings.alert_oncall_account_id)
        except ValueError:
            log.error("monitoring.oncall_invalid")
            return None
        if await directory.account_role(session, oncall) == Role.CLINICIAN.value:
            return oncall
        log.error("monitoring.oncall_not_a_clinician")
    return None


async def escalate_due(db: Database, settings: Settings) -> int:
    """Escalate every open alert nobody acknowledged in time; answers how many were escalated.

    An alert whose escalation fails half-way is released again, for the next run to retry.
    """
    now = clock.now()
    cutoff = now - timedelta(minutes=settings.alert_escalation_minutes)
    async with db.session() as session, unit_of_work(session):
        claimed = await _claim_due(session, cutoff, now)
    escalated = 0
    for alert_id in claimed:
        try:
            async with db.session() as session, unit_of_work(session) as uow:
                escalated += await _escalate(session, uow, settings, alert_id, now)
        except Exception as exc:
            log.error("monitoring.escalation_failed", error=type(exc).__name__)
            async with db.session() as session, unit_of_work(session):
                await session.execute(
                    update(Alert).where(Alert.id == alert_id).values(escalation_claimed_at=None)
                )
    return escalated


async def _escalate(
    session: AsyncSession, uow: UnitOfWork, settings: Settings, alert_id: uuid.UUID,
    now: datetime,
) -> int:  # fmt: skip
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.status != "open":
        return 0
    target = await escalation_target(session, alert.patient_id, settings)
    if target is None:
        audit.record(
            session, "alert.escalate", actor_role="system", outcome=audit.Outcome.FAILURE,
            patient_id=alert.patient_id, resource_type="Alert", resource_id=alert.id,
            detail={"reason": "no_target"},
        )  # fmt: skip
        log.warning("monitoring.escalation_no_target", alert_id=str(alert.id))
        return 0
    if not await has_care_relationship(session, target, alert.patient_id):
        # The on-call clinician needs to see the patient to act: a short relationship.
        await RelationshipService(session).create(
            target, alert.patient_id, "escalation", source_id=str(alert.id),
            ends_at=now + ESCALATION_ACCESS,
        )  # fmt: skip
    alert.escalated_to, alert.escalated_at, alert.updated_at = target, now, now
    audit.record(
        session, "alert.escalate", actor_role="system", patient_id=alert.patient_id,
        resource_type="Alert", resource_id=alert.id, detail={"to": str(target)},
    )  # fmt: skip
    await uow.publish(await alert_changed(session, alert, "escalated"))
    return 1
