"""HTTP shapes of the events API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field


class EventIn(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{3,60}$")
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=4000)
    kind: Literal["talk", "qa", "campaign"]
    starts_at: AwareDatetime
    duration_minutes: int = Field(ge=15, le=480)
    capacity: int = Field(ge=1, le=490)
    visibility: Literal["public", "community"] = "public"
    template: Literal["auditorium", "clinic-lobby"] = "auditorium"
    community: str | None = Field(default=None, max_length=64, description="Its community's slug")
    hosts: list[uuid.UUID] = Field(default_factory=list, max_length=5)
    speakers: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class EventPersonOut(BaseModel):
    id: uuid.UUID
    name: str


class EventOut(BaseModel):
    slug: str
    title: str
    description: str
    kind: str
    visibility: str
    template: str
    community: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registered: int
    waitlisted: int
    hosts: list[EventPersonOut]
    speakers: list[EventPersonOut]
    my_role: str | None
    my_status: str | None
    host: bool
    started: bool
    ended: bool
    space_id: uuid.UUID | None = Field(description="Given to its registrants only")


class EventOfSpaceOut(BaseModel):
    event: EventOut | None


class EventsOut(BaseModel):
    events: list[EventOut]


class EventJoinedOut(BaseModel):
    space_id: uuid.UUID
    host: bool
    speakers: list[uuid.UUID]


class EventSlidesIn(BaseModel):
    texts: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(max_length=100)


class EventSlideOut(BaseModel):
    id: uuid.UUID
    position: int
    text: str
    image: bool


class EventSlidesOut(BaseModel):
    slides: list[EventSlideOut]


class EventQuestionIn(BaseModel):
    text: str = Field(min_length=3, max_length=500)


class EventQuestionOut(BaseModel):
    id: uuid.UUID
    text: str
    status: str
    asked_at: datetime
    mine: bool
    asker: str | None = Field(description="Shown to hosts only")


class EventQuestionAskedOut(EventQuestionOut):
    crisis: bool


class EventQuestionsOut(BaseModel):
    questions: list[EventQuestionOut]
    host: bool


class EventDecisionIn(BaseModel):
    decision: Literal["approve", "answer", "dismiss"]


class EventLogEntryOut(BaseModel):
    kind: str
    at: datetime
    slide: int | None = None
    name: str | None = None
    text: str | None = None


class EventRecordingOut(BaseModel):
    slides: list[EventSlideOut]
    log: list[EventLogEntryOut]
    questions: list[EventQuestionOut]
