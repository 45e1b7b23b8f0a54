"""HTTP shapes of the privacy API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from careverse.kernel.policy import Purpose

ConsentPurpose = Literal["treatment", "research", "community", "org-sharing"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentIn(_Strict):
    purpose: ConsentPurpose
    decision: Literal["permit", "deny"]
    actor_id: uuid.UUID | None = None
    organization: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
        | None
    ) = None
    period_end: AwareDatetime | None = None


class ConsentOut(BaseModel):
    id: uuid.UUID
    purpose: Purpose
    decision: str
    actor_id: uuid.UUID | None
    organization: str | None
    period_start: datetime
    period_end: datetime | None
    status: str


class BreakGlassIn(_Strict):
    patient_id: uuid.UUID
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]


class BreakGlassOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    expires_at: datetime


class AccessLogEntry(BaseModel):
    at: datetime
    actor_name: str
    actor_role: str | None
    action: str
    outcome: str
    purpose: str | None
    basis: str | None
    resource_type: str | None
    reason: str | None


class ErasureOut(BaseModel):
    status: Literal["scheduled", "none"]
    due_at: datetime | None = None
