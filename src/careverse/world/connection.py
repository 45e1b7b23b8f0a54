"""One connection to the hub: its bounded outbox and writer task, its rate limit, the limits
every instance runs with, and the origin check of cookie-authenticated sockets.

A client's messages go through its own outbox and writer, so a slow reader never stalls the tick:
when its outbox fills, it is closed as too slow (close codes: protocol.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec

from careverse.world import protocol as proto

MAX_MESSAGE_BYTES = 32 * 1024
OUTBOX = 256


@dataclass
class Limits:
    """What one node allows: tick rate, area of interest, flood and grace limits, sizes."""

    tick_hz: float = 10.0
    aoi_radius: float = 25.0
    rate_per_s: float = 30.0  # messages per second per client, with a burst of twice that
    abuse_threshold: int = 100  # dropped messages (flood, malformed) before disconnecting
    grace_seconds: float = 20.0  # a dropped client keeps its place this long
    max_objects: int = 200  # persistent objects per space
    max_spectators: int = 1000  # per instance


def same_origin(origin: str | None, host: str | None) -> bool:
    """Whether a browser's ``Origin`` header names this server (its ``Host``): a socket that
    signs in with the session cookie must come from our own pages, or any site the person
    visits could open one in their name (cross-site WebSocket hijacking)."""
    return origin is not None and host is not None and urlsplit(origin).netloc == host


class Client:
    """One connection's outbox, writer task, rate bucket and view of the space."""

    def __init__(
        self,
        avatar_id: str,
        send: Callable[[bytes], Awaitable[None]],
        close: Callable[[int, str], Coroutine[Any, Any, None]],
        limits: Limits,
    ):
        self.avatar_id = avatar_id
        self._send = send
        self._close = close
        self.limits = limits
        self.outbox: asyncio.Queue[bytes | None] = asyncio.Queue(OUTBOX)
        self.known: set[str] = set()
        self.blocked: set[str] = set()
        self.tokens = limits.rate_per_s * 2
        self.refilled = time.monotonic()
        self.dropped = 0
        self.closed = False
        self.slot = 0  # spreads the area-of-interest queries of an instance's clients over ticks
        self.stale = True  # its area of interest must be asked again at the next tick
        self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while (data := await self.outbox.get()) is not None:
                await self._send(data)
        except Exception:
            self.closed = True

    def push(self, message: msgspec.Struct) -> None:
        """Queue one message for this client."""
        self.push_raw(proto.encode(message))

    def push_raw(self, data: bytes) -> None:
        """Queue an encoded frame; a full outbox closes the client as too slow."""
        if self.closed:
            return
        try:
            self.outbox.put_nowait(data)
        except asyncio.QueueFull:
            self.close_soon(proto.CLOSE_TOO_SLOW, "You are not keeping up; reconnect.")

    def allow(self) -> bool:
        """Token bucket: refill by elapsed time, spend one per message."""
        now = time.monotonic()
        rate = self.limits.rate_per_s
        self.tokens = min(rate * 2, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def strike(self) -> bool:
        """Count a dropped message; True when the client has crossed the abuse threshold."""
        self.dropped += 1
        return self.dropped >= self.limits.abuse_threshold

    def close_soon(self, code: int, reason: str) -> None:
        """Stop sending and close the socket with ``code`` once what is queued has gone out."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.outbox.put_nowait(None)
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def shutdown(self) -> None:
        """Stop the writer at once (the connection has ended)."""
        self.closed = True
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.writer
