"""HTTP shapes of the rules and alerts API (see the monitoring contract)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Severity = Literal["low", "medium", "high"]
Op = Literal["<", "<=", ">", ">="]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=16)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Risk = Literal["low", "low-medium", "medium", "high"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    label: Label | None = None


class ThresholdRuleIn(_Rule):
    kind: Literal["threshold"]
    code: Code
    op: Op
    value: float = Field(allow_inf_nan=False)


class SustainedRuleIn(_Rule):
    kind: Literal["sustained"]
    code: Code
    op: Op
    value: float = Field(allow_inf_nan=False)
    minutes: int = Field(ge=1, le=7 * 24 * 60)


class TrendRuleIn(_Rule):
    kind: Literal["trend"]
    code: Code
    change: float = Field(allow_inf_nan=False, description="e.g. 2.0 = rise by more than 2")
    days: float = Field(gt=0, le=90)


class NoDataRuleIn(_Rule):
    kind: Literal["no_data"]
    hours: float = Field(gt=0, le=24 * 30)
    code: Code | None = None


RuleIn = Annotated[
    ThresholdRuleIn | SustainedRuleIn | TrendRuleIn | NoDataRuleIn, Field(discriminator="kind")
]


class RuleOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    kind: str
    code: str | None = None
    op: str | None = None
    value: float | None = None
    minutes: int | None = None
    change: float | None = None
    days: float | None = None
    hours: float | None = None
    severity: Severity
    label: str | None = None
    title: str  # the rule in words, e.g. "SpO2 below 92 %"
    created_at: AwareDatetime
    created_by: uuid.UUID | None = None


class RulesOut(BaseModel):
    rules: list[RuleOut]


class News2Out(BaseModel):
    total: int | None
    risk: Risk | None
    partial: bool
    missing: list[str]
    at: AwareDatetime | None
    scores: dict[str, int]
    spo2_scale: Literal[1, 2] = 1


class News2SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spo2_scale: Literal[1, 2]


class News2SettingsOut(BaseModel):
    patient_id: uuid.UUID
    spo2_scale: Literal[1, 2]


class ObservationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consciousness: Literal["A", "C", "V", "P", "U"] | None = None
    on_oxygen: bool | None = None
    observed_at: AwareDatetime | None = None


class ObservationOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    consciousness: str | None
    on_oxygen: bool | None
    observed_at: AwareDatetime


class AlertOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    source: Literal["news2", "rule", "wellbeing", "community", "groups", "gallery", "events"]
    rule_id: uuid.UUID | None = None
    severity: Severity
    status: Literal["open", "acknowledged", "resolved"]
    title: str
    why: str
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    acknowledged_at: AwareDatetime | None = None
    acknowledged_by: uuid.UUID | None = None
    resolved_at: AwareDatetime | None = None
    escalated_to: uuid.UUID | None = None
    escalated_at: AwareDatetime | None = None
    count: int
    acknowledge_by: AwareDatetime | None = Field(
        default=None,
        description="While open: when the alert escalates unless someone acknowledges it",
    )


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


class PanelLatestValue(BaseModel):
    value: float
    unit: str
    at: AwareDatetime


class PanelPatient(BaseModel):
    patient_id: uuid.UUID
    name: str
    news2: News2Out
    latest: dict[str, PanelLatestValue]
    sparklines: dict[str, list[tuple[int, float]]]
    open_alerts: list[AlertOut]


class PanelOut(BaseModel):
    patients: list[PanelPatient]
