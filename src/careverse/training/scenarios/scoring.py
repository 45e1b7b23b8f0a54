"""Scoring a run against its scenario: a weighted checklist of expected actions (full weight in
time, half late, none missing), the time to each critical action, and critical errors (wrong
drug or route, overdose, contraindicated, and delay of a critical action). Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from careverse.training.scenarios.schema import Match, ParamValue, Scenario

LATE_CREDIT = 0.5
PASS_MARK = 70.0


@dataclass(frozen=True, slots=True)
class TakenAction:
    """An action as the trainee took it: when (scenario seconds), what, by whom."""

    at_s: float
    action: str
    params: dict[str, ParamValue]
    by: str | None = None


@dataclass(slots=True)
class Score:
    checklist_percent: float
    penalty: float
    total: float
    passed: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    critical_errors: list[dict[str, Any]] = field(default_factory=list)
    time_to_critical_s: dict[str, float | None] = field(default_factory=dict)
    by_person: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checklist_percent": self.checklist_percent,
            "penalty": self.penalty,
            "total": self.total,
            "passed": self.passed,
            "items": self.items,
            "critical_errors": self.critical_errors,
            "time_to_critical_s": self.time_to_critical_s,
            "by_person": self.by_person,
        }


def matches(match: Match, action: str, params: dict[str, ParamValue]) -> bool:
    """Whether an applied action (with its checked parameters) satisfies ``match``."""
    if action != match.action:
        return False
    if any(params.get(k) != v for k, v in match.equals.items()):
        return False
    for name, low in match.at_least.items():
        value = params.get(name)
        if not isinstance(value, float | int) or value < low:
            return False
    for name, high in match.at_most.items():
        value = params.get(name)
        if not isinstance(value, float | int) or value > high:
            return False
    return True


def score(scenario: Scenario, taken: list[TakenAction], *, stabilised: bool) -> Score:
    """Score ``taken`` against ``scenario``; ``stabilised`` is the run's outcome (a run that
    does not stabilise the patient does not pass, whatever its checklist)."""
    total_weight = sum(e.weight for e in scenario.expected_actions)
    earned = 0.0
    items: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    time_to: dict[str, float | None] = {}
    by_person: dict[str, list[str]] = {}
    for expected in scenario.expected_actions:
        first = next((t for t in taken if matches(expected.match, t.action, t.params)), None)
        at = first.at_s if first else None
        in_time = at is not None and at <= expected.within_s
        credit = expected.weight if in_time else expected.weight * LATE_CREDIT if at else 0.0
        earned += credit
        items.append(
            {
                "id": expected.id, "description": expected.description, "done_at_s": at,
                "within_s": expected.within_s, "in_time": in_time, "weight": expected.weight,
                "earned": credit, "critical": expected.critical,
            }
        )  # fmt: skip
        if expected.critical:
            time_to[expected.id] = at
            if not in_time:
                errors.append(
                    {
                        "id": f"delay:{expected.id}", "kind": "delay", "at_s": at,
                        "description": f"{expected.description}: not within "
                        f"{expected.within_s:g} s" + ("" if at else " (never)"),
                        "penalty": 10.0,
                    }
                )  # fmt: skip
        if first is not None and first.by:
            by_person.setdefault(first.by, []).append(expected.id)
    for rule in scenario.critical_errors:
        for t in taken:
            if matches(rule.match, t.action, t.params):
                errors.append(
                    {
                        "id": rule.id, "kind": rule.kind, "at_s": t.at_s,
                        "description": rule.description, "penalty": rule.penalty, "by": t.by,
                    }
                )  # fmt: skip
    checklist = round(100.0 * earned / total_weight, 1)
    penalty = sum(e["penalty"] for e in errors)
    total = round(max(0.0, checklist - penalty), 1)
    return Score(
        checklist_percent=checklist,
        penalty=penalty,
        total=total,
        passed=stabilised and total >= PASS_MARK and not errors,
        items=items,
        critical_errors=sorted(errors, key=lambda e: (e["at_s"] is None, e["at_s"] or 0.0)),
        time_to_critical_s=time_to,
        by_person=by_person,
    )
