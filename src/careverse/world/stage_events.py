"""Events between the world and events (careverse.events): what a stage must outlive the room.

An event's space is made with :class:`~careverse.world.circle_events.GroupSpaceRequested` (the
event groups use). While the host runs the stage (world/stage.py) the world publishes what the
recording keeps — the event started or ended, a slide was shown, a chat line to the whole room
(:class:`StageRecorded`) — and a host's decision on a raised question
(:class:`StageQuestionDecided`), which events checks (the deciding person must be one of the
event's hosts) and applies. The world knows nothing of events' tables: only these events.
"""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class StageRecorded(DomainEvent, frozen=True):
    """Something for the event's recording: ``start``, ``end``, ``slide`` (detail: the index) or
    ``chat`` (detail: JSON ``{"name", "text"}``), at ``at`` (epoch seconds)."""

    space_id: uuid.UUID
    account_id: uuid.UUID | None
    kind: str
    detail: str
    at: float


class StageQuestionDecided(DomainEvent, frozen=True):
    """A host approved, answered or dismissed a raised question from the room."""

    space_id: uuid.UUID
    question_id: uuid.UUID
    by_id: uuid.UUID
    decision: str  # approve | answer | dismiss
