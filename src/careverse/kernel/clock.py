"""One clock for the whole platform: timezone-aware UTC, replaceable in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


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
