"""The instrument engine: score a questionnaire, triage a C-SSRS screener.

Public, and tested exhaustively (tests/unit/wellbeing):

- :func:`score` ``(code, answers) -> Score`` for ``"phq9"``, ``"gad7"``, ``"who5"``, ``"phq2"``
  and ``"gad2"``: ``answers`` are item scores in item order, ``None`` for a missing answer.
- :func:`cssrs_risk` ``(answers) -> "none" | "low" | "moderate" | "high"`` for the C-SSRS
  screener.

Judgement calls (sources in docs/wellbeing.md):

- Missing answers. None of these manuals gives a proration rule, so a questionnaire with any
  item missing has no total and no band (``total is None``) — a missing answer is never scored
  as 0. Item alert rules still fire on the items that were answered: PHQ-9 item 9 answered 1 or
  more flags ``"phq9-item9"`` whatever else is missing.
- Bad input raises :class:`ValueError` (the API answers 422): an unknown code, the wrong number
  of answers, a score outside the item's options, or anything but an int or None (``True`` is
  not a score).
- C-SSRS: every question the screener asks must be answered; see :func:`cssrs_triage`.

Speed: a questionnaire is one pass over its answers and a walk over at most five bands
(``careverse bench wellbeing``: the issue's target is 100,000 a second in-process).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from careverse.wellbeing.catalogue import ALL, CSSRS, SCORED
from careverse.wellbeing.definitions import AlertRule, Instrument

__all__ = [
    "Risk", "Score", "crisis_reason", "cssrs_risk", "cssrs_triage", "instrument", "score",
]  # fmt: skip

Risk = Literal["none", "low", "moderate", "high"]


@dataclass(frozen=True, slots=True)
class Score:
    """The result of one questionnaire."""

    code: str
    total: int | None  # None when any item is missing
    band: str | None  # None when total is None
    flags: frozenset[str]
    missing: int = 0  # how many items were not answered
    percentage: int | None = None  # WHO-5: raw x 4
    crisis: tuple[str, ...] = ()  # reason codes of the crisis flags that fired ("phq9-item9:1")

    @property
    def crisis_reasons(self) -> tuple[str, ...]:
        """Why each crisis flag fired, in the alert's words."""
        return tuple(crisis_reason(code) for code in self.crisis)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What scoring one instrument needs, precomputed once."""

    instrument: Instrument
    n: int
    top: int
    bands: tuple[tuple[int, str], ...]  # (high, label), ascending
    factor: int
    on_percentage: bool
    rules: tuple[AlertRule, ...]


def _plan(inst: Instrument) -> _Plan:
    return _Plan(
        instrument=inst,
        n=len(inst.items),
        top=inst.max_item_score,
        bands=tuple((b.high, b.label) for b in inst.bands),
        factor=inst.percentage_factor or 1,
        on_percentage=inst.band_scale == "percentage",
        rules=inst.alert_rules,
    )


_PLANS = {code: _plan(inst) for code, inst in SCORED.items()}
_CODES = ", ".join(sorted(_PLANS))


def instrument(code: str) -> Instrument:
    """The instrument of ``code`` (any of the five scored ones, or ``"cssrs"``)."""
    found = ALL.get(code)
    if found is None:
        raise ValueError(f"Unknown instrument; expected one of {', '.join(sorted(ALL))}.")
    return found


def score(code: str, answers: Sequence[int | None]) -> Score:
    """Score one questionnaire (see the module's docstring for the rules)."""
    plan = _PLANS.get(code)
    if plan is None:
        raise ValueError(f"Unknown instrument; expected one of {_CODES}.")
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise ValueError("Answers must be a list of item scores.")
    if len(answers) != plan.n:
        raise ValueError(
            f"{plan.instrument.title} has {plan.n} items; {len(answers)} answers given."
        )
    total = 0
    missing = 0
    top = plan.top
    for position, value in enumerate(answers):
        if value is None:
            missing += 1
        elif type(value) is int and 0 <= value <= top:
            total += value
        else:
            raise ValueError(
                f"{plan.instrument.title} item {position + 1}: answer must be a whole number "
                f"from 0 to {top}, or null when not answered."
            )
    flags: set[str] = set()
    reasons: list[str] = []
    for rule in plan.rules:
        value = answers[rule.item]
        if value is not None and value >= rule.at_least:
            flags.add(rule.flag)
            if rule.crisis:
                reasons.append(f"{rule.flag}:{value}")
    if missing:
        return Score(code, None, None, frozenset(flags), missing, None, tuple(reasons))
    inst = plan.instrument
    if inst.positive_at is not None and inst.positive_flag and total >= inst.positive_at:
        flags.add(inst.positive_flag)
    percentage = total * plan.factor if inst.percentage_factor else None
    on = percentage if plan.on_percentage and percentage is not None else total
    band = plan.bands[-1][1]
    for high, label in plan.bands:
        if on <= high:
            band = label
            break
    return Score(code, total, band, frozenset(flags), 0, percentage, tuple(reasons))


# ---- the C-SSRS screener ----------------------------------------------------------------------

CSSRS_KEYS = tuple(item.link_id for item in CSSRS.items)
_RECENT = "q6_past_3_months"

# The screener's triage points (Screen Version — Recent, with triage colours): yes to 1 or 2
# alone is low risk; yes to 3, or behaviour (6) over 3 months ago, moderate; yes to 4 or 5, or
# behaviour within the past 3 months, high. The reason is the highest-risk answer, in words.
_WHY = {
    "q1": ("low", "yes to question 1, wish to be dead"),
    "q2": ("low", "yes to question 2, thoughts of killing themselves"),
    "q3": ("moderate", "yes to question 3, thinking about a method"),
    "q6-past": ("moderate", "yes to question 6, suicidal behaviour over 3 months ago"),
    "q4": ("high", "yes to question 4, some intention of acting"),
    "q5": ("high", "yes to question 5, details of a plan and intent to carry it out"),
    "q6-recent": ("high", "yes to question 6, suicidal behaviour within the past 3 months"),
}
_RANK = {"none": 0, "low": 1, "moderate": 2, "high": 3}


def _yes_no(answers: Mapping[str, object], key: str) -> bool | None:
    value = answers.get(key)
    if value is None or type(value) is bool:
        return value  # type: ignore[return-value]
    raise ValueError(f"C-SSRS {key}: answer must be true, false or null.")


def cssrs_triage(answers: Mapping[str, object]) -> tuple[Risk, str | None]:
    """The screener's risk and its reason code (``"cssrs:q5"``; ``None`` for no risk): the
    highest-risk answer, which :func:`crisis_reason` puts in words.

    ``q1``, ``q2`` and ``q6`` are always asked; ``q3``-``q5`` only when ``q2`` is yes (the skip:
    they must then be absent, null or false — a yes to a question that was not asked
    contradicts the skip and is refused rather than ignored); ``q6_past_3_months`` only when
    ``q6`` is yes. A question that was asked must be answered.
    """
    if not isinstance(answers, Mapping):
        raise ValueError("C-SSRS answers must be an object of q1…q6 and q6_past_3_months.")
    unknown = set(answers) - set(CSSRS_KEYS)
    if unknown:
        raise ValueError(f"C-SSRS answers may only name {', '.join(CSSRS_KEYS)}.")
    got = {key: _yes_no(answers, key) for key in CSSRS_KEYS}
    asked = ["q1", "q2", "q6"]
    if got["q2"]:
        asked += ["q3", "q4", "q5"]
    else:
        for key in ("q3", "q4", "q5"):
            if got[key]:
                raise ValueError(f"C-SSRS {key} is skipped when q2 is no; it cannot be yes.")
    if got["q6"]:
        asked.append(_RECENT)
    elif got[_RECENT]:
        raise ValueError("C-SSRS q6_past_3_months is asked only when q6 is yes.")
    unanswered = [key for key in asked if got[key] is None]
    if unanswered:
        raise ValueError(f"C-SSRS: {', '.join(unanswered)} must be answered.")
    yes = [key for key in ("q1", "q2", "q3", "q4", "q5") if got[key]]
    if got["q6"]:
        yes.append("q6-recent" if got[_RECENT] else "q6-past")
    if not yes:
        return "none", None
    deciding = max(yes, key=lambda k: _RANK[_WHY[k][0]])
    return _WHY[deciding][0], f"cssrs:{deciding}"  # type: ignore[return-value]


def cssrs_risk(answers: Mapping[str, object]) -> Risk:
    """The C-SSRS screener's triage: ``"none"``, ``"low"``, ``"moderate"`` or ``"high"``."""
    return cssrs_triage(answers)[0]


_CRISIS_RULES = {
    rule.flag: (inst, rule) for inst in SCORED.values() for rule in inst.alert_rules if rule.crisis
}


def crisis_reason(code: str) -> str:
    """A crisis reason code in the alert's words: ``"phq9-item9:1"`` → "PHQ-9 item 9 answered
    'several days'", ``"cssrs:q6-recent"`` → "C-SSRS screener: high risk (yes to question 6, …)".

    Events carry the code (never words); the alert's "why" is made from it here.
    """
    kind, _, detail = code.partition(":")
    if kind == "cssrs" and detail in _WHY:
        risk, words = _WHY[detail]
        return f"C-SSRS screener: {risk} risk ({words})"
    found = _CRISIS_RULES.get(kind)
    if found is not None and detail.isdigit():
        inst, rule = found
        return rule.reason.format(answer=inst.option(int(detail)).text.lower())
    raise ValueError("Unknown crisis reason.")


Change = Literal["improved", "worsened"]


def important_change(code: str, before: int | None, after: int | None) -> Change | None:
    """Whether ``after`` differs from ``before`` by at least the instrument's minimal clinically
    important change (scores on its band scale: totals, or WHO-5's percentage), and which way:
    lower is better for PHQ-9 and GAD-7, higher for WHO-5. None when either score is missing,
    the change is smaller, or the instrument has no such threshold (PHQ-2, GAD-2, C-SSRS)."""
    mcid = instrument(code).mcid
    if mcid is None or before is None or after is None:
        return None
    delta = after - before
    if abs(delta) < mcid:
        return None
    better = delta > 0 if instrument(code).higher_is_better else delta < 0
    return "improved" if better else "worsened"
