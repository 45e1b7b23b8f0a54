"""Matching mentees to mentors: a pure scoring function with the reasons shown.

Each reason is a code the client translates (``condition``, ``stage``, ``language``,
``age_band``, ``gender``, ``availability``) with its points. Hard rules first: a mentor at their
capacity is never offered, nor one who shares no language with the mentee, nor one of another
gender when the mentee asked for one. Then points: the same condition 40, the same treatment
stage 20, a shared language 15, the same age band 10 (an adjacent one 5), the asked-for gender 5,
and up to 10 for the share of the mentee's times the mentor is available. Ties go to the mentor
with the lighter load, then the steadier order of their id.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("woman", "man", "nonbinary", "unspecified")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOTS = tuple(f"{d}-{p}" for d in DAYS for p in ("am", "pm", "eve"))
WEIGHTS = {"condition": 40, "stage": 20, "language": 15, "age_band": 10, "gender": 5}
AVAILABILITY_POINTS = 10


@dataclass(frozen=True, slots=True)
class Need:
    """What a mentee asks for (not stored)."""

    condition: str
    stage: str
    languages: frozenset[str]
    age_band: str
    gender_preference: str | None  # None: no preference
    availability: frozenset[str]


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str  # the mentor row's id, as text
    condition: str
    stage: str
    languages: frozenset[str]
    age_band: str
    gender: str
    availability: frozenset[str]
    capacity: int
    load: int  # active mentees


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: int
    detail: str = ""  # e.g. the shared language, "2/3" of the times


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    score: int
    reasons: tuple[Reason, ...] = field(default=())


def _age_distance(a: str, b: str) -> int | None:
    try:
        return abs(AGE_BANDS.index(a) - AGE_BANDS.index(b))
    except ValueError:
        return None


def score(need: Need, c: Candidate) -> Match | None:
    """The match of one candidate, or None when a hard rule excludes them."""
    if c.load >= c.capacity:
        return None
    shared = need.languages & c.languages
    if not shared:
        return None
    if need.gender_preference and c.gender != need.gender_preference:
        return None
    reasons: list[Reason] = []
    if need.condition and c.condition == need.condition:
        reasons.append(Reason("condition", WEIGHTS["condition"]))
    if need.stage and c.stage == need.stage:
        reasons.append(Reason("stage", WEIGHTS["stage"]))
    reasons.append(Reason("language", WEIGHTS["language"], ", ".join(sorted(shared))))
    distance = _age_distance(need.age_band, c.age_band)
    if distance == 0:
        reasons.append(Reason("age_band", WEIGHTS["age_band"]))
    elif distance == 1:
        reasons.append(Reason("age_band", WEIGHTS["age_band"] // 2, "adjacent"))
    if need.gender_preference:
        reasons.append(Reason("gender", WEIGHTS["gender"]))
    if need.availability:
        overlap = len(need.availability & c.availability)
        if overlap:
            points = round(AVAILABILITY_POINTS * overlap / len(need.availability))
            reasons.append(Reason("availability", points, f"{overlap}/{len(need.availability)}"))
    return Match(c.key, sum(r.points for r in reasons), tuple(reasons))


def best(need: Need, candidates: list[Candidate], limit: int = 5) -> list[Match]:
    """The ``limit`` best matches, best first (ties: lighter load, then key)."""
    loads = {c.key: c.load for c in candidates}
    scored = (m for c in candidates if (m := score(need, c)) is not None)
    return heapq.nsmallest(limit, scored, key=lambda m: (-m.score, loads[m.key], m.key))
