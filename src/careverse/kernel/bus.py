"""The event bus: in-process by default, Redis pub/sub when several nodes serve the same spaces.

The world's realtime relay publishes bytes on named channels (``world:<space>``…), and the domain
events of the ``EVERYWHERE`` phase travel on ``events:<EventName>`` (kernel/events.py); both
subscribe with :meth:`Bus.subscribe`, an async context manager yielding a :class:`Subscription`
to iterate. Delivery is at-most-once and best effort, as with Redis pub/sub: anything that must
not be lost is written to the database first and the bus only says "look again".

The Redis bus holds one pub/sub connection per node and fans messages out to local subscribers,
so a thousand subscriptions cost one Redis connection, not a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

QUEUE = 1024


class Subscription:
    """Messages of the subscribed channels, in arrival order, as ``(channel, data)``."""

    def __init__(self, channels: tuple[str, ...]):
        self.channels = channels
        self.queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(QUEUE)
        self.overflowed = 0

    def deliver(self, channel: str, data: bytes) -> None:
        try:
            self.queue.put_nowait((channel, data))
        except asyncio.QueueFull:
            # A stuck subscriber loses messages rather than stalling everyone else.
            self.overflowed += 1

    async def get(self) -> tuple[str, bytes]:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[tuple[str, bytes]]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[tuple[str, bytes]]:
        while True:
            yield await self.queue.get()


class Bus:
    """In-process bus: one node, no network. Also the local fan-out under :class:`RedisBus`."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    @property
    def shared(self) -> bool:
        """True when other nodes see what this one publishes."""
        return False

    async def publish(self, channel: str, data: bytes) -> None:
        self._fan_out(channel, data)

    def _fan_out(self, channel: str, data: bytes) -> None:
        for sub in tuple(self._subs.get(channel, ())):
            sub.deliver(channel, data)

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        sub = Subscription(channels)
        added: list[str] = []
        try:
            for channel in channels:
                first = not self._subs.get(channel)
                self._subs[channel].add(sub)
                added.append(channel)
                if first:
                    await self._listen(channel)
            yield sub
        finally:
            # Also when listening failed (Redis away): a later subscribe must listen afresh.
            for channel in added:
                subs = self._subs.get(channel)
                if subs is None:
                    continue
                subs.discard(sub)
                if not subs:
                    del self._subs[channel]
                    await self._unlisten(channel)

    async def _listen(self, channel: str) -> None:
        """Hook: start receiving ``channel`` from elsewhere (nothing to do in-process)."""

    async def _unlisten(self, channel: str) -> None:
        """Hook: stop receiving ``channel`` from elsewhere."""

    async def close(self) -> None:
        self._subs.clear()


class RedisBus(Bus):
    """Redis pub/sub shared by every node; one connection per node, fanned out locally."""

    def __init__(self, redis: Redis):
        super().__init__()
        self.redis = redis
        self.pubsub = redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    @property
    def shared(self) -> bool:
        return True

    async def publish(self, channel: str, data: bytes) -> None:
        # Local subscribers hear it back through Redis like everyone else, in one order.
        await self.redis.publish(channel, data)

    async def _listen(self, channel: str) -> None:
        async with self._lock:
            await self.pubsub.subscribe(channel)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read())

    async def _unlisten(self, channel: str) -> None:
        async with self._lock:
            with contextlib.suppress(Exception):
                await self.pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped connection: redis-py reconnects on next call
                log.warning("bus.redis_error", error=type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            if message is None:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.05)
                continue
            if message.get("type") != "message":
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            self._fan_out(channel, message["data"])

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
        await super().close()


def create(redis: Redis | None) -> Bus:
    """The bus for this node: Redis when configured, in-process otherwise."""
    return RedisBus(redis) if redis is not None else Bus()
