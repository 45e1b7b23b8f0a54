"""HTTP shapes of the support groups API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class GroupIn(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{3,60}$")
    name: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    caregiver: bool = False
    timezone: str = Field(max_length=64, description="The facilitator's IANA time zone")
    first_date: date
    start_time: str = Field(max_length=5, description="HH:MM, local to timezone")
    duration_minutes: int = Field(ge=15, le=240)
    every_weeks: int = Field(ge=1, le=2)
    capacity: int = Field(ge=2, le=499)
    admission: Literal["open", "request", "referral"] = "open"
    ground_rules: str = Field(min_length=10, max_length=4000)
    template: str = Field(default="support-circle", max_length=32)
    facilitators: list[uuid.UUID] = Field(default_factory=list, max_length=5)


class GroupOut(BaseModel):
    slug: str
    name: str
    description: str
    caregiver: bool
    timezone: str
    start_time: str
    every_weeks: int
    duration_minutes: int
    capacity: int
    admission: str
    template: str
    members: int
    waitlisted: int
    next_start: datetime | None
    next_start_local: str | None = Field(None, description="In the time zone asked for (tz)")
    ground_rules: str
    ground_rules_version: int
    my_status: str | None
    my_role: str | None
    rules_accepted: bool
    facilitator: bool
    share_with_care_team: bool


class GroupsOut(BaseModel):
    groups: list[GroupOut]


class GroupJoinIn(BaseModel):
    accept_rules: bool
    rules_version: int = Field(ge=1)


class GroupRulesIn(BaseModel):
    version: int = Field(ge=1)


class GroupReferIn(BaseModel):
    patient_id: uuid.UUID


class GroupMemberOut(BaseModel):
    id: uuid.UUID
    name: str
    status: str
    since: datetime


class GroupMembersOut(BaseModel):
    members: list[GroupMemberOut]


class GroupJoinSessionIn(BaseModel):
    mode: Literal["full", "voice", "text"] = "full"
    pseudonym: bool = False


class GroupJoinedOut(BaseModel):
    session_id: uuid.UUID
    space_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    facilitator: bool


class GroupShareIn(BaseModel):
    share: bool


class GroupShareOut(BaseModel):
    share: bool


class GroupSessionRecordOut(BaseModel):
    starts_at: datetime
    attended: bool
    mode: str | None
    start: int | None
    end: int | None


class GroupRecordOut(BaseModel):
    slug: str
    name: str
    shared: bool
    sessions: list[GroupSessionRecordOut]


class GroupRecordsOut(BaseModel):
    groups: list[GroupRecordOut]


class GroupSessionOut(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class GroupSessionsOut(BaseModel):
    sessions: list[GroupSessionOut]


class GroupNoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=8000)


class GroupNoteOut(BaseModel):
    id: uuid.UUID
    body: str
    created_at: datetime
    mine: bool


class GroupNotesOut(BaseModel):
    notes: list[GroupNoteOut]


class GroupSessionHealthOut(BaseModel):
    starts_at: datetime
    attended: int


class GroupHealthOut(BaseModel):
    members: int
    waitlisted: int
    sessions: list[GroupSessionHealthOut]
    retention: float | None = Field(
        description="Of those at the first session, the share who came to the latest"
    )


class GroupSupportOut(BaseModel):
    """An "I need support" request, for the group's facilitators."""

    id: uuid.UUID
    session_id: uuid.UUID
    name: str
    raised_at: datetime
    due_at: datetime
    escalated: bool
    acknowledged_at: datetime | None


class GroupSupportsOut(BaseModel):
    requests: list[GroupSupportOut]
