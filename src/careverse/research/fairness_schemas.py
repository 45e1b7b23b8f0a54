"""HTTP shapes of the fairness audit and the transparency page."""

from __future__ import annotations

from pydantic import BaseModel


class FairnessGroupOut(BaseModel):
    group: str
    n: int | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class FairnessDimensionOut(BaseModel):
    dimension: str
    groups: list[FairnessGroupOut]
    overall: float | None
    ratio: float | None
    ratio_ci_low: float | None
    ratio_ci_high: float | None
    flagged: bool
    note: str
    lowest: str | None
    highest: str | None


class FairnessMetricOut(BaseModel):
    id: str
    statistic: str
    available: bool
    note: str
    n: int
    dimensions: list[FairnessDimensionOut]


class FairnessAlgorithmOut(BaseModel):
    id: str
    name: str
    audited: bool
    audit_note: str
    metrics: list[FairnessMetricOut]


class FairnessAuditOut(BaseModel):
    generated_at: str
    window_days: int
    seed: int
    n_boot: int
    small_cell: int
    rule: str
    algorithms: list[FairnessAlgorithmOut]


class AlgorithmOut(BaseModel):
    id: str
    name: str
    purpose: str
    inputs: list[str]
    output: str
    human_oversight: str
    limits: list[str]
    source: str
    reference: str
    audited: bool
    audit_note: str


class TransparencyOut(BaseModel):
    algorithms: list[AlgorithmOut]
    audit_rule: str
