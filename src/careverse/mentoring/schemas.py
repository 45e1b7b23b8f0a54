"""HTTP shapes of the mentoring API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ProfileIn(BaseModel):
    condition: str = Field(min_length=1, max_length=80)
    stage: str = Field(default="", max_length=80, description="Treatment stage")
    languages: list[str] = Field(min_length=1, max_length=8)
    age_band: str = Field(max_length=8, description="18-24, 25-34 … 65+")
    availability: list[str] = Field(
        default_factory=list, max_length=21, description="Slots like mon-am, wed-pm, sat-eve"
    )


class NeedIn(ProfileIn):
    """What a mentee asks for (not stored)."""

    gender_preference: str = Field(default="", max_length=16, description="Empty: no preference")


class ApplyIn(ProfileIn):
    gender: str = Field(max_length=16)
    capacity: int = Field(ge=1, le=5)
    role: Literal["mentor", "educator"] = "mentor"
    about: str = Field(default="", max_length=1000)


class MentorOut(BaseModel):
    id: uuid.UUID
    community: str | None = None
    name: str = ""
    kind: str
    role: str
    status: str
    condition: str
    stage: str
    languages: list[str]
    age_band: str
    gender: str
    availability: list[str]
    capacity: int
    about: str
    trained: bool


class MentorsOut(BaseModel):
    mentors: list[MentorOut]


class QuestionOut(BaseModel):
    prompt: str
    options: list[str]


class ModuleOut(BaseModel):
    title: str
    body: str
    pass_mark: int
    questions: list[QuestionOut]


class QuizIn(BaseModel):
    answers: list[list[int]] = Field(max_length=20)


class FeedbackOut(BaseModel):
    right: bool
    explanation: str


class QuizOut(BaseModel):
    score: int
    total: int
    passed: bool
    feedback: list[FeedbackOut]


class DecisionIn(BaseModel):
    approve: bool


class ReasonOut(BaseModel):
    code: str
    points: int
    detail: str


class MatchOut(BaseModel):
    mentor_id: uuid.UUID
    name: str
    role: str
    about: str
    languages: list[str]
    score: int
    reasons: list[ReasonOut]


class MatchesOut(BaseModel):
    matches: list[MatchOut]


class RequestIn(BaseModel):
    mentor_id: uuid.UUID
    need: NeedIn
    goals: list[str] = Field(default_factory=list, max_length=5)


class GoalIn(BaseModel):
    text: str = Field(min_length=1, max_length=300)


class GoalDoneIn(BaseModel):
    done: bool


class GoalOut(BaseModel):
    id: uuid.UUID
    text: str
    done: bool


class MeetingIn(BaseModel):
    starts_at: datetime
    duration_minutes: int = Field(default=30, ge=15, le=120)


class MeetingOut(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    duration_minutes: int


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class MessageOut(BaseModel):
    id: uuid.UUID
    author: str
    mine: bool
    body: str
    created_at: datetime


class ReportIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RelationshipOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: str
    my_side: Literal["mentor", "mentee"]
    other: str
    reasons: list[str]
    space_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None
    goals: list[GoalOut] = Field(default_factory=list)
    meetings: list[MeetingOut] = Field(default_factory=list)
    messages: list[MessageOut] = Field(default_factory=list)


class RelationshipsOut(BaseModel):
    relationships: list[RelationshipOut]
