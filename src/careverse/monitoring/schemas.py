"""HTTP shapes of the monitoring ingest API (batches themselves are decoded with msgspec)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DeviceKind = Literal[
    "wearable", "pulse_oximeter", "bp_cuff", "thermometer", "scale", "glucometer", "other"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceIn(_Strict):
    patient_id: uuid.UUID
    kind: DeviceKind
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""


class DeviceOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    kind: str
    label: str
    status: str
    created_at: datetime
    paired_at: datetime | None = None
    revoked_at: datetime | None = None


class PairingCodeOut(BaseModel):
    code: str
    expires_at: datetime


class PairIn(_Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=20)]


class PairOut(BaseModel):
    device_id: uuid.UUID
    credential: str


class ItemResult(BaseModel):
    index: int
    status: Literal["stored", "duplicate", "rejected"]
    reason: str | None = None


class Rejected(BaseModel):
    index: int
    reason: str


class BatchOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]
    results: list[ItemResult]


class BatchIn(BaseModel):
    """For the documentation: the body is decoded with msgspec, item by item."""

    data_points: list[dict[str, Any]] = Field(
        description="Open mHealth data points: header {id, schema_id {namespace, name, version}}"
        " and body",
        max_length=10_000,
    )
    patient_id: uuid.UUID | None = Field(
        None, description="The patient, when a signed-in user (not a device) sends the batch"
    )


class VitalsPoint(BaseModel):
    t: datetime
    min: float
    max: float
    mean: float
    n: int


class VitalsOut(BaseModel):
    code: str
    label: str
    unit: str
    points: list[VitalsPoint]


class LatestValue(BaseModel):
    value: float
    unit: str
    at: datetime
    label: str


class LatestOut(BaseModel):
    readings: dict[str, LatestValue]
