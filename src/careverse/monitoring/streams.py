"""The live alert stream (server-sent events): each node feeds its own open streams.

Every alert change is published as :class:`AlertChanged` in the EVERYWHERE phase: after the
commit, the bus (Redis pub/sub when several nodes run) carries it to every node, and each node's
:class:`AlertStreams` hands it to the streams its recipients have open there. A stream then reads
the alert fresh through the access policy (audited), so a clinician whose care relationship ended
receives nothing. Delivery is at-most-once, like the bus's: the alert list is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import audit
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError
from careverse.kernel.policy import (
    Actor,
    Category,
    Grant,
    Role,
    decide,
    require_role,
)
from careverse.kernel.uow import audit_refusal, unit_of_work
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.alerts import alert_json
from careverse.monitoring.events import AlertChanged

log = structlog.get_logger(__name__)

QUEUE = 256  # alert changes waiting for one slow stream before it starts losing them


class AlertSubscription:
    """The alert changes addressed to one open stream, in arrival order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[AlertChanged] = asyncio.Queue(QUEUE)
        self.overflowed = 0

    def deliver(self, event: AlertChanged) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:  # a stuck stream loses changes rather than stalling the node
            self.overflowed += 1

    async def get(self) -> AlertChanged:
        return await self.queue.get()

    def take(self, most: int) -> list[AlertChanged]:
        """Up to ``most`` changes already waiting, without waiting for more."""
        taken: list[AlertChanged] = []
        while len(taken) < most:
            try:
                taken.append(self.queue.get_nowait())
            except asyncio.QueueEmpty:
                break
        return taken


class AlertStreams:
    """This node's open alert streams, by clinician account."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[AlertSubscription]] = defaultdict(set)

    @contextlib.asynccontextmanager
    async def subscribe(self, account_id: uuid.UUID) -> AsyncIterator[AlertSubscription]:
        """The changes addressed to ``account_id`` while the block runs."""
        subscription = AlertSubscription()
        self._open[account_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._open.get(account_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._open[account_id]

    @property
    def accounts(self) -> frozenset[uuid.UUID]:
        """The accounts with a stream open on this node."""
        return frozenset(self._open)

    async def on_alert_changed(self, event: AlertChanged) -> None:
        """EVERYWHERE handler: hand the change to its recipients' streams on this node."""
        for account_id in event.recipients:
            for subscription in tuple(self._open.get(account_id, ())):
                subscription.deliver(event)


def sse(event: str, data: dict, event_id: str | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


BATCH = 200  # alert changes read and audited in one query and one commit, at most


async def _readable_alerts(
    session: AsyncSession, settings: Settings, actor: Actor, changes: list[AlertChanged]
) -> str:
    """The server-sent events of a batch of changes, in order: the alerts read in one query,
    the access policy decided once per patient, each alert shown audited as its own read
    (``vitals.read`` of the Alert, as :meth:`AlertService.get` does), each refusal audited as
    :func:`careverse.kernel.policy.authorize` does. The caller's unit of work commits once."""
    ids = {change.alert_id for change in changes}
    rows = await session.scalars(select(Alert).where(Alert.id.in_(ids)))
    alerts = {alert.id: alert for alert in rows.all()}
    grants: dict[uuid.UUID, Grant | None] = {}
    for patient_id in dict.fromkeys(a.patient_id for a in alerts.values()):
        grants[patient_id], _ = await decide(session, actor, patient_id, Category.VITALS, False)
    names = await directory.patient_names(
        session, [p for p, grant in grants.items() if grant is not None]
    )
    chunks = []
    for change in changes:
        alert = alerts.get(change.alert_id)
        if alert is None:
            continue  # gone (erased): nothing to show
        grant = grants[alert.patient_id]
        if grant is None:  # not this clinician's to see (any more): nothing is sent

            def write_refusal(own, alert: Alert = alert) -> None:
                audit.record(
                    own, "vitals.read", actor=actor, outcome=audit.Outcome.DENIED,
                    patient_id=alert.patient_id, resource_type="Alert", resource_id=alert.id,
                )  # fmt: skip

            await audit_refusal(session, write_refusal)
            continue
        audit.record(
            session, "vitals.read", actor=actor, patient_id=alert.patient_id,
            purpose=grant.purpose.value, resource_type="Alert", resource_id=alert.id,
            detail={"basis": grant.basis.value},
        )  # fmt: skip
        data = {
            **alert_json(alert, names.get(alert.patient_id, ""), settings.alert_escalation_minutes),
            "change": change.change,
            "previous_severity": change.previous_severity,
        }
        chunks.append(sse("alert", data, str(alert.id)))
    return "".join(chunks)


async def alert_events(
    db: Database,
    streams: AlertStreams,
    settings: Settings,
    actor: Actor,
    still_signed_in: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """Server-sent events of one clinician's alerts, as they change, with keep-alive pings.

    The changes waiting for the stream are taken together (up to :data:`BATCH`): their alerts
    are read fresh through the access policy in one query and one unit of work, every alert
    sent audited as read, and the unit of work commits once, right after the batch was handed
    over, so an alert never waits on the audit lock and a burst of alerts costs one commit, not
    one per alert. At each ping the sign-in is checked again, so a revoked or expired session
    ends the stream.
    """
    require_role(actor, Role.CLINICIAN)
    async with streams.subscribe(actor.account_id) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                first = await asyncio.wait_for(
                    subscription.get(), timeout=settings.alert_stream_ping_seconds
                )
            except TimeoutError:
                if still_signed_in is not None and not await still_signed_in():
                    return
                yield ": ping\n\n"
                continue
            changes = [first, *subscription.take(BATCH - 1)]
            closing = False
            try:
                async with db.session() as session, unit_of_work(session):
                    events = await _readable_alerts(session, settings, actor, changes)
                    if events:
                        try:
                            yield events
                        except GeneratorExit:
                            closing = True  # the batch was handed over: its reads stay audited
            except DomainError:
                continue  # the policy refused the whole batch (e.g. a limited sign-in)
            if closing:
                return
