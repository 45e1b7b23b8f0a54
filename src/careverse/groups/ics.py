"""An iCalendar (RFC 5545) file of a group's next sessions, written by hand (the ``icalendar``
library is not among our dependencies; the subset needed is small).

Each session is a VEVENT in UTC (``DTSTART:…Z``): no VTIMEZONE is needed and every calendar
shows it in its own zone, across clock changes. The summary is neutral ("Careverse group
session"): a calendar is often synced to a third party, and a group's name can reveal a
condition. Lines end in CRLF, text is escaped (backslash, semicolon, comma, newline) and folded
at 75 octets (§3.1), never inside a UTF-8 sequence.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

SUMMARY = "Careverse group session"
PRODID = "-//Careverse//Support groups//EN"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets: CRLF and a space before each continuation."""
    out: list[str] = []
    current = b""
    limit = 75
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
            limit = 74  # the leading space counts
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    sessions: list[tuple[uuid.UUID, datetime, datetime]],
    url: str,
    now: datetime,
    summary: str = SUMMARY,
) -> str:
    """The VCALENDAR text of ``sessions`` (id, start, end), each linking to ``url`` (events use
    it too, with a summary of their own)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for session_id, start, end in sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session_id}@careverse",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART:{stamp(start)}",
            f"DTEND:{stamp(end)}",
            f"SUMMARY:{escape(summary)}",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
