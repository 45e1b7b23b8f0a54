"""Recurrence in the facilitator's zone across clock changes, and the .ics text."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from careverse.groups import ics
from careverse.groups.recurrence import Recurrence, local, valid_time, valid_zone

LONDON_WEEKLY = Recurrence("Europe/London", date(2026, 3, 19), "18:30", 1, 60)


def test_local_time_holds_across_the_spring_change_and_utc_moves():
    # BST starts on Sunday 29 March 2026.
    assert LONDON_WEEKLY.occurrence(0) == datetime(2026, 3, 19, 18, 30, tzinfo=UTC)
    assert LONDON_WEEKLY.occurrence(1) == datetime(2026, 3, 26, 18, 30, tzinfo=UTC)
    assert LONDON_WEEKLY.occurrence(2) == datetime(2026, 4, 2, 17, 30, tzinfo=UTC)
    shown = local(LONDON_WEEKLY.occurrence(2), "America/New_York")
    assert (shown.hour, shown.minute) == (13, 30)  # New York had changed on 8 March


def test_fortnightly_across_the_autumn_change():
    fortnightly = Recurrence("Europe/Berlin", date(2026, 10, 15), "10:00", 2, 90)
    # CEST ends on Sunday 25 October 2026.
    assert fortnightly.occurrence(0) == datetime(2026, 10, 15, 8, 0, tzinfo=UTC)
    assert fortnightly.occurrence(1) == datetime(2026, 10, 29, 9, 0, tzinfo=UTC)


def test_upcoming_counts_a_running_session_and_skips_ended_ones():
    during = datetime(2026, 3, 26, 19, 0, tzinfo=UTC)  # half-way through the second one
    assert LONDON_WEEKLY.upcoming(during, 2) == [
        datetime(2026, 3, 26, 18, 30, tzinfo=UTC), datetime(2026, 4, 2, 17, 30, tzinfo=UTC),
    ]  # fmt: skip
    after = datetime(2026, 3, 26, 19, 31, tzinfo=UTC)
    assert LONDON_WEEKLY.upcoming(after)[0] == datetime(2026, 4, 2, 17, 30, tzinfo=UTC)
    before = datetime(2020, 1, 1, tzinfo=UTC)
    assert LONDON_WEEKLY.upcoming(before)[0] == LONDON_WEEKLY.occurrence(0)


def test_a_time_in_the_spring_gap_moves_past_the_gap():
    gap = Recurrence("Europe/London", date(2026, 3, 29), "01:30", 1, 60)
    assert gap.occurrence(0) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST


def test_validation_of_zone_and_time():
    assert valid_zone("Europe/London") and not valid_zone("Mars/Olympus") and not valid_zone("")
    assert valid_time("09:05") and not valid_time("9:05") and not valid_time("24:00")


def test_ics_is_crlf_escaped_folded_and_neutral():
    start = datetime(2026, 4, 2, 17, 30, tzinfo=UTC)
    text = ics.calendar([(uuid.UUID(int=1), start, start)], "https://example.org/groups/x", start)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:20260402T173000Z\r\n" in text and text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Careverse group session\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = ics.fold("DESCRIPTION:" + "é" * 80)
    assert all(len(part.encode()) <= 75 for part in long.split("\r\n"))
    assert long.replace("\r\n ", "") == "DESCRIPTION:" + "é" * 80
