"""Wellbeing's HTTP API models."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt

InstrumentCode = Literal["phq9", "gad7", "who5", "phq2", "gad2", "cssrs"]
Risk = Literal["none", "low", "moderate", "high"]

# Booleans parse here too, so that the engine (not the parser) says why they are wrong: C-SSRS
# answers sent as a list, or true/false for a score.
ItemScores = Annotated[list[StrictInt | StrictBool | None], Field(max_length=20)]
YesNo = Annotated[
    dict[Annotated[str, Field(max_length=20)], StrictBool | None], Field(max_length=7)
]


class AnswerOptionOut(BaseModel):
    score: int
    text: str
    loinc: str | None = None


class QuestionOut(BaseModel):
    link_id: str
    text: str
    loinc: str | None = None


class ScoreBandOut(BaseModel):
    low: int
    high: int
    label: str


class InstrumentOut(BaseModel):
    code: InstrumentCode
    title: str
    loinc: str | None
    period: str
    items: list[QuestionOut]
    options: list[AnswerOptionOut]
    scoring: Literal["sum", "cssrs-triage"]
    bands: list[ScoreBandOut]
    band_scale: Literal["total", "percentage"]
    missing_rule: str
    licence: str
    mcid: int | None = Field(
        description="Minimal clinically important change on the band scale (None: not charted)"
    )
    higher_is_better: bool


class InstrumentsOut(BaseModel):
    instruments: list[InstrumentOut]


class ResponseIn(BaseModel):
    """A questionnaire's answers: item scores in item order (``null`` for an unanswered item),
    or for ``cssrs`` an object of ``q1``..``q6`` and ``q6_past_3_months`` (true/false)."""

    model_config = ConfigDict(extra="forbid")

    instrument: InstrumentCode
    answers: ItemScores | YesNo


class CrisisResourcesOut(BaseModel):
    language: str
    text: str
    phone: str
    url: str | None = None


class CrisisPathOut(BaseModel):
    """Shown to the patient at once: the site's crisis resources; ``offer_cssrs`` when the
    crisis came from PHQ-9 item 9 (the client offers the C-SSRS screener next)."""

    resources: CrisisResourcesOut
    offer_cssrs: bool
    care_team_alerted: bool


class WellbeingResultOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: InstrumentCode
    submitted_at: AwareDatetime
    answers: list[int | None] | dict[str, bool | None]
    total: int | None = None
    band: str | None = None
    percentage: int | None = None
    missing: int = 0
    flags: list[str] = []
    risk: Risk | None = None
    crisis: CrisisPathOut | None = None
    change: Literal["improved", "worsened"] | None = Field(
        default=None,
        description="Against the first result of the list for this instrument (the baseline): "
        "a change of at least the instrument's minimal clinically important change",
    )


class WellbeingResultsOut(BaseModel):
    results: list[WellbeingResultOut]


class ScheduleIn(BaseModel):
    """Ask the patient to answer ``instrument`` every ``every_days`` days, the first time at
    ``first_due`` (now when left out)."""

    model_config = ConfigDict(extra="forbid")

    instrument: InstrumentCode
    every_days: int = Field(ge=1, le=365)
    first_due: AwareDatetime | None = None


class ScheduleOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: InstrumentCode
    title: str
    every_days: int
    next_due_at: AwareDatetime
    due: bool
    created_at: AwareDatetime


class SchedulesOut(BaseModel):
    schedules: list[ScheduleOut]
