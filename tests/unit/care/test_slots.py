"""Slot arithmetic: weekly hours in the clinician's zone, overrides, buffers, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from careverse.care import slots
from careverse.care.slots import Hours, Override

WEEKDAYS_9_TO_5 = {d: [Hours(time(9), time(17))] for d in range(5)}
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def free(weekly, overrides, zone, start, end, minutes=30, buffer=5, taken=()):
    tz = slots.zone(zone)
    spans = slots.windows(weekly, overrides, tz, start, end)
    return slots.free_slots(spans, set(taken), minutes, buffer, 15, LONG_AGO)


LONDON, NEW_YORK = "Europe/London", "America/New_York"
DST_CASES = [
    # London moves to BST on Sunday 29 March 2026: 09:00 local is 09:00Z, then 08:00Z.
    (LONDON, date(2026, 3, 27), date(2026, 3, 30), utc(2026, 3, 27, 9), utc(2026, 3, 30, 8)),
    # New York moves to EDT on Sunday 8 March 2026: 09:00 local is 14:00Z, then 13:00Z.
    (NEW_YORK, date(2026, 3, 6), date(2026, 3, 9), utc(2026, 3, 6, 14), utc(2026, 3, 9, 13)),
    # And back: London on 25 October, New York on 1 November 2026.
    (LONDON, date(2026, 10, 23), date(2026, 10, 26), utc(2026, 10, 23, 8), utc(2026, 10, 26, 9)),
    (NEW_YORK, date(2026, 10, 30), date(2026, 11, 2), utc(2026, 10, 30, 13), utc(2026, 11, 2, 14)),
]


@pytest.mark.parametrize(("zone", "before", "after", "first_before", "first_after"), DST_CASES)
def test_local_hours_keep_their_wall_clock_across_a_dst_change(
    zone, before, after, first_before, first_after
):
    for day, first in ((before, first_before), (after, first_after)):
        start = datetime.combine(day, time(0), UTC) - timedelta(hours=12)
        found = free(WEEKDAYS_9_TO_5, [], zone, start, start + timedelta(days=1, hours=12))
        found = [s for s in found if s.start.astimezone(slots.zone(zone)).date() == day]
        assert found[0].start == first
        # 09:00-17:00 holds 31 half-hour visits starting every 15 minutes (the last at 16:30).
        assert len(found) == 31
        assert found[-1].end == first + timedelta(hours=8)


def test_a_window_across_the_spring_forward_gap_is_an_hour_shorter():
    night = date(2026, 3, 29)  # a Sunday: 01:00 GMT jumps to 02:00 BST
    extra = [Override(night, "extra", time(0), time(3))]
    found = free({}, extra, "Europe/London", utc(2026, 3, 28), utc(2026, 3, 30))
    assert found[0].start == utc(2026, 3, 29, 0)
    assert found[-1].end == utc(2026, 3, 29, 2)  # 03:00 BST: two real hours in all
    assert len(found) == 7


def test_a_window_across_the_fall_back_repeat_is_an_hour_longer():
    night = date(2026, 10, 25)  # 02:00 BST falls back to 01:00 GMT
    extra = [Override(night, "extra", time(0), time(3))]
    found = free({}, extra, "Europe/London", utc(2026, 10, 24), utc(2026, 10, 26))
    assert found[0].start == utc(2026, 10, 24, 23)  # 00:00 BST
    assert found[-1].end == utc(2026, 10, 25, 3)  # 03:00 GMT: four real hours
    assert len(found) == 15


def test_days_off_and_partial_time_off_remove_hours():
    monday = date(2026, 3, 23)
    offs = [
        Override(monday, "off"),
        Override(monday + timedelta(days=1), "off", time(12), time(17)),
    ]
    found = free(WEEKDAYS_9_TO_5, offs, "UTC", utc(2026, 3, 23), utc(2026, 3, 25))
    assert not [s for s in found if s.start.date() == monday]
    tuesday = [s for s in found if s.start.date() == monday + timedelta(days=1)]
    assert tuesday[-1].end == utc(2026, 3, 24, 12)


def test_taken_blocks_and_the_buffer_keep_visits_apart():
    taken = slots.blocks(utc(2026, 3, 23, 10), 30, 5)  # 10:00-10:30 and the buffer to 10:35
    assert taken[0] == utc(2026, 3, 23, 10) and taken[-1] == utc(2026, 3, 23, 10, 30)
    found = free(
        WEEKDAYS_9_TO_5, [], "UTC", utc(2026, 3, 23), utc(2026, 3, 24), minutes=15, taken=taken
    )
    starts = {s.start for s in found}
    # A follow-up at 09:45 would run into 10:00 with its buffer; 10:30 would sit in the buffer.
    assert utc(2026, 3, 23, 9, 30) in starts
    assert utc(2026, 3, 23, 9, 45) not in starts
    assert {utc(2026, 3, 23, 10, m) for m in (0, 15, 30)}.isdisjoint(starts)
    assert utc(2026, 3, 23, 10, 45) in starts


def test_rendering_in_the_viewers_zone():
    local, label = slots.render(utc(2026, 3, 23, 9), slots.zone("America/New_York"))
    assert local == "2026-03-23T05:00:00-04:00"  # New York is already on EDT, London not yet
    assert label == "Mon 23 Mar 2026, 05:00 EDT"


def test_unknown_zones_and_off_grid_times_are_refused():
    with pytest.raises(ValueError):
        slots.zone("Mars/Olympus")
    with pytest.raises(ValueError):
        slots.parse_hhmm("09:07")
