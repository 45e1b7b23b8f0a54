"""The C-SSRS screener's triage: every branch, the skip after question 2, and recency."""

from __future__ import annotations

import pytest

from careverse.wellbeing.instruments import crisis_reason, cssrs_risk, cssrs_triage

NO = {"q1": False, "q2": False, "q6": False}


def yes(*keys: str, recent: bool | None = None, **extra) -> dict:
    answers: dict = {"q1": False, "q2": False, "q6": False}
    if "q2" in keys or any(k in keys for k in ("q3", "q4", "q5")):
        answers.update({"q2": True, "q3": False, "q4": False, "q5": False})
    for key in keys:
        answers[key] = True
    if "q6" in keys:
        answers["q6_past_3_months"] = recent
    return {**answers, **extra}


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        (NO, "none"),
        (yes("q1"), "low"),
        (yes("q2"), "low"),
        (yes("q1", "q2"), "low"),
        (yes("q3"), "moderate"),
        (yes("q6", recent=False), "moderate"),
        (yes("q1", "q6", recent=False), "moderate"),
        (yes("q4"), "high"),
        (yes("q5"), "high"),
        (yes("q6", recent=True), "high"),
        (yes("q3", "q6", recent=False), "moderate"),
        (yes("q3", "q4"), "high"),
        (yes("q1", "q2", "q3", "q4", "q5", "q6", recent=True), "high"),
    ],
)
def test_triage(answers, risk):
    assert cssrs_risk(answers) == risk


def test_the_skip_after_question_2():
    # q2 no: q3-q5 are not asked, so they may be absent or null, and q6 is still asked.
    assert cssrs_risk({"q1": True, "q2": False, "q6": False}) == "low"
    assert cssrs_risk({"q1": True, "q2": False, "q3": None, "q4": None, "q5": None,
                       "q6": False}) == "low"  # fmt: skip
    assert cssrs_risk({"q1": False, "q2": False, "q6": True, "q6_past_3_months": True}) == "high"
    with pytest.raises(ValueError, match="skipped when q2 is no"):
        cssrs_risk({"q1": True, "q2": False, "q4": True, "q6": False})


def test_q3_to_q5_must_be_answered_when_q2_is_yes():
    with pytest.raises(ValueError, match="q4, q5 must be answered"):
        cssrs_risk({"q1": True, "q2": True, "q3": False, "q6": False})


def test_recency_is_asked_only_after_a_yes_to_q6():
    with pytest.raises(ValueError, match="q6_past_3_months must be answered"):
        cssrs_risk({"q1": False, "q2": False, "q6": True})
    with pytest.raises(ValueError, match="only when q6 is yes"):
        cssrs_risk({"q1": False, "q2": False, "q6": False, "q6_past_3_months": True})
    assert cssrs_risk({**NO, "q6_past_3_months": False}) == "none"


@pytest.mark.parametrize("missing", ["q1", "q2", "q6"])
def test_always_asked_questions_must_be_answered(missing):
    answers = {k: v for k, v in NO.items() if k != missing}
    with pytest.raises(ValueError, match=f"{missing} must be answered"):
        cssrs_risk(answers)


@pytest.mark.parametrize(
    "answers", [{**NO, "q1": 1}, {**NO, "q7": True}, [True] * 6, {**NO, "q2": "no"}]
)
def test_bad_answers_are_refused(answers):
    with pytest.raises(ValueError):
        cssrs_risk(answers)


def test_the_reason_names_the_deciding_answer():
    assert cssrs_triage(NO) == ("none", None)
    assert cssrs_triage(yes("q1", "q6", recent=True)) == ("high", "cssrs:q6-recent")
    assert "within the past 3 months" in crisis_reason("cssrs:q6-recent")
    assert cssrs_triage(yes("q1", "q3")) == ("moderate", "cssrs:q3")
    assert crisis_reason("cssrs:q3") == (
        "C-SSRS screener: moderate risk (yes to question 3, thinking about a method)"
    )
    with pytest.raises(ValueError):
        crisis_reason("cssrs:q9")
