"""HTTP shapes of the training API: scenarios, the trainees' interventions, lab runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from careverse.training.scenarios.runner import ActionAt
from careverse.training.scenarios.schema import Scenario, check_action


class ScenarioOut(BaseModel):
    id: str
    title: str
    condition: str
    summary: str
    duration_s: float
    learning_objectives: list[str]


class InterventionParamOut(BaseModel):
    name: str
    low: float
    high: float
    choices: list[str]
    default: float | str | None


class InterventionOut(BaseModel):
    name: str
    summary: str
    params: list[InterventionParamOut]


class TrainingCatalogueOut(BaseModel):
    scenarios: list[ScenarioOut]
    interventions: list[InterventionOut]
    conditions: list[str]


class RunBriefOut(BaseModel):
    id: uuid.UUID
    scenario: str
    title: str
    outcome: str
    total: float
    passed: bool
    ended_at: datetime
    instructor: bool


class RunsOut(BaseModel):
    runs: list[RunBriefOut]


class TraineeOut(BaseModel):
    id: uuid.UUID
    name: str
    score: dict[str, Any] | None  # their own actions' score (the instructor sees everyone's)


class RunOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    scenario: str
    title: str
    instructor_name: str
    instructor: bool
    started_at: datetime
    ended_at: datetime
    outcome: str
    score: dict[str, Any]
    log: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    trainees: list[TraineeOut]
    notes: dict[str, str]


class NotesIn(BaseModel):
    """The instructor's notes for each PEARLS phase (any of them)."""

    reactions: str | None = Field(default=None, max_length=4000)
    description: str | None = Field(default=None, max_length=4000)
    analysis: str | None = Field(default=None, max_length=4000)
    summary: str | None = Field(default=None, max_length=4000)


class AnswerActionIn(ActionAt):
    """One action of a model answer, checked against the engine and the procedures."""

    @model_validator(mode="after")
    def _known(self) -> AnswerActionIn:
        check_action(self.action, self.params)
        return self


class ScenarioDraftIn(BaseModel):
    """A scenario (validated by the scenario schema: a bad field answers 422 with its path)
    and its model answer."""

    scenario: Scenario
    actions: list[AnswerActionIn] = Field(default=[], max_length=200)


class ScenarioPreviewIn(ScenarioDraftIn):
    seed: int = Field(default=0, ge=0, le=2**31)


class ScenarioPreviewRunOut(BaseModel):
    outcome: str
    score: dict[str, Any]
    log: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    vitals: dict[str, Any]


class ScenarioPreviewOut(BaseModel):
    with_actions: ScenarioPreviewRunOut
    without_actions: ScenarioPreviewRunOut


class ScenarioDraftBriefOut(BaseModel):
    id: uuid.UUID
    title: str
    updated_at: datetime


class ScenarioDraftsOut(BaseModel):
    drafts: list[ScenarioDraftBriefOut]


class ScenarioDraftOut(BaseModel):
    id: uuid.UUID | None  # None: a shipped scenario offered as a starting point
    title: str
    scenario: dict[str, Any]
    actions: list[dict[str, Any]]
