"""Exposure therapy's HTTP API models."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

Scene = Literal["heights", "crowd", "spider", "speaking"]
Suds = Annotated[StrictInt, Field(ge=0, le=100)]
Intensity = Annotated[StrictInt, Field(ge=0, le=100)]


class StepIn(BaseModel):
    """One step of a fear hierarchy: what, which scene with which parameters, expected SUDS."""

    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, Field(min_length=1, max_length=500)]
    scene: Scene
    height_m: Annotated[float, Field(ge=0, le=1000)] | None = None
    crowd_density: Annotated[float, Field(ge=0, le=4)] | None = None  # people per m²
    proximity_m: Annotated[float, Field(ge=0.1, le=50)] | None = None
    noise: Annotated[float, Field(ge=0, le=1)] | None = None  # 0 quiet … 1 loud
    expected_suds: Suds


class StepOut(StepIn):
    model_config = ConfigDict(extra="ignore")


class HierarchyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=15)]
    ready: bool = False


class HierarchyOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID | None
    title: str
    steps: list[StepOut]
    ready: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


class HierarchiesOut(BaseModel):
    hierarchies: list[HierarchyOut]


class ExposureStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hierarchy_id: uuid.UUID
    step: Annotated[StrictInt, Field(ge=0, le=14)]
    intensity: Intensity = 50


class SudsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: Literal["before", "during", "after"]
    value: Suds


class ControlIn(BaseModel):
    """A command: ``intensity`` (with ``value``), ``pause``, ``resume``, ``stop``."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["intensity", "pause", "resume", "stop"]
    value: Intensity | None = None


class SsqIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: Annotated[list[StrictInt], Field(min_length=16, max_length=16)]


class SudsOut(BaseModel):
    at: AwareDatetime
    phase: str
    value: int


class ExposureEventOut(BaseModel):
    at: AwareDatetime
    by: uuid.UUID | None
    role: str
    kind: str
    value: int | None = None


class SsqOut(BaseModel):
    answers: list[int]
    nausea_raw: int
    oculomotor_raw: int
    disorientation_raw: int
    nausea: float
    oculomotor: float
    disorientation: float
    total: float


class SceneOut(BaseModel):
    scene: Scene
    intensity: int
    height_m: float | None = None
    crowd_density: float | None = None
    proximity_m: float | None = None
    noise: float | None = None


class ExposureSessionOut(BaseModel):
    id: uuid.UUID
    hierarchy_id: uuid.UUID
    patient_id: uuid.UUID
    step: int
    description: str
    expected_suds: int
    status: Literal["active", "paused", "ended"]
    intensity: int
    scene: SceneOut
    started_at: AwareDatetime
    ended_at: AwareDatetime | None
    suds: list[SudsOut]
    events: list[ExposureEventOut]
    peak_suds: int | None
    progression_suggested: bool
    ssq: SsqOut | None


class ExposureSessionsOut(BaseModel):
    sessions: list[ExposureSessionOut]
