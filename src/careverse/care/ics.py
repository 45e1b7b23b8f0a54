"""iCalendar (RFC 5545) files for appointments, written by hand: one VEVENT, escaped and folded.

Hand-written rather than a dependency: one event with a few properties needs only text escaping
(§3.3.11) and line folding at 75 octets (§3.1). The reason for the visit is never included:
calendar files travel to third-party calendar services.
"""

from __future__ import annotations

from datetime import datetime

from careverse import __version__

CRLF = "\r\n"


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75  # continuation lines start with one space
        current += char
        size += width
    out.append(current)
    return CRLF.join(out)


def stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def appointment_calendar(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    now: datetime,
    summary: str,
    description: str,
    url: str,
    sequence: int,
    cancelled: bool,
) -> str:
    """A VCALENDAR with one event (times in UTC)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Careverse//Careverse {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(end)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return CRLF.join(fold(line) for line in lines) + CRLF
