"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017).

:func:`score` follows the RCP chart exactly. Two choices the chart leaves open are made here:

- **Values between chart rows.** The chart is written in whole numbers (temperature in tenths of a
  degree). A measured value is first rounded to that resolution, halves upward (20.5 breaths/min
  → 21; 36.05 °C → 36.1; 91.5 % → 92), then looked up. Halves upward is the usual clinical reading
  of a display and never moves a value more than half a step.
- **Missing parameters.** Any parameter may be ``None``. The others are scored, the result is
  marked ``partial`` and names what is missing; a partial total can only under-read the true one.
  On SpO2 scale 2, a saturation of 93 % or more scores by air or oxygen; when that is unknown it
  scores as on air (0) and ``on_oxygen`` is listed as missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Risk = Literal["low", "low-medium", "medium", "high"]

PARAMETERS: tuple[str, ...] = (
    "respiration_rate",
    "spo2",
    "on_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)

# ACVPU: Alert scores 0; new Confusion, or responding only to Voice or Pain, or Unresponsive: 3.
CONSCIOUSNESS_LEVELS = {
    "A": "A", "ALERT": "A",
    "C": "C", "CONFUSION": "C", "CONFUSED": "C", "NEW CONFUSION": "C",
    "V": "V", "VOICE": "V",
    "P": "P", "PAIN": "P",
    "U": "U", "UNRESPONSIVE": "U",
}  # fmt: skip

# Each table: (upper bound inclusive, score) rows in rising order; the last row has no bound.
_RESPIRATION = ((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))
_SPO2_SCALE_1 = ((91, 3), (93, 2), (95, 1), (None, 0))
_SPO2_SCALE_2_AIR = ((83, 3), (85, 2), (87, 1), (None, 0))
_SPO2_SCALE_2_OXYGEN = ((83, 3), (85, 2), (87, 1), (92, 0), (94, 1), (96, 2), (None, 3))
_SYSTOLIC = ((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))
_PULSE = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))
_TEMPERATURE = (
    (Decimal("35.0"), 3),
    (Decimal("36.0"), 1),
    (Decimal("38.0"), 0),
    (Decimal("39.0"), 1),
    (None, 2),
)

_WHOLE = Decimal("1")
_TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class News2:
    """A NEWS2 result: the total, the risk band and each parameter's score."""

    total: int
    risk: Risk
    scores: dict[str, int]  # parameter name → its score, for the parameters that were given
    missing: tuple[str, ...] = ()
    spo2_scale: int = 1
    partial: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "partial", bool(self.missing))

    @property
    def single_parameter_three(self) -> bool:
        """Some parameter scored 3 on its own (the 'low-medium' trigger)."""
        return any(s == 3 for s in self.scores.values())

    def __getitem__(self, parameter: str) -> int | None:
        return self.scores.get(parameter)


def chart_value(value: float, resolution: Decimal = _WHOLE) -> Decimal:
    """A measured value at the chart's resolution (halves rounded upward)."""
    return Decimal(repr(float(value))).quantize(resolution, rounding=ROUND_HALF_UP)


def _lookup(table, value: Decimal) -> int:
    for bound, points in table:
        if bound is None or value <= bound:
            return points
    raise AssertionError("unreachable: every table ends without a bound")


def _number(name: str, value: float, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} is outside the range a measurement can take")
    return float(value)


def consciousness_level(value: str) -> str:
    """The ACVPU letter of a consciousness value ('A', 'alert', 'new confusion', …)."""
    level = CONSCIOUSNESS_LEVELS.get(str(value).strip().upper())
    if level is None:
        raise ValueError("consciousness must be one of A, C, V, P, U (ACVPU)")
    return level


def respiration_score(rate: float) -> int:
    return _lookup(_RESPIRATION, chart_value(_number("respiration_rate", rate, high=200)))


def spo2_score(spo2: float, *, on_oxygen: bool | None, scale: int = 1) -> int:
    value = chart_value(_number("spo2", spo2, high=100))
    if scale == 1:
        return _lookup(_SPO2_SCALE_1, value)
    if scale == 2:
        return _lookup(_SPO2_SCALE_2_OXYGEN if on_oxygen else _SPO2_SCALE_2_AIR, value)
    raise ValueError("spo2_scale must be 1 or 2")


def oxygen_score(on_oxygen: bool) -> int:
    if not isinstance(on_oxygen, bool):
        raise ValueError("on_oxygen must be true or false")
    return 2 if on_oxygen else 0


def systolic_score(systolic_bp: float) -> int:
    return _lookup(_SYSTOLIC, chart_value(_number("systolic_bp", systolic_bp, high=400)))


def pulse_score(pulse: float) -> int:
    return _lookup(_PULSE, chart_value(_number("pulse", pulse, high=400)))


def consciousness_score(consciousness: str) -> int:
    return 0 if consciousness_level(consciousness) == "A" else 3


def temperature_score(temperature: float) -> int:
    value = chart_value(_number("temperature", temperature, high=50), _TENTH)
    return _lookup(_TEMPERATURE, value)


def risk_of(total: int, scores: dict[str, int]) -> Risk:
    """The clinical risk band: ≥7 high, 5-6 medium, else low-medium if any single 3, else low."""
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    if any(s == 3 for s in scores.values()):
        return "low-medium"
    return "low"


def score(
    *,
    respiration_rate: float | None,
    spo2: float | None,
    on_oxygen: bool | None,
    systolic_bp: float | None,
    pulse: float | None,
    consciousness: str | None,
    temperature: float | None,
    spo2_scale: int = 1,
) -> News2:
    """Score NEWS2 from one set of observations; ``None`` marks a parameter as not observed.

    Raises ``ValueError`` (naming the parameter, never its value) for an impossible input.
    """
    if spo2_scale not in (1, 2):
        raise ValueError("spo2_scale must be 1 or 2")
    scores: dict[str, int] = {}
    if respiration_rate is not None:
        scores["respiration_rate"] = respiration_score(respiration_rate)
    if spo2 is not None:
        scores["spo2"] = spo2_score(spo2, on_oxygen=on_oxygen, scale=spo2_scale)
    if on_oxygen is not None:
        scores["on_oxygen"] = oxygen_score(on_oxygen)
    if systolic_bp is not None:
        scores["systolic_bp"] = systolic_score(systolic_bp)
    if pulse is not None:
        scores["pulse"] = pulse_score(pulse)
    if consciousness is not None:
        scores["consciousness"] = consciousness_score(consciousness)
    if temperature is not None:
        scores["temperature"] = temperature_score(temperature)
    missing = [p for p in PARAMETERS if p not in scores]
    ordered = {p: scores[p] for p in PARAMETERS if p in scores}
    total = sum(ordered.values())
    return News2(
        total=total,
        risk=risk_of(total, ordered),
        scores=ordered,
        missing=tuple(missing),
        spo2_scale=spo2_scale,
    )
