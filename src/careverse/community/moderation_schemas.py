"""Moderation HTTP API shapes. No author's account id is ever served: a queue item names the
post's pseudonym handle (or the name it was posted under), never whose account that is."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FlagReason = Literal["inappropriate", "spam", "off_topic", "crisis", "patient_details", "other"]
PenaltyKind = Literal["warn", "silence", "suspend", "escalate"]
RuleAction = Literal["block", "censor", "require_approval", "flag", "replace", "tag", "link"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class ReleaseIn(Strict):
    reason: str | None = Field(default=None, max_length=500)


class EditIn(Strict):
    body: str = Field(min_length=1, max_length=20_000)
    note: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=500)


class PenaltyIn(Strict):
    kind: PenaltyKind
    reason: str = Field(min_length=1, max_length=500)
    days: int | None = Field(default=None, ge=1, le=3650)


class FlagIn(Strict):
    reason: FlagReason
    note: str | None = Field(default=None, max_length=1000)


class AppealIn(Strict):
    text: str = Field(min_length=1, max_length=2000)


class DecisionIn(Strict):
    outcome: Literal["upheld", "overturned"]
    reason: str = Field(min_length=1, max_length=500)


class ContentRuleIn(Strict):
    word: str = Field(min_length=1, max_length=100)
    action: RuleAction
    replacement: str = Field(default="", max_length=300)


class PolicyIn(Strict):
    flags_to_hide: int = Field(ge=1, le=100)
    flag_min_trust: int = Field(ge=0, le=4)


class StateOut(BaseModel):
    post_id: uuid.UUID
    state: str


class PenaltyOut(BaseModel):
    action_id: uuid.UUID
    kind: str
    step: int
    until: str | None


class CommunityRef(BaseModel):
    id: uuid.UUID
    slug: str
    name: str


class ContextPost(BaseModel):
    seq: int
    excerpt: str


class ThreadRef(BaseModel):
    id: uuid.UUID
    title: str
    context: list[ContextPost]


class FlagOut(BaseModel):
    reason: str
    note: str | None
    weight: int
    system: bool
    created_at: str | None


class CrisisRef(BaseModel):
    case_id: uuid.UUID
    status: str
    acknowledge_by: str | None


class QueueItem(BaseModel):
    post_id: uuid.UUID
    state: str
    body: str
    author: str
    created_at: str | None
    community: CommunityRef
    thread: ThreadRef
    reasons: list[str]
    flags: list[FlagOut]
    crisis: CrisisRef | None
    tags: list[str]


class QueueOut(BaseModel):
    items: list[QueueItem]


class ActionOut(BaseModel):
    id: uuid.UUID
    action: str
    reason: str
    note: str | None
    post_id: uuid.UUID | None
    community: str
    until: str | None
    created_at: str | None
    appeal: str | None


class ActionsOut(BaseModel):
    actions: list[ActionOut]


class AppealOut(BaseModel):
    id: uuid.UUID
    status: str


class OpenAppeal(BaseModel):
    id: uuid.UUID
    text: str
    status: str
    created_at: str | None
    action: ActionOut


class AppealsOut(BaseModel):
    appeals: list[OpenAppeal]


class ContentRuleOut(BaseModel):
    id: uuid.UUID
    word: str
    action: str
    replacement: str
    site_wide: bool


class ContentRulesOut(BaseModel):
    rules: list[ContentRuleOut]


class CaseOut(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    status: str
    community: str
    thread_id: uuid.UUID | None
    reasons: list[str]
    opened_at: str | None
    acknowledge_by: str | None
    acknowledged_at: str | None
    escalated_at: str | None


class CasesOut(BaseModel):
    cases: list[CaseOut]


class PolicyOut(BaseModel):
    flags_to_hide: int
    flag_min_trust: int


class DraftIn(Strict):
    text: str = Field(min_length=1, max_length=20_000)


class ConcernResourceOut(BaseModel):
    name: str
    contact: str
    url: str


class ConcernMessageOut(BaseModel):
    message: str
    resources: list[ConcernResourceOut]


class NudgeOut(BaseModel):
    """The composer's pre-post nudge: ``crisis`` true with the message of concern to show
    before the writer sends (nothing is stored, logged or audited)."""

    crisis: bool
    concern: ConcernMessageOut | None
