"""Cohort criteria and what they are checked against: pure functions, no database.

A cohort's criteria are ANDed; an empty set of criteria means every consented patient.

- ``conditions``: any of these words appears in one of the patient's conditions (case-insensitive).
- ``readings``: for each, at least one reading of that LOINC code satisfies ``op value``.
- ``scores``: for each, the latest total of that questionnaire (``phq9`` …) satisfies ``op value``.
- ``age_bands``: the patient's age falls in one of these bands (Safe Harbor: 90 and over is one).
- ``sex``: one of these FHIR administrative genders.
- ``min_attendance``: attended at least this many support-group sessions.

The facts come from the patient's FHIR record (:func:`facts_of`), so criteria read the same
resources every capability publishes, and from groups' attendance count.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from careverse.kernel.errors import InvalidInput

AGE_BANDS = ("0-17", "18-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90+")
SEXES = ("female", "male", "other", "unknown")
OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq,
}  # fmt: skip
LOINC = "http://loinc.org"
MAX_TERMS = 20
SUPPRESS_BELOW = 11  # counts under this are shown as "< 11" (small-cell suppression)


def age_band(age: int | None) -> str:
    """The band of an age; 90 and over is one band (HIPAA Safe Harbor, §164.514(b)(2)(i)(C))."""
    if age is None:
        return "unknown"
    if age < 18:
        return "0-17"
    if age >= 90:
        return "90+"
    if age < 30:
        return "18-29"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def age_on(birth_date: str | None, today: date) -> int | None:
    if not birth_date:
        return None
    try:
        born = date.fromisoformat(birth_date[:10])
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def shown_count(n: int) -> str:
    """A count as researchers see it: small cells suppressed."""
    return f"< {SUPPRESS_BELOW}" if n < SUPPRESS_BELOW else str(n)


@dataclass(frozen=True)
class Threshold:
    key: str  # a LOINC code, or a questionnaire's code
    op: str
    value: float

    def holds(self, found: float) -> bool:
        return OPS[self.op](found, self.value)


@dataclass(frozen=True)
class Criteria:
    conditions: tuple[str, ...] = ()
    readings: tuple[Threshold, ...] = ()
    scores: tuple[Threshold, ...] = ()
    age_bands: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    min_attendance: int | None = None

    def as_json(self) -> dict:
        return {
            "conditions": list(self.conditions),
            "readings": [{"code": t.key, "op": t.op, "value": t.value} for t in self.readings],
            "scores": [{"instrument": t.key, "op": t.op, "value": t.value} for t in self.scores],
            "age_bands": list(self.age_bands),
            "sex": list(self.sex),
            "min_attendance": self.min_attendance,
        }


def _thresholds(items: list, key: str, where: str) -> tuple[Threshold, ...]:
    out = []
    if len(items) > MAX_TERMS:
        raise InvalidInput(f"At most {MAX_TERMS} {where}.", field=where)
    for item in items:
        name = str(item.get(key) or "").strip().lower()
        if not name or len(name) > 40:
            raise InvalidInput(f"Each of {where} names its {key}.", field=where)
        if item.get("op") not in OPS:
            raise InvalidInput(f"Compare with one of {' '.join(OPS)}.", field=where)
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"Each of {where} needs a number to compare with.", field=where)
        out.append(Threshold(name, item["op"], float(value)))
    return tuple(out)


def parse(raw: dict) -> Criteria:
    """Check criteria sent by a researcher; a 422 names the field that is wrong."""
    conditions = tuple(dict.fromkeys(c.strip().lower() for c in raw.get("conditions", [])))
    if any(not c or len(c) > 80 for c in conditions) or len(conditions) > MAX_TERMS:
        raise InvalidInput("Conditions are up to 20 words or phrases.", field="conditions")
    bands = tuple(dict.fromkeys(raw.get("age_bands", [])))
    if any(b not in AGE_BANDS for b in bands):
        raise InvalidInput(f"Age bands are among {', '.join(AGE_BANDS)}.", field="age_bands")
    sexes = tuple(dict.fromkeys(raw.get("sex", [])))
    if any(s not in SEXES for s in sexes):
        raise InvalidInput(f"Sex is among {', '.join(SEXES)}.", field="sex")
    least = raw.get("min_attendance")
    if least is not None and (isinstance(least, bool) or not isinstance(least, int)
                              or not 0 <= least <= 1000):  # fmt: skip
        raise InvalidInput("Attendance is a whole number from 0.", field="min_attendance")
    return Criteria(
        conditions,
        _thresholds(raw.get("readings", []), "code", "readings"),
        _thresholds(raw.get("scores", []), "instrument", "scores"),
        bands,
        sexes,
        least,
    )


@dataclass
class Facts:
    """What the criteria test, for one patient (read from their record)."""

    age: int | None = None
    sex: str = "unknown"
    conditions: list[str] = field(default_factory=list)
    readings: dict[str, list[float]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)  # latest total by questionnaire
    attendance: int = 0

    @property
    def age_band(self) -> str:
        return age_band(self.age)


def _loinc(resource: dict) -> str | None:
    for coding in (resource.get("code") or {}).get("coding", []):
        if coding.get("system") == LOINC:
            return coding.get("code")
    return None


def _total(response: dict) -> float | None:
    for item in response.get("item", []):
        if str(item.get("linkId", "")).endswith("-total"):
            for answer in item.get("answer", []):
                if isinstance(answer.get("valueInteger"), int | float):
                    return float(answer["valueInteger"])
    return None


def facts_of(resources: list[dict], today: date, attendance: int = 0) -> Facts:
    """The facts of one patient from their FHIR resources."""
    facts = Facts(attendance=attendance)
    latest: dict[str, str] = {}
    for r in resources:
        kind = r.get("resourceType")
        if kind == "Patient":
            facts.age = age_on(r.get("birthDate"), today)
            facts.sex = r.get("gender") or "unknown"
        elif kind == "Condition":
            code = r.get("code") or {}
            words = [code.get("text") or ""] + [
                c.get("display") or "" for c in code.get("coding", [])
            ]
            facts.conditions.append(" ".join(w for w in words if w).lower())
        elif kind == "Observation":
            code, value = _loinc(r), (r.get("valueQuantity") or {}).get("value")
            if code and isinstance(value, int | float):
                facts.readings.setdefault(code, []).append(float(value))
            for part in r.get("component", []):
                code, value = _loinc(part), (part.get("valueQuantity") or {}).get("value")
                if code and isinstance(value, int | float):
                    facts.readings.setdefault(code, []).append(float(value))
        elif kind == "QuestionnaireResponse":
            instrument = str(r.get("questionnaire", "")).rstrip("/").rsplit("/", 1)[-1].lower()
            total, when = _total(r), str(r.get("authored", ""))
            if total is not None and when >= latest.get(instrument, ""):
                latest[instrument], facts.scores[instrument] = when, total
    return facts


def matches(c: Criteria, f: Facts) -> bool:
    """Whether one patient's facts meet every criterion."""
    if c.conditions and not any(w in text for w in c.conditions for text in f.conditions):
        return False
    for t in c.readings:
        if not any(t.holds(v) for v in f.readings.get(t.key, [])):
            return False
    for t in c.scores:
        if t.key not in f.scores or not t.holds(f.scores[t.key]):
            return False
    if c.age_bands and f.age_band not in c.age_bands:
        return False
    if c.sex and f.sex not in c.sex:
        return False
    return c.min_attendance is None or f.attendance >= c.min_attendance
