"""HTTP shapes of the in-silico trials (the trial file itself is ``insilico.TrialSpec``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from careverse.research.insilico import TrialSpec


class SimExampleOut(BaseModel):
    id: str
    title: str
    summary: str
    trial: dict[str, Any]


class SimExamplesOut(BaseModel):
    examples: list[SimExampleOut]
    max_cohort: int
    max_patient_hours: float


class SimRunIn(BaseModel):
    """Run a shipped example (``example``) or a trial file (``trial``); ``cohort_size``
    overrides the file's cohort size."""

    model_config = ConfigDict(extra="forbid")

    example: str | None = Field(default=None, max_length=60)
    trial: TrialSpec | None = None
    cohort_size: int | None = Field(default=None, ge=2, le=100_000)

    @model_validator(mode="after")
    def _one(self) -> SimRunIn:
        if (self.example is None) == (self.trial is None):
            raise ValueError("give either example or trial")
        return self


class SimArmSummaryOut(BaseModel):
    arm: str
    n: int
    method: str
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    min: float | None = None
    max: float | None = None
    events: int | None = None
    risk: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


class SimEstimateOut(BaseModel):
    arm: str
    versus: str
    measure: str
    method: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None


class SimOutcomeOut(BaseModel):
    id: str
    label: str
    kind: str
    vital: str | None
    threshold: float | None
    binary: bool
    by_arm: list[SimArmSummaryOut]
    estimates: list[SimEstimateOut]


class SimArmOut(BaseModel):
    name: str
    description: str
    n: int


class SimChartArmOut(BaseModel):
    arm: str
    mean_bp: list[float]
    spo2: list[float]
    heart_rate: list[float]


class SimChartOut(BaseModel):
    minutes: list[float]
    arms: list[SimChartArmOut]


class SimTrialOut(BaseModel):
    id: str
    title: str
    summary: str
    condition: str
    duration_s: float
    cohort_size: int
    seed: int


class SimResultOut(BaseModel):
    trial: SimTrialOut
    arms: list[SimArmOut]
    outcomes: list[SimOutcomeOut]
    chart: SimChartOut
    timings: dict[str, float]


class SimRunOut(BaseModel):
    id: str
    status: str
    done: int
    total: int
    result: SimResultOut | None = None
    error: str | None = None
