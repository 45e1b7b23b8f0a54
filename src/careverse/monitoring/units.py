"""The codes monitoring stores, their UCUM units, unit conversion and plausibility limits.

Each function raises ``Implausible`` (a ValueError) with a reason that names the problem but
never repeats the value: reasons go back to the sender and may reach logs.
"""

from __future__ import annotations

from dataclasses import dataclass

GLUCOSE_MG_PER_MMOL = 18.016  # mg/dL per mmol/L of glucose (molar mass 180.16 g/mol)
KPA_TO_MMHG = 7.500615


class Implausible(ValueError):
    """A value that cannot be converted or is outside what a body can produce."""


# Accepted unit -> (factor, offset) to the stored unit.
Conversions = dict[str, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Code:
    loinc: str
    label: str
    unit: str  # UCUM unit of the stored value
    low: float  # plausible range, inclusive
    high: float
    units: Conversions


HEART_RATE = "8867-4"
SPO2 = "59408-5"
SPO2_ALT = "2708-6"
BP_PANEL = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
TEMPERATURE = "8310-5"
RESPIRATORY_RATE = "9279-1"
STEPS = "55423-8"
WEIGHT = "29463-7"
GLUCOSE = "2339-0"
O2_FLOW = "3151-8"
RR_INTERVAL = "8637-1"  # LOINC "R-R interval by EKG"; Open mHealth rr-interval (ms)

_PER_MIN: Conversions = {"/min": (1, 0), "beats/min": (1, 0), "{beats}/min": (1, 0), "bpm": (1, 0)}
_BREATHS: Conversions = {"/min": (1, 0), "breaths/min": (1, 0), "{breaths}/min": (1, 0)}
_MMHG: Conversions = {"mm[Hg]": (1, 0), "mmHg": (1, 0), "kPa": (KPA_TO_MMHG, 0)}

CODES: dict[str, Code] = {
    c.loinc: c
    for c in (
        Code(HEART_RATE, "Heart rate", "/min", 20, 299, _PER_MIN),
        Code(SPO2, "Oxygen saturation", "%", 50, 100, {"%": (1, 0)}),
        Code(SYSTOLIC, "Systolic blood pressure", "mm[Hg]", 40, 300, _MMHG),
        Code(DIASTOLIC, "Diastolic blood pressure", "mm[Hg]", 20, 200, _MMHG),
        Code(
            TEMPERATURE,
            "Body temperature",
            "Cel",
            25,
            45,
            {
                "Cel": (1, 0),
                "C": (1, 0),
                "°C": (1, 0),
                "[degF]": (5 / 9, -32 * 5 / 9),
                "F": (5 / 9, -32 * 5 / 9),
                "°F": (5 / 9, -32 * 5 / 9),
                "K": (1, -273.15),
            },
        ),
        Code(RESPIRATORY_RATE, "Respiratory rate", "/min", 3, 80, _BREATHS),
        Code(STEPS, "Steps", "{steps}", 0, 100_000, {"{steps}": (1, 0), "steps": (1, 0)}),
        Code(
            WEIGHT,
            "Body weight",
            "kg",
            0.5,
            500,
            {
                "kg": (1, 0),
                "g": (0.001, 0),
                "[lb_av]": (0.45359237, 0),
                "lb": (0.45359237, 0),
                "lbs": (0.45359237, 0),
                "[oz_av]": (0.028349523125, 0),
                "oz": (0.028349523125, 0),
            },
        ),
        Code(
            GLUCOSE,
            "Blood glucose",
            "mmol/L",
            0.5,
            60,
            {
                "mmol/L": (1, 0),
                "mg/dL": (1 / GLUCOSE_MG_PER_MMOL, 0),
                "mg/dl": (1 / GLUCOSE_MG_PER_MMOL, 0),
            },
        ),
        Code(O2_FLOW, "Inhaled oxygen flow rate", "L/min", 0, 60, {"L/min": (1, 0)}),
        # 200-3000 ms: the heart rate's 20-299 a minute; artefacts are wellbeing.hrv's to judge.
        Code(RR_INTERVAL, "RR interval", "ms", 200, 3000, {"ms": (1, 0), "s": (1000, 0)}),
    )
}

ALIASES = {SPO2_ALT: SPO2}


def canonical(code: str) -> str:
    return ALIASES.get(code, code)


def normalize(code: str, value: object, unit: str | None) -> tuple[float, str]:
    """Convert a value to the stored unit of its code and check that it is plausible."""
    spec = CODES.get(canonical(code))
    if spec is None:
        raise Implausible("unsupported code")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Implausible(f"{spec.label.lower()}: value must be a number")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise Implausible(f"{spec.label.lower()}: value must be a finite number")
    if unit is None or unit == "":
        unit = spec.unit if spec.loinc == STEPS else None
    conversion = spec.units.get(unit) if unit is not None else None
    if conversion is None:
        raise Implausible(f"{spec.label.lower()}: unit not supported for this measurement")
    factor, offset = conversion
    converted = value * factor + offset
    if not spec.low <= converted <= spec.high:
        raise Implausible(
            f"{spec.label.lower()}: implausible value (accepted {spec.low:g} to {spec.high:g} "
            f"{spec.unit})"
        )
    return round(converted, 4), spec.unit
