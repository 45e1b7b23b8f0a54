"""Named groups of patients that a capability keeps (care's programmes), for FHIR ``Group``.

The owner provides one :class:`GroupDirectory` at setup (``runtime.provide``); fhir reads it
to answer ``GET /fhir/Group`` and a Group's ``$export`` without importing the owner. No access
check here: the reader decides who sees a group and which members (``kernel.policy``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class GroupMember:
    patient_id: uuid.UUID
    start: datetime
    end: datetime | None  # ended, or the planned end
    active: bool


@dataclass(frozen=True, slots=True)
class CareGroup:
    id: str  # "<prefix><uuid>"
    name: str
    description: str
    lead_ids: tuple[uuid.UUID, ...]  # the clinicians who run it
    lead_names: tuple[str, ...]
    members: tuple[GroupMember, ...]  # every enrolment, open and ended


class GroupDirectory:
    """Every group (``listing``) and one by id (``get``: None when there is none)."""

    def __init__(
        self,
        prefix: str,
        listing: Callable[[AsyncSession], Awaitable[list[CareGroup]]],
        get: Callable[[AsyncSession, str], Awaitable[CareGroup | None]],
    ) -> None:
        self.prefix = prefix
        self.listing = listing
        self.get = get
