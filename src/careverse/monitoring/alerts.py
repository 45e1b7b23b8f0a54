"""Alerts: raised from findings, de-duplicated, acknowledged, resolved, escalated, delivered.

Lifecycle: ``open`` → ``acknowledged`` → ``resolved`` (a clinician may resolve an open alert
directly). While an alert is open or acknowledged, the same condition firing again updates it
(``why``, ``severity``, ``count`` + 1) instead of raising another; a rise in severity re-opens an
acknowledged alert and restarts its escalation clock. With ``alert_auto_resolve`` on, an alert
whose condition has cleared is resolved by the system.

NEWS2 risk maps to alert severity as: low-medium → low, medium → medium, high → high (low raises
nothing).

Every change is audited and then announced on the bus channel ``alerts:<clinician account>`` of
each clinician in the patient's care team (and the escalation target), carrying ids, change,
status and severity only; the alert stream (SSE) loads the alert itself through the access
policy, so a clinician who lost access receives nothing.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.patients import PatientService
from careverse.identity.relationships import (
    RelationshipService,
    care_team,
    has_care_relationship,
    patients_of,
)
from careverse.identity.service import account_role
from careverse.kernel import audit, clock
from careverse.kernel.bus import Bus
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, decide, require_role
from careverse.monitoring.alert_models import ALERT_STATUSES, Alert
from careverse.monitoring.ingest import write_lock
from careverse.monitoring.rules import Finding
from careverse.monitoring.webhook import Webhook

log = structlog.get_logger(__name__)

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}
LIVE = ("open", "acknowledged")
ESCALATION_ACCESS = timedelta(hours=24)  # an on-call target's care relationship lasts this long


def channel(account_id: uuid.UUID | str) -> str:
    return f"alerts:{account_id}"


def _iso(at: datetime | None) -> str | None:
    return clock.as_utc(at).isoformat() if at else None


def alert_json(alert: Alert, patient_name: str) -> dict:
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
    }


@dataclass(frozen=True, slots=True)
class AlertChange:
    """One committed change, to announce."""

    alert_id: uuid.UUID
    patient_id: uuid.UUID
    change: str  # opened | updated | reopened | escalated | acknowledged | resolved
    severity: str
    status: str
    escalated_to: uuid.UUID | None = None

    @classmethod
    def of(cls, alert: Alert, change: str) -> AlertChange:
        return cls(
            alert.id, alert.patient_id, change, alert.severity, alert.status, alert.escalated_to
        )


def _system_audit(session: AsyncSession, action: str, alert: Alert, **detail) -> None:
    audit.record(
        session, action, actor_role="system", patient_id=alert.patient_id,
        resource_type="Alert", resource_id=alert.id, detail=detail or None,
    )  # fmt: skip


# ---- findings → alerts (the system's side) -----------------------------------------------------


async def apply_finding(
    session: AsyncSession, patient_id: uuid.UUID, finding: Finding, *, auto_resolve: bool
) -> AlertChange | None:
    """Open, update or (optionally) resolve the alert of one condition. The caller commits, and
    on an IntegrityError (another node opened it first) rolls back and calls again."""
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
        return AlertChange.of(alert, "resolved")
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
        return AlertChange.of(alert, "opened")
    change = "updated"
    if (
        alert.status == "acknowledged"
        and SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]
    ):
        alert.status, change = "open", "reopened"
        alert.escalate_from, alert.escalation_claimed_at = now, None
    alert.severity, alert.title, alert.why = finding.severity, finding.title, finding.why
    alert.count += 1
    alert.updated_at = now
    _system_audit(session, f"alert.{'reopen' if change == 'reopened' else 'update'}", alert,
                  severity=alert.severity, count=alert.count)  # fmt: skip
    await session.flush()
    return AlertChange.of(alert, change)


async def resolve_rule_alerts(
    session: AsyncSession, rule_id: uuid.UUID, actor: Actor
) -> list[AlertChange]:
    """Resolve the live alerts of a rule the actor is deleting (the caller commits)."""
    rows = await session.scalars(
        select(Alert).where(Alert.rule_id == rule_id, Alert.status.in_(LIVE))
    )
    changes = []
    for alert in rows.all():
        _resolve(alert, actor.account_id, clock.now())
        audit.record(
            session, "alert.resolve", actor=actor, patient_id=alert.patient_id,
            resource_type="Alert", resource_id=alert.id, detail={"reason": "rule_deleted"},
        )  # fmt: skip
        changes.append(AlertChange.of(alert, "resolved"))
    return changes


def _resolve(alert: Alert, by: uuid.UUID | None, now: datetime) -> None:
    alert.status, alert.open_key = "resolved", None
    alert.resolved_at, alert.resolved_by, alert.updated_at = now, by, now


# ---- announcing changes -------------------------------------------------------------------------


class Notifier:
    """Announces committed alert changes on the bus (and to the paging webhook, if set)."""

    def __init__(self, bus: Bus, webhook: Webhook | None = None):
        self.bus = bus
        self.webhook = webhook

    async def recipients(self, session: AsyncSession, change: AlertChange) -> list[uuid.UUID]:
        team = await care_team(session, change.patient_id)
        if change.escalated_to is not None:
            team.append(change.escalated_to)
        return list(dict.fromkeys(team))

    async def announce(self, session: AsyncSession, change: AlertChange) -> None:
        message = json.dumps(
            {
                "alert_id": str(change.alert_id),
                "patient_id": str(change.patient_id),
                "change": change.change,
                "severity": change.severity,
                "status": change.status,
            }
        ).encode()
        for account_id in await self.recipients(session, change):
            await self.bus.publish(channel(account_id), message)
        if self.webhook is not None and change.change in ("opened", "reopened", "escalated"):
            self.webhook.notify(change.alert_id, change.change, change.severity, change.status)


async def evaluate_patient(
    db: Database,
    notifier: Notifier,
    settings: Settings,
    patient_id: uuid.UUID,
    codes: frozenset[str] | None = None,
    marks: dict[str, int] | None = None,
) -> list[AlertChange]:
    """Run every check of one patient that ``codes`` could affect; apply and announce.

    ``marks``: the newest reading id already judged per code (see :func:`rules.findings_for`).
    """
    from careverse.monitoring.rules import findings_for

    changes: list[AlertChange] = []
    async with db.session() as session:
        findings = await findings_for(session, patient_id, settings, codes, marks)
        await session.rollback()
        for finding in findings:
            if not finding.firing and not settings.alert_auto_resolve:
                continue  # nothing to write
            for attempt in range(4):
                try:
                    # SQLite: queue behind ingest's writers in order, not in its busy handler.
                    async with write_lock(session):
                        change = await apply_finding(
                            session, patient_id, finding, auto_resolve=settings.alert_auto_resolve
                        )
                        await session.commit()
                except (IntegrityError, OperationalError):
                    # Another node opened this alert first (unique open_key), or SQLite refused
                    # to upgrade a stale read to a write: read again and re-apply.
                    await session.rollback()
                    if attempt == 3:
                        raise
                    await asyncio.sleep(0.02 * (attempt + 1))
                    continue
                if change is not None:
                    changes.append(change)
                break
        for change in changes:
            await notifier.announce(session, change)
        await session.rollback()
    return changes


# ---- escalation -------------------------------------------------------------------------------


async def _claim_due(session: AsyncSession, cutoff: datetime, now: datetime) -> list[uuid.UUID]:
    """Claim open alerts due for escalation, so that exactly one node escalates each."""
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
    if session.bind.dialect.name == "postgresql":
        ids = list((await session.scalars(due.with_for_update(skip_locked=True))).all())
        if ids:
            await session.execute(
                update(Alert).where(Alert.id.in_(ids)).values(escalation_claimed_at=now)
            )
        await session.commit()
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
        if result.rowcount == 1:
            claimed.append(alert_id)
    await session.commit()
    return claimed


async def escalation_target(
    session: AsyncSession, patient_id: uuid.UUID, settings: Settings
) -> uuid.UUID | None:
    """The patient's other care-team clinician (after the longest-standing one), else on-call."""
    team = [
        c for c in await care_team(session, patient_id)
        if await account_role(session, c) == Role.CLINICIAN.value
    ]  # fmt: skip
    if len(team) > 1:
        return team[1]
    if settings.alert_oncall_account_id:
        try:
            oncall = uuid.UUID(settings.alert_oncall_account_id)
        except ValueError:
            log.error("monitoring.oncall_invalid")
            return None
        if await account_role(session, oncall) == Role.CLINICIAN.value:
            return oncall
        log.error("monitoring.oncall_not_a_clinician")
    return None


async def escalate_due(db: Database, notifier: Notifier, settings: Settings) -> int:
    """Escalate every open alert nobody acknowledged in time; answers how many were escalated.

    An alert whose escalation fails half-way is released again, for the next run to retry.
    """
    now = clock.now()
    cutoff = now - timedelta(minutes=settings.alert_escalation_minutes)
    escalated = 0
    async with db.session() as session:
        for alert_id in await _claim_due(session, cutoff, now):
            try:
                escalated += await _escalate(session, notifier, settings, alert_id, now)
            except Exception as exc:
                await session.rollback()
                log.error("monitoring.escalation_failed", error=type(exc).__name__)
                await session.execute(
                    update(Alert).where(Alert.id == alert_id).values(escalation_claimed_at=None)
                )
                await session.commit()
        await session.rollback()
    return escalated


async def _escalate(
    session: AsyncSession, notifier: Notifier, settings: Settings, alert_id: uuid.UUID,
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
        await session.commit()
        log.warning("monitoring.escalation_no_target", alert_id=str(alert.id))
        return 0
    if not await has_care_relationship(session, target, alert.patient_id):
        # The on-call clinician needs to see the patient to act: a short relationship.
        await RelationshipService(session).create(
            target, alert.patient_id, "escalation", source_id=str(alert.id),
            ends_at=now + ESCALATION_ACCESS,
        )  # fmt: skip
        alert = await session.get(Alert, alert_id)
    alert.escalated_to, alert.escalated_at, alert.updated_at = target, now, now
    _system_audit(session, "alert.escalate", alert, to=str(target))
    await session.commit()
    await notifier.announce(session, AlertChange.of(alert, "escalated"))
    return 1


# ---- the clinician's side ---------------------------------------------------------------------


class AlertService:
    """Alerts as clinicians see and handle them; every read and change goes through the policy."""

    def __init__(self, session: AsyncSession, settings: Settings, notifier: Notifier | None = None):
        self.session = session
        self.settings = settings
        self.notifier = notifier

    async def _names(self, patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        patients = PatientService(self.session)
        names = {}
        for pid in set(patient_ids):
            patient = await patients.load(pid)
            names[pid] = patient.name if patient else ""
        return names

    async def readable_patients(self, actor: Actor, via: str) -> list[uuid.UUID]:
        """The patients whose vitals a clinician may read now; each is audited as read."""
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
        patient_ids = await self.readable_patients(actor, "alerts")
        if not patient_ids:
            await self.session.commit()
            return []
        query = select(Alert).where(Alert.patient_id.in_(patient_ids))
        query = query.where(Alert.status == status if status else Alert.status.in_(LIVE))
        rows = (await self.session.scalars(query.order_by(Alert.opened_at.desc()).limit(500))).all()
        names = await self._names(a.patient_id for a in rows)
        await self.session.commit()
        return [alert_json(a, names[a.patient_id]) for a in rows]

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

    async def get(self, actor: Actor, alert_id: uuid.UUID, *, commit: bool = True) -> dict:
        """One alert. ``commit=False`` leaves the read's audit event for the caller to commit
        (the live stream sends first, then commits, so an alert never waits on the audit lock)."""
        alert = await self._load(actor, alert_id, write=False)
        names = await self._names([alert.patient_id])
        if commit:
            await self.session.commit()
        return alert_json(alert, names[alert.patient_id])

    async def acknowledge(self, actor: Actor, alert_id: uuid.UUID) -> dict:
        """Take an alert on (stops its escalation); acknowledging twice changes nothing."""
        alert = await self._load(actor, alert_id, write=True)
        if alert.status == "resolved":
            raise Conflict("This alert is already resolved.", code="alert_resolved")
        changed = alert.status == "open"
        if changed:
            now = clock.now()
            alert.status, alert.acknowledged_at, alert.acknowledged_by = (
                "acknowledged", now, actor.account_id,
            )  # fmt: skip
            alert.updated_at = now
            audit.record(
                self.session, "alert.acknowledge", actor=actor, patient_id=alert.patient_id,
                resource_type="Alert", resource_id=alert.id,
            )  # fmt: skip
        return await self._finish(alert, "acknowledged" if changed else None)

    async def resolve(self, actor: Actor, alert_id: uuid.UUID) -> dict:
        alert = await self._load(actor, alert_id, write=True)
        if alert.status == "resolved":
            raise Conflict("This alert is already resolved.", code="alert_resolved")
        _resolve(alert, actor.account_id, clock.now())
        audit.record(
            self.session, "alert.resolve", actor=actor, patient_id=alert.patient_id,
            resource_type="Alert", resource_id=alert.id,
        )  # fmt: skip
        return await self._finish(alert, "resolved")

    async def _finish(self, alert: Alert, change: str | None) -> dict:
        names = await self._names([alert.patient_id])
        async with write_lock(self.session):  # SQLite: in line with ingest's writers
            await self.session.commit()
        if change and self.notifier is not None:
            await self.notifier.announce(self.session, AlertChange.of(alert, change))
            await self.session.commit()
        return alert_json(alert, names[alert.patient_id])


# ---- the live stream ------------------------------------------------------------------------


def sse(event: str, data: dict, event_id: str | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


async def alert_events(
    db: Database,
    bus: Bus,
    settings: Settings,
    actor: Actor,
    still_signed_in: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """Server-sent events of one clinician's alerts, as they change, with keep-alive pings.

    Each alert is read fresh through the access policy (and audited), so a clinician whose care
    relationship ended receives nothing more about that patient; at each ping the sign-in is
    checked again, so a revoked or expired session ends the stream.
    """
    require_role(actor, Role.CLINICIAN)
    async with bus.subscribe(channel(actor.account_id)) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                _, data = await asyncio.wait_for(
                    subscription.get(), timeout=settings.alert_stream_ping_seconds
                )
            except TimeoutError:
                if still_signed_in is not None and not await still_signed_in():
                    return
                yield ": ping\n\n"
                continue
            try:
                message = json.loads(data)
                alert_id = uuid.UUID(message["alert_id"])
            except (ValueError, KeyError, TypeError):
                continue
            async with db.session() as session:
                try:
                    alert = await AlertService(session, settings).get(actor, alert_id, commit=False)
                except DomainError:
                    continue
                try:
                    yield sse("alert", {**alert, "change": message.get("change")}, str(alert_id))
                finally:
                    await session.commit()  # the read's audit event, right after delivery
