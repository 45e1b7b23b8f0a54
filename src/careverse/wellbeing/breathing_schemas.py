"""HTTP models of breathing sessions and the resonance finder."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

Stress = Annotated[StrictInt, Field(ge=0, le=10, description="0 no stress - 10 the worst")]
# One RR interval in ms, as a strap or wearable sent it: artefacts (out of 300-2000 ms, or a
# jump of more than 20 %) are careverse.wellbeing.hrv's to judge, so that none is bridged.
RRInterval = Annotated[StrictInt | StrictFloat, Field(gt=0, le=10_000)]
RRSeries = Annotated[list[RRInterval], Field(max_length=20_000)]
# 3-12 a minute: the garden's shared pacer's range (world/pacer.py); the page offers 3-10.
PacerRate = Annotated[StrictInt | StrictFloat, Field(ge=3, le=12, description="breaths a minute")]
Setting = Literal["page", "garden"]
FinderRate = Annotated[StrictInt | StrictFloat, Field(ge=4.5, le=7)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BreathingSessionIn(_In):
    mode: Literal["paced", "resonance"] = "paced"
    rate: PacerRate = 6
    stress_before: Stress
    setting: Setting = Field("page", description="the breathing page, or a 3D garden's lantern")


class ResonanceTrialIn(_In):
    rate: FinderRate
    rr_ms: Annotated[RRSeries, Field(min_length=1)]


class ResonanceIn(_In):
    trials: Annotated[list[ResonanceTrialIn], Field(min_length=2, max_length=8)]


class BreathingFinishIn(_In):
    stress_after: Stress
    rr_ms: RRSeries = Field(default_factory=list, description="the beats the page saw, in order")


class RmssdSeriesOut(BaseModel):
    windows: int
    window_seconds: float
    first: float
    last: float
    min: float
    max: float
    mean: float


class HrvOut(BaseModel):
    beats: int
    artefacts: int
    rmssd: float | None
    rmssd_series: RmssdSeriesOut | None
    heart_rate_mean: float | None


class AmplitudeOut(BaseModel):
    rate: float
    amplitude: float | None = Field(description="mean peak-to-trough heart-rate swing per breath")


class ResonanceOut(BaseModel):
    rate: float
    amplitudes: list[AmplitudeOut]


class BreathingSessionOut(BaseModel):
    id: uuid.UUID
    started_at: AwareDatetime
    finished_at: AwareDatetime | None
    mode: Literal["paced", "resonance"]
    setting: Setting
    rate: float
    stress_before: int
    stress_after: int | None
    duration_seconds: float | None
    hrv: HrvOut | None
    resonance: ResonanceOut | None


class BreathingSessionsOut(BaseModel):
    sessions: list[BreathingSessionOut]
