"""The hand-written iCalendar file: escaping, folding at 75 octets, CRLF line ends."""

from __future__ import annotations

from datetime import UTC, datetime

from careverse.care import ics


def test_text_is_escaped():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "ñ" * 100
    folded = ics.fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line


def test_a_calendar_has_one_event_in_utc():
    text = ics.appointment_calendar(
        uid="abc@careverse", start=datetime(2026, 3, 23, 9, tzinfo=UTC),
        end=datetime(2026, 3, 23, 9, 30, tzinfo=UTC), now=datetime(2026, 3, 1, tzinfo=UTC),
        summary="Video appointment with Dr. Rivera, GP", description="x" * 200,
        url="https://clinic.example.org/care/appointments/abc", sequence=2, cancelled=False,
    )  # fmt: skip
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20260323T090000Z\r\n" in text
    assert "SUMMARY:Video appointment with Dr. Rivera\\, GP\r\n" in text
    assert "SEQUENCE:2\r\n" in text and "STATUS:CONFIRMED" in text
    assert text.count("BEGIN:VEVENT") == 1
