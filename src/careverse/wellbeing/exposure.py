"""Graded exposure therapy: the rules, as pure functions (docs/wellbeing.md, "Exposure").

- A fear hierarchy has 10 to 15 steps once it is ready for sessions (a draft may have fewer);
  each step names a scene made in code (``heights``, ``crowd``, ``spider``, ``speaking``), its
  parameters and the SUDS (Subjective Units of Distress, 0-100) the patient expects.
- :func:`scene_parameters`: what the scene shows for a step at an intensity (0-100, 50 = the
  step as planned); the server computes it so the patient's page and the therapist's agree.
- :func:`progression_suggested`: the next step is suggested when the latest SUDS of a session has
  fallen to half its peak or below (within-session habituation; the common "SUDS halves" rule).
- :func:`ssq_score`: the Simulator Sickness Questionnaire, Kennedy, Lane, Berbaum, Lilienthal.
  *Int J Aviat Psychol* 1993;3(3):203-20: 16 symptoms rated 0-3; three overlapping subscales of 7
  items each, weighted 9.54 (nausea), 7.58 (oculomotor), 13.92 (disorientation); total score =
  (sum of the three raw subscale sums) x 3.74.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCENES = ("heights", "crowd", "spider", "speaking")
MIN_READY_STEPS = 10
MAX_STEPS = 15
DEFAULT_INTENSITY = 50

# The 16 SSQ symptoms in the questionnaire's order, and which subscales each loads on
# (Kennedy et al. 1993, table 3: the items with weight 1).
SSQ_ITEMS: tuple[tuple[str, str], ...] = (
    ("general_discomfort", "NO"),
    ("fatigue", "O"),
    ("headache", "O"),
    ("eyestrain", "O"),
    ("difficulty_focusing", "OD"),
    ("increased_salivation", "N"),
    ("sweating", "N"),
    ("nausea", "ND"),
    ("difficulty_concentrating", "NO"),
    ("fullness_of_head", "D"),
    ("blurred_vision", "OD"),
    ("dizzy_eyes_open", "D"),
    ("dizzy_eyes_closed", "D"),
    ("vertigo", "D"),
    ("stomach_awareness", "N"),
    ("burping", "N"),
)
SSQ_WEIGHTS = {"N": 9.54, "O": 7.58, "D": 13.92}
SSQ_TOTAL_WEIGHT = 3.74


@dataclass(frozen=True, slots=True)
class SsqScore:
    """Raw subscale sums and the weighted scores (rounded to the weights' two decimals)."""

    nausea_raw: int
    oculomotor_raw: int
    disorientation_raw: int
    nausea: float
    oculomotor: float
    disorientation: float
    total: float


def ssq_score(answers: Sequence[int]) -> SsqScore:
    """Score the SSQ: ``answers`` are the 16 item ratings (0 none, 1 slight, 2 moderate,
    3 severe) in questionnaire order. Every item must be answered (the manual has no rule for a
    missing one). Raises ``ValueError`` saying what is wrong (never repeating the answer)."""
    if isinstance(answers, str | bytes | Mapping) or len(answers) != len(SSQ_ITEMS):
        raise ValueError(f"The SSQ has {len(SSQ_ITEMS)} items: answer each with 0 to 3.")
    raw = {"N": 0, "O": 0, "D": 0}
    for index, (value, (_, scales)) in enumerate(zip(answers, SSQ_ITEMS, strict=True), 1):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise ValueError(f"SSQ item {index} must be a whole number from 0 to 3.")
        for scale in scales:
            raw[scale] += value
    return SsqScore(
        nausea_raw=raw["N"],
        oculomotor_raw=raw["O"],
        disorientation_raw=raw["D"],
        nausea=round(raw["N"] * SSQ_WEIGHTS["N"], 2),
        oculomotor=round(raw["O"] * SSQ_WEIGHTS["O"], 2),
        disorientation=round(raw["D"] * SSQ_WEIGHTS["D"], 2),
        total=round((raw["N"] + raw["O"] + raw["D"]) * SSQ_TOTAL_WEIGHT, 2),
    )


def progression_suggested(suds: Sequence[int]) -> bool:
    """True when the latest SUDS is at most half the session's peak so far (and the peak is
    above 0: with no distress there is nothing to habituate). ``suds`` in time order."""
    if not suds:
        return False
    peak = max(suds)
    return peak > 0 and 2 * suds[-1] <= peak


def check_steps(count: int, ready: bool) -> None:
    """A hierarchy's size: at most 15 steps; 10 to 15 once it is ready for sessions."""
    if count > MAX_STEPS:
        raise ValueError(f"A fear hierarchy has at most {MAX_STEPS} steps.")
    if ready and count < MIN_READY_STEPS:
        raise ValueError(
            f"A hierarchy ready for sessions has {MIN_READY_STEPS} to {MAX_STEPS} steps."
        )


def _scale(intensity: int) -> float:
    """50 is the step as planned; 0 halves it, 100 makes it one and a half times as hard."""
    return 0.5 + intensity / 100


def scene_parameters(step: Mapping, intensity: int) -> dict:
    """What the patient's scene shows for a step at ``intensity`` (0-100)."""
    k = _scale(intensity)
    scene = step["scene"]
    params: dict = {"scene": scene, "intensity": intensity}
    if step.get("height_m") is not None:
        params["height_m"] = round(step["height_m"] * k, 2)
    if step.get("crowd_density") is not None:
        params["crowd_density"] = round(min(step["crowd_density"] * k, 4.0), 3)
    if step.get("proximity_m") is not None:
        # Harder is closer.
        params["proximity_m"] = round(max(step["proximity_m"] / k, 0.1), 2)
    if step.get("noise") is not None:
        params["noise"] = round(min(step["noise"] * k, 1.0), 3)
    return params
