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

from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError
from careverse.kernel.policy import Actor, Role, require_role
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alerts import AlertService
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


async def alert_events(
    db: Database,
    streams: AlertStreams,
    settings: Settings,
    actor: Actor,
    still_signed_in: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """Server-sent events of one clinician's alerts, as they change, with keep-alive pings.

    Each alert is read fresh through the access policy (and audited: the read's unit of work
    commits right after delivery, so an alert never waits on the audit lock); at each ping the
    sign-in is checked again, so a revoked or expired session ends the stream.
    """
    require_role(actor, Role.CLINICIAN)
    async with streams.subscribe(actor.account_id) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                change = await asyncio.wait_for(
                    subscription.get(), timeout=settings.alert_stream_ping_seconds
                )
            except TimeoutError:
                if still_signed_in is not None and not await still_signed_in():
                    return
                yield ": ping\n\n"
                continue
            closing = False
            try:
                async with db.session() as session, unit_of_work(session):
                    alert = await AlertService(session, settings).get(actor, change.alert_id)
                    try:
                        data = {
                            **alert,
                            "change": change.change,
                            "previous_severity": change.previous_severity,
                        }
                        yield sse("alert", data, str(alert["id"]))
                    except GeneratorExit:
                        closing = True  # the alert was handed over: its read is still audited
            except DomainError:
                continue  # not this clinician's to see (any more): nothing is sent
            if closing:
                return
