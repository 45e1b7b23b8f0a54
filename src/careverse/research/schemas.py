"""HTTP shapes of the research API (names prefixed ``Research`` in the OpenAPI schema)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class ResearchStudyIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    protocol: str = Field(min_length=1, max_length=5000, description="The protocol summary")
    approver_id: uuid.UUID = Field(description="An admin's account id")
    k: int = Field(default=5, ge=2, le=100, description="k-anonymity threshold of exports")
    l: int | None = Field(default=None, ge=2, le=100, description="l-diversity, optional")  # noqa: E741
    sensitive: str | None = Field(default=None, max_length=32,
                                  description="condition, sex or age_band (with l)")  # fmt: skip


class ResearchStudyOut(BaseModel):
    id: uuid.UUID
    title: str
    protocol: str
    status: str
    k: int
    l: int | None  # noqa: E741
    sensitive: str | None
    owner_id: uuid.UUID | None
    approver_id: uuid.UUID | None
    approver_name: str = ""
    mine: bool
    to_approve: bool
    created_at: datetime
    approved_at: datetime | None


class ResearchApproverOut(BaseModel):
    id: uuid.UUID
    name: str


class ResearchThresholdIn(BaseModel):
    code: str | None = Field(default=None, max_length=40, description="LOINC code (readings)")
    instrument: str | None = Field(default=None, max_length=40, description="phq9, gad7 …")
    op: str = Field(max_length=2, description="> >= < <= =")
    value: float


class ResearchCriteriaIn(BaseModel):
    conditions: list[str] = Field(default_factory=list, max_length=20)
    readings: list[ResearchThresholdIn] = Field(default_factory=list, max_length=20)
    scores: list[ResearchThresholdIn] = Field(default_factory=list, max_length=20)
    age_bands: list[str] = Field(default_factory=list, max_length=9)
    sex: list[str] = Field(default_factory=list, max_length=4)
    min_attendance: int | None = Field(default=None, ge=0, le=1000)


class ResearchCohortIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    criteria: ResearchCriteriaIn = Field(default_factory=ResearchCriteriaIn)


class ResearchCohortOut(BaseModel):
    id: uuid.UUID
    name: str
    criteria: dict
    count: str | None = Field(default=None, description='"42", or "< 11" for small counts')
    suppressed: bool | None = None


class ResearchConsentOut(BaseModel):
    study_id: uuid.UUID
    title: str
    protocol: str
    shared: list[str]
    consent_id: uuid.UUID | None
    status: str  # none | active | withdrawn
    given_at: datetime | None
    withdrawn_at: datetime | None


class ResearchExportOut(BaseModel):
    id: uuid.UUID
    cohort_id: uuid.UUID
    status: str
    reason: str | None
    report: dict
    manifest: dict | None
    requested_at: datetime
    finished_at: datetime | None
    status_url: str


class ResearchArmIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    ratio: int = Field(default=1, ge=1, le=10)
    intervention: str | None = Field(
        default=None, max_length=40,
        description="challenge-mode, exposure-programme or reminder-schedule",
    )  # fmt: skip


class ResearchTrialIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    method: str = Field(max_length=20, description="permuted_blocks or minimise")
    arms: list[ResearchArmIn] = Field(min_length=2, max_length=6)
    block_sizes: list[int] = Field(default_factory=list, max_length=6)
    factors: list[str] = Field(default_factory=list, max_length=2, description="sex, age_band")
    capacity: int = Field(default=200, ge=1, le=10_000)
    cohort_id: uuid.UUID | None = None


class ResearchTrialOut(BaseModel):
    id: uuid.UUID
    title: str
    method: str
    arms: list[dict]
    block_sizes: list[int]
    factors: list[str]
    capacity: int
    cohort_id: uuid.UUID | None
    enrolled: int


class ResearchEnrolIn(BaseModel):
    participant: str = Field(min_length=1, max_length=64, description="A study pseudonym")


class ResearchAllocationOut(BaseModel):
    seq: int
    participant: str
    arm: str
    stratum: dict
    enrolled_at: datetime
