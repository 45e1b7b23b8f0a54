"""What exposure therapy publishes, its live streams, and its part of an erasure.

:class:`ExposureSessionChanged` is published by every change of a session (started, a SUDS
rating, intensity, pause, resume, stop, the SSQ). It is handled in the EVERYWHERE phase: after
the commit the bus (Redis pub/sub when several nodes run) carries it to every node, and each
node hands it to the exposure streams open there for that patient (the patient's page and their
therapist's). The event and the stream carry ids and the kind of change only, never a rating:
the page then reads the session over HTTP. Delivery is at-most-once; the database is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue
from careverse.wellbeing.exposure_models import ExposureHierarchy, ExposureSession

QUEUE = 64


class ExposureSessionChanged(DomainEvent, frozen=True):
    """Something changed in a patient's exposure session (``kind``: started, suds, intensity,
    paused, resumed, stopped, ssq)."""

    patient_id: uuid.UUID
    session_id: uuid.UUID
    kind: str


class ExposureSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[ExposureSessionChanged] = asyncio.Queue(QUEUE)

    def deliver(self, event: ExposureSessionChanged) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stuck page loses changes, not the node
            self.queue.put_nowait(event)


class ExposureStreams:
    """This node's open exposure streams, by patient."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[ExposureSubscription]] = defaultdict(set)

    @contextlib.asynccontextmanager
    async def subscribe(self, patient_id: uuid.UUID) -> AsyncIterator[ExposureSubscription]:
        subscription = ExposureSubscription()
        self._open[patient_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._open.get(patient_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._open[patient_id]

    async def on_change(self, event: ExposureSessionChanged) -> None:
        """EVERYWHERE handler: hand the change to the patient's streams on this node."""
        for subscription in tuple(self._open.get(event.patient_id, ())):
            subscription.deliver(event)


async def exposure_events(
    streams: ExposureStreams,
    patient_id: uuid.UUID,
    ping_seconds: float,
    still_allowed: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncGenerator[str, None]:
    """``event: exposure`` with the session id and kind per change; ``: ping`` when idle."""
    async with streams.subscribe(patient_id) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout=ping_seconds)
            except TimeoutError:
                if still_allowed is not None and not await still_allowed():
                    return
                yield ": ping\n\n"
                continue
            data = {"session_id": str(event.session_id), "kind": event.kind}
            yield "event: exposure\ndata: " + json.dumps(data, separators=(",", ":")) + "\n\n"


async def erase_exposure_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Exposure's part of an erasure (TRANSACTION phase): every hierarchy and session."""
    if event.patient_id is None:
        return
    await session.execute(
        delete(ExposureSession).where(ExposureSession.patient_id == event.patient_id)
    )
    await session.execute(
        delete(ExposureHierarchy).where(ExposureHierarchy.patient_id == event.patient_id)
    )
