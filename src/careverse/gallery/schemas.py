"""The gallery's HTTP shapes (docs/gallery.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from careverse.community.schemas import ConcernOut


class TextWorkIn(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=8000, description="Markdown: a poem or a short text")
    caption: str = Field(default="", max_length=1000)
    group: str | None = Field(default=None, max_length=64, description="An art-therapy group")


class CrisisOut(BaseModel):
    acknowledge_by: datetime | None
    acknowledged: bool
    escalated: bool


class WorkOut(BaseModel):
    id: uuid.UUID
    kind: Literal["image", "text"]
    title: str
    alt_text: str
    caption: str
    html: str = Field(description="A text work's Markdown rendered and sanitised (nh3)")
    handle: str = Field(description="The author's pseudonym in the community")
    mine: bool
    status: Literal["pending", "held", "approved", "declined", "removed"]
    created_at: datetime
    image_url: str | None
    width: int | None = None
    height: int | None = None
    placed: bool = Field(description="Hung on a wall of the 3D gallery")
    community: str
    group: str | None
    decision: str | None = Field(description="The moderator's reason (author and moderators)")
    reasons: list[str] = Field(default_factory=list, description="The pipeline's rule names")
    crisis: CrisisOut | None = None
    open_reports: int = 0
    body: str | None = Field(default=None, description="The Markdown source (the author's)")


class WorkSubmittedOut(BaseModel):
    work: WorkOut
    concern: ConcernOut | None


class WorksOut(BaseModel):
    works: list[WorkOut]


class GroupWorksOut(BaseModel):
    community: str = Field(description="The group's community (submit there with ``group``)")
    works: list[WorkOut]


class WorkDecisionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class ReportIn(BaseModel):
    reason: str = Field(max_length=24)
    note: str | None = Field(default=None, max_length=1000)


class GallerySpaceOut(BaseModel):
    space_id: uuid.UUID
