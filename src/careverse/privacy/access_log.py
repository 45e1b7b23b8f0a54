"""The patient's access log made readable: repeated reads folded into one line.

A clinician who opens a chart reads it many times in a few minutes (each panel is a request);
the log says "Dr Rivera viewed your vitals 9 times between 06:40 and 06:55" instead of nine
lines. Entries fold together when they are next to each other (newest first), have the same
actor, action, kind of resource, outcome, purpose, basis and stated reason, and lie within
:data:`WINDOW` of the newest entry of their group — so a group never spans more than the window,
and two reads 31 minutes apart stay two lines. Anything else (a refusal between two reads, a
break-glass) breaks the run, so nothing is hidden inside a group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(minutes=30)


@dataclass
class AccessLine:
    """One line of the readable log: one access, or a run of the same access."""

    key: tuple[Any, ...]
    entry: dict[str, Any]
    first: datetime
    last: datetime
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        # ``at`` stays the newest access, as it was before lines were grouped.
        return {**self.entry, "at": self.last, "count": self.count, "first": self.first,
                "last": self.last}  # fmt: skip


def group_accesses(
    entries: Iterable[tuple[tuple[Any, ...], dict[str, Any]]], window: timedelta = WINDOW
) -> list[dict[str, Any]]:
    """Fold ``(key, entry)`` pairs, newest first (``entry["at"]`` a datetime), into lines."""
    lines: list[AccessLine] = []
    for key, entry in entries:
        at: datetime = entry["at"]
        current = lines[-1] if lines else None
        if current is not None and current.key == key and current.last - at <= window:
            current.first = min(current.first, at)
            current.count += 1
            continue
        lines.append(AccessLine(key, entry, first=at, last=at))
    return [line.as_dict() for line in lines]
