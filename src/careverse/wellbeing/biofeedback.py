"""Live biofeedback: a patient's beats, as the monitoring ingest stores them, to their open
breathing page (server-sent events), with RMSSD over the last seconds.

Monitoring publishes :class:`~careverse.kernel.heartbeats.HeartBeatsRecorded` (a kernel event:
wellbeing never imports monitoring) for every batch that stored RR intervals or heart rates. It
arrives on every node in the EVERYWHERE phase; :class:`BeatStreams` hands it to the breathing
streams that patient has open on this node. Each stream keeps its own
:class:`~careverse.wellbeing.hrv.RmssdWindow`, so the RMSSD it sends is computed the moment the
beat arrives (well within the one second the issue asks for): no database read on the way.

Only the patient's own stream hears their beats: the stream is opened by the signed-in patient
and checked (policy, audited) when it opens; at each ping the sign-in is checked again, so a
revoked or expired session ends it. Values go to the patient only and are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from careverse.kernel.heartbeats import HeartBeatsRecorded
from careverse.wellbeing.hrv import WINDOW_SECONDS, RmssdWindow

QUEUE = 512  # beat batches waiting for one slow stream before it starts losing them


class BeatSubscription:
    """The beats of one patient for one open stream, with that stream's RMSSD window."""

    def __init__(self, window_seconds: float = WINDOW_SECONDS) -> None:
        self.queue: asyncio.Queue[HeartBeatsRecorded] = asyncio.Queue(QUEUE)
        self.window = RmssdWindow(window_seconds)
        self.heart_rate: float | None = None  # the newest heart-rate reading, if any
        self.overflowed = 0

    def deliver(self, event: HeartBeatsRecorded) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:  # a stuck stream loses beats rather than stalling the node
            self.overflowed += 1

    def update(self, event: HeartBeatsRecorded) -> dict:
        """Take the event's beats into the window; answer what the page is sent."""
        for at, rr in zip(event.rr_at, event.rr_ms, strict=False):
            self.window.add(at, rr)
        if event.heart_rate:
            self.heart_rate = event.heart_rate[-1]
        rmssd = self.window.rmssd()
        heart_rate = self.window.heart_rate()
        if heart_rate is None:
            heart_rate = self.heart_rate
        newest = max((*event.rr_at, *event.heart_rate_at), default=None)
        return {
            # Unrounded: the page rounds once for display (rounding twice can shift a digit).
            "rmssd": rmssd,
            "heart_rate": heart_rate,
            "beats": len(self.window.beats),
            "window_seconds": self.window.seconds,
            "rr_ms": list(event.rr_ms),
            "rr_at": list(event.rr_at),
            "at": datetime.fromtimestamp(newest, UTC).isoformat() if newest else None,
            "received_at": event.received_at,
        }


class BeatStreams:
    """This node's open breathing streams, by patient."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[BeatSubscription]] = defaultdict(set)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, patient_id: uuid.UUID, window_seconds: float = WINDOW_SECONDS
    ) -> AsyncIterator[BeatSubscription]:
        subscription = BeatSubscription(window_seconds)
        self._open[patient_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._open.get(patient_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._open[patient_id]

    @property
    def patients(self) -> frozenset[uuid.UUID]:
        return frozenset(self._open)

    async def on_heart_beats(self, event: HeartBeatsRecorded) -> None:
        """EVERYWHERE handler: hand the beats to the patient's streams on this node."""
        for subscription in tuple(self._open.get(event.patient_id, ())):
            subscription.deliver(event)


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def beat_events(
    streams: BeatStreams,
    patient_id: uuid.UUID,
    ping_seconds: float,
    still_signed_in: Callable[[], Awaitable[bool]] | None = None,
    window_seconds: float = WINDOW_SECONDS,
) -> AsyncIterator[str]:
    """Server-sent events of one patient's beats: ``event: hrv`` with the live RMSSD (ms), heart
    rate, the window's beat count and the new RR intervals; ``: ping`` while nothing comes."""
    async with streams.subscribe(patient_id, window_seconds) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout=ping_seconds)
            except TimeoutError:
                if still_signed_in is not None and not await still_signed_in():
                    return
                yield ": ping\n\n"
                continue
            yield sse("hrv", subscription.update(event))
