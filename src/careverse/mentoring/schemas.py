"""HTTP shapes of the mentoring API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class MentoringProfileIn(BaseModel):
    condition: str = Field(min_length=1, max_length=80)
    stage: str = Field(default="", max_length=80, description="Treatment stage")
    languages: list[str] = Field(min_length=1, max_length=8)
    age_band: str = Field(max_length=8, description="18-24, 25-34 … 65+")
    availability: list[str] = Field(
        default_factory=list, max_length=21, description="Slots like mon-am, wed-pm, sat-eve"
    )


class MentoringNeedIn(MentoringProfileIn):
    """What a mentee asks for (not stored)."""

    gender_preference: str = Field(default="", max_length=16, description="Empty: no preference")


class MentoringApplyIn(MentoringProfileIn):
    gender: str = Field(max_length=16)
    capacity: int = Field(ge=1, le=5)
    role: Literal["mentor", "educator"] = "mentor"
    about: str = Field(default="", max_length=1000)


class MentoringMentorOut(BaseModel):
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
    quiz_score: int | None = Field(None, description="Right answers in the training quiz, if taken")


class MentoringMentorsOut(BaseModel):
    mentors: list[MentoringMentorOut]


class MentoringQuestionOut(BaseModel):
    prompt: str
    options: list[str]


class MentoringModuleOut(BaseModel):
    title: str
    body: str
    pass_mark: int
    questions: list[MentoringQuestionOut]


class MentoringQuizIn(BaseModel):
    answers: list[list[int]] = Field(max_length=20)


class MentoringFeedbackOut(BaseModel):
    right: bool
    explanation: str


class MentoringQuizOut(BaseModel):
    score: int
    total: int
    passed: bool
    feedback: list[MentoringFeedbackOut]


class MentoringDecisionIn(BaseModel):
    approve: bool


class MentoringReasonOut(BaseModel):
    code: str
    points: int
    detail: str


class MentoringMatchOut(BaseModel):
    mentor_id: uuid.UUID
    name: str
    role: str
    about: str
    languages: list[str]
    score: int
    reasons: list[MentoringReasonOut]


class MentoringMatchesOut(BaseModel):
    matches: list[MentoringMatchOut]


class MentoringRequestIn(BaseModel):
    mentor_id: uuid.UUID
    need: MentoringNeedIn
    goals: list[str] = Field(default_factory=list, max_length=5)


class MentoringGoalIn(BaseModel):
    text: str = Field(min_length=1, max_length=300)


class MentoringGoalDoneIn(BaseModel):
    done: bool


class MentoringGoalOut(BaseModel):
    id: uuid.UUID
    text: str
    done: bool


class MentoringMeetingIn(BaseModel):
    starts_at: datetime
    duration_minutes: int = Field(default=30, ge=15, le=120)


class MentoringMeetingOut(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    duration_minutes: int


class MentoringMessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class MentoringMessageOut(BaseModel):
    id: uuid.UUID
    author: str
    mine: bool
    body: str
    created_at: datetime


class MentoringReportIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class MentoringRelationshipOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: str
    my_side: Literal["mentor", "mentee"]
    other: str
    reasons: list[str]
    space_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None
    goals: list[MentoringGoalOut] = Field(default_factory=list)
    meetings: list[MentoringMeetingOut] = Field(default_factory=list)
    messages: list[MentoringMessageOut] = Field(default_factory=list)


class MentoringRelationshipsOut(BaseModel):
    relationships: list[MentoringRelationshipOut]


class MentoringStandingIn(BaseModel):
    """A mentor pauses (``paused``), resumes (``approved``) or withdraws, and sets a capacity."""

    status: Literal["approved", "paused", "withdrawn"]
    capacity: int = Field(ge=1, le=5)


class MentoringReportOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    reason: str
    reporter: str
    reported: str
    kind: str
    relationship_status: str


class MentoringReportsOut(BaseModel):
    reports: list[MentoringReportOut]
