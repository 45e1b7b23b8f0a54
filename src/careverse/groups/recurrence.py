"""When a group meets: a local date and wall-clock time in the facilitator's time zone, every one
or two weeks, converted to UTC occurrence by occurrence (zoneinfo), so a session at 18:30 in
London stays at 18:30 local across the clock change and moves by an hour in UTC.

A wall-clock time that does not exist on the day (inside a spring-forward gap) is taken with
``fold=0``, which zoneinfo resolves to the time after the gap; an ambiguous one (the autumn hour
that happens twice) is the first of the two. Pure functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Recurrence:
    timezone: str
    first_date: date
    start_time: str  # "HH:MM"
    every_weeks: int
    duration_minutes: int

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wall_clock(self) -> time:
        hours, minutes = self.start_time.split(":")
        return time(int(hours), int(minutes))

    def occurrence(self, k: int) -> datetime:
        """The ``k``-th session's start (0 is the first), in UTC."""
        day = self.first_date + timedelta(weeks=k * self.every_weeks)
        local = datetime.combine(day, self.wall_clock(), tzinfo=self.zone())
        # Round-tripping through UTC moves a time inside a spring-forward gap past the gap.
        return local.astimezone(UTC)

    def upcoming(self, after: datetime, count: int = 1) -> list[datetime]:
        """The next ``count`` session starts whose end is after ``after`` (a running session
        counts, so one can still join it)."""
        period = timedelta(weeks=self.every_weeks)
        first = self.occurrence(0)
        k = 0
        if after > first:
            k = max(0, int((after - first) / period) - 1)
        out: list[datetime] = []
        length = timedelta(minutes=self.duration_minutes)
        while len(out) < count:
            start = self.occurrence(k)
            if start + length > after:
                out.append(start)
            k += 1
        return out


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def valid_time(value: str) -> bool:
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        return False
    return 0 <= int(parts[0]) <= 23 and 0 <= int(parts[1]) <= 59


def local(at: datetime, zone: str) -> datetime:
    """``at`` in the zone ``zone`` (a member's), for showing."""
    return at.astimezone(ZoneInfo(zone))
