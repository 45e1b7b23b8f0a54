"""Alerts: raised from findings, de-duplicated, acknowledged and resolved.

Lifecycle: ``open`` → ``acknowledged`` → ``resolved`` (a clinician may resolve an open alert
directly). While an alert is open or acknowledged, the same condition firing again updates it
(``why``, ``severity``, ``count`` + 1, ``updated_at``: when it last fired) instead of raising
another, so a condition that persists is one alert with a count, never a flood. A rise in
severity is its own change, announced as an escalation ("escalated to high", with why):
``raised`` while the alert is open, ``reopened`` when it was acknowledged (which also restarts
its escalation clock); both carry the previous severity. A live alert never falls in severity:
a lower finding only counts as firing again, so the alert keeps the worst it reached (its title,
why and the time in it) until someone resolves it, and a NEWS2 that wavers between medium and
high escalates once, not at every wave. With ``alert_auto_resolve`` on, an alert
whose condition has cleared is resolved by the system. Escalation is in
:mod:`careverse.monitoring.escalation`, the live stream in :mod:`careverse.monitoring.streams`.

NEWS2 risk maps to alert severity as: low-medium → low, medium → medium, high → high (low raises
nothing).

Every change is audited and published, in its unit of work, as :class:`AlertChanged` (ids,
change, status and severity only) addressed to the clinicians of the patient's care team (and the
escalation target); the alert stream loads the alert itself through the access policy, so a
clinician who lost access receives nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.relationships import care_team, patients_of
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, decide, require_role
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import ALERT_STATUSES, Alert
from careverse.monitoring.events import AlertChanged
from careverse.monitoring.findings import Finding
from careverse.monitoring.ingest import write_lock

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}
LIVE = ("open", "acknowledged")


def _iso(at: datetime | None) -> str | None:
    return clock.as_utc(at).isoformat() if at else None


def acknowledge_by(alert: Alert, escalation_minutes: float) -> datetime | None:
    """The acknowledgement deadline of an open alert: when it escalates if nobody takes it on."""
    if alert.status != "open":
        return None
    return clock.as_utc(alert.escalate_from) + timedelta(minutes=escalation_minutes)


def alert_json(alert: Alert, patient_name: str, escalation_minutes: float) -> dict:
    """An alert in the API's shape (see the monitoring contract)."""
    return {
        "id": str(alert.id),
        "patient_id": str(alert.patient_id),
        "patient_name": patient_name,
        "source": alert.source,
        "rule_id": str(alert.rule_id) if alert.rule_id else None,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "why": alert.why,
        "opened_at": _iso(alert.opened_at),
        "updated_at": _iso(alert.updated_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledged_by": str(alert.acknowledged_by) if alert.acknowledged_by else None,
        "resolved_at": _iso(alert.resolved_at),
        "escalated_to": str(alert.escalated_to) if alert.escalated_to else None,
        "escalated_at": _iso(alert.escalated_at),
        "count": alert.count,
        "acknowledge_by": _iso(acknowledge_by(alert, escalation_minutes)),
    }


async def alert_changed(
    session: AsyncSession,
    alert: Alert,
    change: str,
    team: list[uuid.UUID] | None = None,
    previous_severity: str | None = None,
) -> AlertChanged:
    """The event of one change, addressed to the care team (``team``, when the caller has it
    already) and the escalation target."""
    if team is None:
        team = await care_team(session, alert.patient_id)
    recipients = [*team, *([alert.escalated_to] if alert.escalated_to else [])]
    return AlertChanged(
        alert_id=alert.id, patient_id=alert.patient_id, change=change, severity=alert.severity,
        status=alert.status, recipients=tuple(dict.fromkeys(recipients)),
        escalated_to=alert.escalated_to, previous_severity=previous_severity,
    )  # fmt: skip


def _system_audit(session: AsyncSession, action: str, alert: Alert, **detail) -> None:
    audit.record(
        session, action, actor_role="system", patient_id=alert.patient_id,
        resource_type="Alert", resource_id=alert.id, detail=detail or None,
    )  # fmt: skip


# ---- findings → alerts (the system's side) -----------------------------------------------------


async def apply_finding(
    session: AsyncSession, patient_id: uuid.UUID, finding: Finding, *, auto_resolve: bool
) -> tuple[Alert, str, str | None] | None:
    """Open, update or (optionally) resolve the alert of one condition; answers the alert, its
    change and, when its severity rose, the severity before. The caller's unit of work commits;
    on an IntegrityError (another node opened it first) it rolls back and the caller applies the
    finding again."""
    if not finding.firing and not auto_resolve:
        return None
    key = f"{patient_id}:{finding.key}"
    alert = await session.scalar(select(Alert).where(Alert.open_key == key))
    now = clock.now()
    if not finding.firing:
        if alert is None:
            return None
        _resolve(alert, None, now)
        _system_audit(session, "alert.resolve", alert, reason="cleared")
        await session.flush()
        return alert, "resolved", None
    if alert is None:
        alert = Alert(
            id=uuid.uuid4(), patient_id=patient_id, source=finding.source,
            rule_id=finding.rule_id, open_key=key, severity=finding.severity, status="open",
            title=finding.title, why=finding.why, count=1, opened_at=now, updated_at=now,
            escalate_from=now,
        )  # fmt: skip
        session.add(alert)
        await session.flush()
        _system_audit(session, "alert.open", alert, source=finding.source, severity=alert.severity)
        return alert, "opened", None
    change, previous = "updated", None
    if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]:
        change, previous = "raised", alert.severity
        if alert.status == "acknowledged":
            alert.status, change = "open", "reopened"
            alert.escalate_from, alert.escalation_claimed_at = now, None
    if SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[alert.severity]:
        alert.severity, alert.title, alert.why = finding.severity, finding.title, finding.why
    alert.count += 1
    alert.updated_at = now
    action = {"reopened": "alert.reopen", "raised": "alert.raise"}.get(change, "alert.update")
    _system_audit(session, action, alert, severity=alert.severity, count=alert.count)
    await session.flush()
    return alert, change, previous


async def open_urgent(session: AsyncSession, patient_id: uuid.UUID, finding: Finding) -> None:
    """Open (or keep open) a finding's alert that only a person resolves, and publish the change
    in the caller's unit of work: the crisis paths' one step (events' held questions and the
    gallery's held works use it)."""
    applied = await apply_finding(session, patient_id, finding, auto_resolve=False)
    if applied is not None:
        alert, change, previous = applied
        changed = await alert_changed(session, alert, change, previous_severity=previous)
        await unit_of_work(session).publish(changed)


async def resolve_rule_alerts(
    session: AsyncSession, rule_id: uuid.UUID, actor: Actor
) -> list[Alert]:
    """Resolve the live alerts of a rule the actor is deleting (in the caller's unit of work);
    answers them."""
    rows = await session.scalars(
        select(Alert).where(Alert.rule_id == rule_id, Alert.status.in_(LIVE))
    )
    resolved = []
    for alert in rows.all():
        _resolve(alert, actor.account_id, clock.now())
        audit.record(
            session, "alert.resolve", actor=actor, patient_id=alert.patient_id,
            resource_type="Alert", resource_id=alert.id, detail={"reason": "rule_deleted"},
        )  # fmt: skip
        resolved.append(alert)
    return resolved


def _resolve(alert: Alert, by: uuid.UUID | None, now: datetime) -> None:
    alert.status, alert.open_key = "resolved", None
    alert.resolved_at, alert.resolved_by, alert.updated_at = now, by, now


# ---- the clinician's side ---------------------------------------------------------------------


class AlertService:
    """Alerts as clinicians see and handle them; every read and change goes through the policy."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def _names(self, patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        names = {}
        for pid in set(patient_ids):
            patient = await directory.patient(self.session, pid)
            names[pid] = patient.name if patient else ""
        return names

    async def readable_patients(self, actor: Actor, via: str) -> list[uuid.UUID]:
        """The patients whose vitals a clinician may read now; each is audited as read (in the
        caller's unit of work)."""
        require_role(actor, Role.CLINICIAN)
        allowed = []
        for patient_id in await patients_of(self.session, actor):
            grant, _ = await decide(self.session, actor, patient_id, Category.VITALS, False)
            if grant is None:
                continue
            audit.record(
                self.session, "vitals.read", actor=actor, patient_id=patient_id,
                purpose=grant.purpose.value, resource_type="Alert", resource_id=patient_id,
                detail={"basis": grant.basis.value, "via": via},
            )  # fmt: skip
            allowed.append(patient_id)
        return allowed

    async def list(self, actor: Actor, status: str | None = None) -> list[dict]:
        """The clinician's patients' alerts: open and acknowledged by default, newest first."""
        if status is not None and status not in ALERT_STATUSES:
            raise InvalidInput("Status is open, acknowledged or resolved.", field="status")
        async with unit_of_work(self.session):
            patient_ids = await self.readable_patients(actor, "alerts")
            if not patient_ids:
                return []
            query = select(Alert).where(Alert.patient_id.in_(patient_ids))
            query = query.where(Alert.status == status if status else Alert.status.in_(LIVE))
            query = query.order_by(Alert.opened_at.desc()).limit(500)
            rows = (await self.session.scalars(query)).all()
            names = await self._names(a.patient_id for a in rows)
        return [
            alert_json(a, names[a.patient_id], self.settings.alert_escalation_minutes) for a in rows
        ]

    async def open_alerts(self, patient_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Alert]]:
        """Open and acknowledged alerts of patients the caller has already been authorized for."""
        found: dict[uuid.UUID, list[Alert]] = {p: [] for p in patient_ids}
        if patient_ids:
            rows = await self.session.scalars(
                select(Alert)
                .where(Alert.patient_id.in_(patient_ids), Alert.status.in_(LIVE))
                .order_by(Alert.opened_at.desc())
            )
            for alert in rows.all():
                found[alert.patient_id].append(alert)
        return found

    async def _load(self, actor: Actor, alert_id: uuid.UUID, write: bool) -> Alert:
        require_role(actor, Role.CLINICIAN)
        alert = await self.session.get(Alert, alert_id)
        if alert is None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, alert.patient_id, Category.VITALS, write=write,
            resource_type="Alert", resource_id=alert.id,
        )  # fmt: skip
        return alert

    async def get(self, actor: Actor, alert_id: uuid.UUID) -> dict:
        """One alert. Inside a caller's unit of work the read's audit event commits with it (the
        live stream sends first, then commits, so an alert never waits on the audit lock)."""
        async with unit_of_work(self.session):
            alert = await self._load(actor, alert_id, write=False)
            names = await self._names([alert.patient_id])
        return alert_json(alert, names[alert.patient_id], self.settings.alert_escalation_minutes)

    async def acknowledge(self, actor: Actor, alert_id: uuid.UUID) -> dict:
        """Take an alert on (stops its escalation); acknowledging twice changes nothing."""
        # SQLite: one writer at a time, in line with ingest's (see ingest.write_lock).
        async with write_lock(self.session), unit_of_work(self.session) as uow:
            alert = await self._load(actor, alert_id, write=True)
            if alert.status == "resolved":
                raise Conflict("This alert is already resolved.", code="alert_resolved")
            if alert.status == "open":
                now = clock.now()
                alert.status, alert.acknowledged_at, alert.acknowledged_by = (
                    "acknowledged", now, actor.account_id,
                )  # fmt: skip
                alert.updated_at = now
                audit.record(
                    self.session, "alert.acknowledge", actor=actor, patient_id=alert.patient_id,
                    resource_type="Alert", resource_id=alert.id,
                )  # fmt: skip
                await uow.publish(await alert_changed(self.session, alert, "acknowledged"))
            names = await self._names([alert.patient_id])
        return alert_json(alert, names[alert.patient_id], self.settings.alert_escalation_minutes)

    async def resolve(self, actor: Actor, alert_id: uuid.UUID) -> dict:
        async with write_lock(self.session), unit_of_work(self.session) as uow:
            alert = await self._load(actor, alert_id, write=True)
            if alert.status == "resolved":
                raise Conflict("This alert is already resolved.", code="alert_resolved")
            _resolve(alert, actor.account_id, clock.now())
            audit.record(
                self.session, "alert.resolve", actor=actor, patient_id=alert.patient_id,
                resource_type="Alert", resource_id=alert.id,
            )  # fmt: skip
            await uow.publish(await alert_changed(self.session, alert, "resolved"))
            names = await self._names([alert.patient_id])
        return alert_json(alert, names[alert.patient_id], self.settings.alert_escalation_minutes)
