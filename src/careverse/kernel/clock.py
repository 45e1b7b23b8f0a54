"""One clock for the whole platform: timezone-aware UTC, replaceable in tests.

Background loops pace themselves with :func:`sleep`, not ``asyncio.sleep``, so that a test can
replace both the time and the waiting (:func:`set_sleep`) and watch every loop of a live node do
its work when it moves the clock by hand (tests/integration/test_scheduler.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731
_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the wall clock."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from SQLite are UTC; make them aware."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def sleep(seconds: float) -> None:
    """Wait ``seconds`` of the platform's time (background loops between two rounds)."""
    await _sleep(seconds)


def set_sleep(fn: Callable[[float], Awaitable[None]] | None) -> None:
    """Replace how background loops wait (tests); ``None`` restores ``asyncio.sleep``."""
    global _sleep
    _sleep = fn or asyncio.sleep
