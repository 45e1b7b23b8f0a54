"""Training's domain events. The world's lab (world/lab.py) publishes :class:`LabRunEnded` when a
run ends; training stores it (``service.store_run``, in the publisher's transaction). The world
imports this module; training imports nothing of the world."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from careverse.kernel.events import DomainEvent


class LabRunEnded(DomainEvent, frozen=True):
    """A lab run is over: everything the debrief needs."""

    run_id: uuid.UUID
    space_id: uuid.UUID
    scenario: str
    title: str
    seed: int
    instructor_id: uuid.UUID
    instructor_name: str
    trainees: dict[str, str]  # account id -> display name
    started_at: datetime
    ended_at: datetime
    outcome: str
    score: dict[str, Any]
    individual: dict[str, dict[str, Any]]  # account id -> score of their own actions
    log: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
