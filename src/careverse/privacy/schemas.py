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
    # The SMART app that made the access for the person named (``actor_name``), if any.
    app_name: str | None = None
    # Repeated reads are one entry: how many, the earliest and the latest (``at`` is the latest).
    count: int = 1
    first: datetime
    last: datetime


class ErasureOut(BaseModel):
    status: Literal["scheduled", "none"]
    due_at: datetime | None = None


class AuditEventOut(BaseModel):
    """One row of the audit trail: ids and codes, never health data."""

    seq: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_role: str | None
    action: str
    outcome: str
    patient_id: uuid.UUID | None
    resource_type: str | None
    resource_id: str | None
    purpose: str | None


class AuditPageOut(BaseModel):
    entries: list[AuditEventOut]
    # Pass as `before_seq` for the next (older) page; null on the last page.
    next_before_seq: int | None


class AuditChainOut(BaseModel):
    ok: bool
    rows: int
    first_bad_seq: int | None
    reason: str | None
    checked_at: datetime
