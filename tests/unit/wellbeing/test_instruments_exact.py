"""What mutation testing found the instrument tests did not pin (docs/testing.md, "Mutation
testing"): a crisis reason kept when other answers are missing, the deciding C-SSRS answer being
the riskiest one, no percentage outside the WHO-5, and the 422's words naming what is wrong."""

from __future__ import annotations

import pytest

from careverse.wellbeing.instruments import crisis_reason, cssrs_triage, instrument, score


def test_a_crisis_answer_keeps_its_reason_when_other_answers_are_missing():
    result = score("phq9", [None, None, 2, None, 0, 0, 0, 0, 2])
    assert result.code == "phq9" and result.total is None
    assert result.crisis == ("phq9-item9:2",)  # the alert still says why
    assert result.crisis_reasons == ("PHQ-9 item 9 answered 'more than half the days'",)


@pytest.mark.parametrize("code", ["phq9", "gad7", "phq2", "gad2"])
def test_only_the_who5_has_a_percentage(code):
    n = len(instrument(code).items)
    result = score(code, [1] * n)
    assert (result.code, result.total, result.percentage) == (code, n, None)


@pytest.mark.parametrize(
    ("answers", "triage"),
    [
        # Behaviour over 3 months ago is moderate: a yes to 4 or 5 still decides (high).
        (
            {
                "q1": True,
                "q2": True,
                "q3": False,
                "q4": True,
                "q5": False,
                "q6": True,
                "q6_past_3_months": False,
            },
            ("high", "cssrs:q4"),
        ),
        (
            {
                "q1": True,
                "q2": True,
                "q3": True,
                "q4": False,
                "q5": True,
                "q6": True,
                "q6_past_3_months": False,
            },
            ("high", "cssrs:q5"),
        ),
        (
            {"q1": True, "q2": True, "q3": True, "q4": False, "q5": False, "q6": False},
            ("moderate", "cssrs:q3"),
        ),
    ],
)
def test_the_riskiest_answer_decides_not_the_last_question(answers, triage):
    assert cssrs_triage(answers) == triage


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([True] * 6, "C-SSRS answers must be an object of q1…q6 and q6_past_3_months."),
        (
            {"q1": True, "q9": True},
            "C-SSRS answers may only name q1, q2, q3, q4, q5, q6, q6_past_3_months.",
        ),
        ({"q1": 1, "q2": False, "q6": False}, "C-SSRS q1: answer must be true, false or null."),
        (
            {"q1": False, "q2": False, "q6": False, "q6_past_3_months": True},
            "C-SSRS q6_past_3_months is asked only when q6 is yes.",
        ),
    ],
)
def test_a_refused_cssrs_says_exactly_what_is_wrong(answers, message):
    with pytest.raises(ValueError) as caught:
        cssrs_triage(answers)
    assert str(caught.value) == message


def test_a_refused_questionnaire_says_exactly_what_is_wrong():
    with pytest.raises(ValueError) as caught:
        score("phq2", "12")
    assert str(caught.value) == "Answers must be a list of item scores."
    with pytest.raises(ValueError) as caught:
        instrument("bdi")
    assert str(caught.value) == (
        "Unknown instrument; expected one of cssrs, gad2, gad7, phq2, phq9, who5."
    )


@pytest.mark.parametrize("code", ["bogus:1", "phq9-item1:1", "cssrs:q7", "phq9-item9:"])
def test_an_unknown_crisis_reason_is_refused_as_such(code):
    with pytest.raises(ValueError, match=r"^Unknown crisis reason\.$"):
        crisis_reason(code)
