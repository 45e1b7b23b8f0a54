"""Free slots, computed (never stored): weekly hours and overrides in the clinician's time zone,
minus the 5-minute blocks already held by appointments. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

BLOCK = timedelta(minutes=5)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class VisitType:
    key: str
    title: str
    minutes: int


VISIT_TYPES = {
    v.key: v
    for v in (
        VisitType("new", "New patient visit", 30),
        VisitType("follow-up", "Follow-up visit", 15),
        VisitType("group", "Group session", 60),
    )
}


@dataclass(frozen=True)
class Hours:
    """A local window on a weekday (0 = Monday) or on a date."""

    start: time
    end: time


@dataclass(frozen=True)
class Override:
    day: date
    kind: str  # extra|off
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime  # UTC, without the buffer


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or ValueError."""
    if not name or name not in _zone_names():
        raise ValueError("unknown time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone") from exc


_ZONES: frozenset[str] | None = None


def _zone_names() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES


def parse_hhmm(value: str) -> time:
    """'HH:MM' (24:00 allowed for the end of the day), on a 5-minute grid."""
    hours, _, minutes = value.partition(":")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max
    t = time(h, m)
    if m % 5:
        raise ValueError("times must be on a 5-minute grid")
    return t


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local wall time on a date, as UTC. Times skipped by a DST change move forward by the gap
    (zoneinfo's fold=0); repeated times take their first occurrence."""
    if at == time.max:
        return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return datetime.combine(day, at, tz).astimezone(UTC)


def _subtract(windows: list[tuple[datetime, datetime]], cut: tuple[datetime, datetime]):
    out = []
    for start, end in windows:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


def windows(
    weekly: dict[int, list[Hours]],
    overrides: Iterable[Override],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """The UTC windows of availability between ``start`` and ``end``."""
    by_day: dict[date, list[Override]] = {}
    for o in overrides:
        by_day.setdefault(o.day, []).append(o)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        todays = [(h.start, h.end) for h in weekly.get(day.weekday(), [])]
        todays += [(o.start, o.end) for o in by_day.get(day, []) if o.kind == "extra"]
        spans = [(local_to_utc(day, a, tz), local_to_utc(day, b, tz)) for a, b in todays if a and b]
        spans = [(a, b) for a, b in spans if a < b]
        for o in by_day.get(day, []):
            if o.kind != "off":
                continue
            cut = (
                (local_to_utc(day, o.start, tz), local_to_utc(day, o.end, tz))
                if o.start and o.end
                else (local_to_utc(day, time(0), tz), local_to_utc(day, time.max, tz))
            )
            spans = _subtract(spans, cut)
        out.extend(spans)
        day += timedelta(days=1)
    # Whole windows (not clipped), so that slots keep the window's own grid.
    return [(a, b) for a, b in sorted(out) if a < end and b > start]


def align_up(value: datetime, step: timedelta) -> datetime:
    """The first instant at or after ``value`` on a ``step`` grid counted from a fixed epoch."""
    offset = (value - _EPOCH) % step
    return value if not offset else value + (step - offset)


def blocks(start: datetime, minutes: int, buffer_minutes: int) -> list[datetime]:
    """The 5-minute blocks an appointment holds: its time and the buffer after it."""
    first = start - (start - _EPOCH) % BLOCK
    stop = start + timedelta(minutes=minutes + buffer_minutes)
    out, at = [], first
    while at < stop:
        out.append(at)
        at += BLOCK
    return out


def free_slots(
    spans: list[tuple[datetime, datetime]],
    taken: set[datetime],
    minutes: int,
    buffer_minutes: int,
    step_minutes: int,
    not_before: datetime,
    before: datetime | None = None,
) -> list[Slot]:
    """Candidate starts every ``step`` minutes from each window's start, at or after
    ``not_before`` and before ``before``, whose visit fits in the window and whose blocks (buffer
    included) are all free."""
    step = timedelta(minutes=step_minutes)
    length = timedelta(minutes=minutes)
    out: list[Slot] = []
    seen: set[datetime] = set()
    for win_start, win_end in spans:
        # Candidates start on the window's own grid (so 09:00, 09:15 … in local time).
        at = win_start
        if at < not_before:
            at = win_start + step * -(-(not_before - win_start) // step)
        at = align_up(at, BLOCK)
        while at + length <= win_end and (before is None or at < before):
            if at not in seen and not any(b in taken for b in blocks(at, minutes, buffer_minutes)):
                out.append(Slot(at, at + length))
                seen.add(at)
            at += step
    return sorted(out, key=lambda s: s.start)


def render(value: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """An instant in the viewer's zone: (ISO with offset, a short readable label)."""
    local = value.astimezone(tz)
    label = f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    return local.isoformat(), label
