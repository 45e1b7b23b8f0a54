"""Quality-mark API shapes. The marker appears by their verified name only: no account id, no
handle (docs/community.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

Verdict = Literal["reviewed", "contradicts"]


class QualityMarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    source_url: HttpUrl = Field(description="An https link to the evidence")
    source_title: str = Field(min_length=2, max_length=200)
    note: str = Field(default="", max_length=1000)
    reason: str = Field(default="", max_length=500, description="Why (audited)")

    @field_validator("source_url")
    @classmethod
    def https_only(cls, value: HttpUrl) -> HttpUrl:
        if value.scheme != "https":
            raise ValueError("The source must be an https:// link.")
        if len(str(value)) > 2000:
            raise ValueError("The source link is too long.")
        return value

    @field_validator("source_title")
    @classmethod
    def stripped(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 2:
            raise ValueError("Give the source a title.")
        return value


class QualityMarkRemoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=10, max_length=500)


class QualityMarkOut(BaseModel):
    post_id: uuid.UUID
    verdict: Verdict
    source_url: str
    source_title: str
    note: str
    clinician: str  # the marking clinician's verified name
    mine: bool  # the caller made this mark
    marked_at: datetime


class QualityMarksOut(BaseModel):
    marks: list[QualityMarkOut]
    can_mark: bool  # the caller is a verified clinician who may mark here
