"""What a check says about a patient now (:class:`Finding`), and the words findings are written in.

NEWS2 (:mod:`careverse.monitoring.early_warning`) and the care-plan rules
(:mod:`careverse.monitoring.rules`) each answer findings; :mod:`careverse.monitoring.alerts`
turns them into alerts. Values are written the way a clinician reads them ("SpO2 89 %",
"38.4 °C", "14:05 UTC").
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from careverse.kernel import clock
from careverse.monitoring import units

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
OP_WORDS = {"<": "below", "<=": "at or below", ">": "above", ">=": "at or above"}

SHORT_LABELS = {
    units.HEART_RATE: "Heart rate",
    units.SPO2: "SpO2",
    units.SYSTOLIC: "Systolic BP",
    units.DIASTOLIC: "Diastolic BP",
    units.TEMPERATURE: "Temperature",
    units.RESPIRATORY_RATE: "Respiratory rate",
    units.WEIGHT: "Weight",
    units.GLUCOSE: "Glucose",
    units.STEPS: "Steps",
    units.O2_FLOW: "Oxygen flow",
}
DISPLAY_UNITS = {"mm[Hg]": "mmHg", "Cel": "°C", "{steps}": "steps", "/min": "/min"}


def label_of(code: str) -> str:
    known = units.CODES.get(code)
    return SHORT_LABELS.get(code) or (known.label if known else code)


def unit_of(code: str) -> str:
    known = units.CODES.get(code)
    unit = known.unit if known else ""
    return DISPLAY_UNITS.get(unit, unit)


def amount(code: str, value: float) -> str:
    """'89 %', '38.4 °C', '120 /min': a value as a clinician reads it."""
    unit = unit_of(code)
    number = f"{round(value, 1):g}"
    return f"{number} {unit}".strip()


def hhmm(at: datetime) -> str:
    return clock.as_utc(at).strftime("%H:%M UTC")


def day_hhmm(at: datetime) -> str:
    return clock.as_utc(at).strftime("%d %b %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Finding:
    """What one check says now; ``key`` names the condition (one live alert per key)."""

    key: str
    source: str  # news2 | rule
    firing: bool
    rule_id: uuid.UUID | None = None
    severity: str = "low"
    title: str = ""
    why: str = ""
