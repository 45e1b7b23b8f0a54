"""The instrument engine: every band edge, missing data, bad input, and the sum property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careverse.wellbeing.catalogue import SCORED
from careverse.wellbeing.instruments import important_change, score


def answers_totalling(code: str, total: int) -> list[int]:
    """Item scores in item order that add up to ``total`` (filled from the first item)."""
    inst = SCORED[code]
    top, out = inst.max_item_score, []
    for _ in inst.items:
        out.append(min(top, total))
        total -= out[-1]
    assert total == 0, "total out of range for the instrument"
    return out


def edges(bands: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Both sides of every cut-off: each band's lowest and highest total."""
    return [(t, label) for low, high, label in bands for t in (low, high)]


PHQ9_BANDS = [
    (0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"),
    (20, 27, "severe"),
]  # fmt: skip
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]
SCREEN_BANDS = [(0, 2, "negative screen"), (3, 6, "positive screen")]


@pytest.mark.parametrize(("total", "band"), edges(PHQ9_BANDS))
def test_phq9_band_edges(total, band):
    # Item 9 stays 0 here (filled from the first item) unless the total needs all nine.
    result = score("phq9", answers_totalling("phq9", total))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(("total", "band"), edges(GAD7_BANDS))
def test_gad7_band_edges(total, band):
    result = score("gad7", answers_totalling("gad7", total))
    assert (result.total, result.band) == (total, band)
    assert result.flags == set()


@pytest.mark.parametrize("code", ["phq2", "gad2"])
@pytest.mark.parametrize(("total", "band"), edges(SCREEN_BANDS))
def test_two_item_screens_are_positive_at_three(code, total, band):
    result = score(code, answers_totalling(code, total))
    assert (result.total, result.band) == (total, band)
    assert (f"{code}-positive" in result.flags) is (total >= 3)


@pytest.mark.parametrize(
    ("raw", "percentage", "band"),
    [
        (0, 0, "likely depression"),
        (7, 28, "likely depression"),  # percentage ≤ 28
        (8, 32, "poor wellbeing"),
        (12, 48, "poor wellbeing"),  # raw < 13
        (13, 52, "adequate wellbeing"),
        (25, 100, "adequate wellbeing"),
    ],
)
def test_who5_band_edges_and_percentage(raw, percentage, band):
    result = score("who5", answers_totalling("who5", raw))
    assert (result.total, result.percentage, result.band) == (raw, percentage, band)


def test_phq9_item9_flags_and_says_why():
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.flags == {"phq9-item9"}
    assert result.crisis == ("phq9-item9:1",)
    assert result.crisis_reasons == ("PHQ-9 item 9 answered 'several days'",)
    assert score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).flags == set()
    assert score("phq9", [0] * 8 + [3]).crisis_reasons == (
        "PHQ-9 item 9 answered 'nearly every day'",
    )


def test_item9_flags_even_when_other_items_are_missing():
    result = score("phq9", [None, None, 2, None, 0, 0, 0, 0, 2])
    assert result.total is None and result.band is None and result.missing == 3
    assert result.flags == {"phq9-item9"}


@pytest.mark.parametrize("code", sorted(SCORED))
def test_a_missing_answer_is_never_scored_as_zero(code):
    n = len(SCORED[code].items)
    for position in range(n):
        answers: list[int | None] = [0] * n
        answers[position] = None
        result = score(code, answers)
        assert (result.total, result.band, result.missing) == (None, None, 1)
        assert result.percentage is None
    assert score(code, [None] * n).missing == n


def test_a_missing_answer_in_a_two_item_screen_gives_no_screen_result():
    result = score("phq2", [3, None])  # 3 would already be positive, but the manual gives no rule
    assert result.total is None and "phq2-positive" not in result.flags


@pytest.mark.parametrize(
    ("code", "answers", "words"),
    [
        ("phq9", [0] * 8, "9 items; 8 answers"),
        ("phq9", [0] * 10, "9 items; 10 answers"),
        ("gad7", [0] * 6 + [4], "item 7"),
        ("phq9", [-1] + [0] * 8, "item 1"),
        ("who5", [6, 0, 0, 0, 0], "0 to 5"),
        ("phq2", [1.0, 0], "item 1"),
        ("phq2", [True, 0], "item 1"),
        ("phq2", ["1", 0], "item 1"),
        ("phq2", "12", "list"),
        ("phq2", {"a": 1}, "list"),
        ("phq8", [0] * 8, "Unknown instrument"),
        ("cssrs", [0] * 6, "Unknown instrument"),
    ],
)
def test_bad_answers_are_refused_clearly(code, answers, words):
    with pytest.raises(ValueError, match=words):
        score(code, answers)


def test_error_messages_do_not_repeat_the_answer():
    with pytest.raises(ValueError) as caught:
        score("phq9", [0] * 8 + [77])
    assert "77" not in str(caught.value)


def test_tuples_are_accepted_like_lists():
    assert score("gad2", (1, 2)).total == 3


@st.composite
def complete_answers(draw):
    code = draw(st.sampled_from(sorted(SCORED)))
    inst = SCORED[code]
    items = [st.integers(0, inst.max_item_score) for _ in inst.items]
    return code, draw(st.tuples(*items))


@given(complete_answers())
def test_total_is_the_sum_when_complete(case):
    code, answers = case
    result = score(code, answers)
    assert result.total == sum(answers) and result.missing == 0
    inst = SCORED[code]
    on = result.total * 4 if code == "who5" else result.total
    (band,) = [b.label for b in inst.bands if b.low <= on <= b.high]
    assert result.band == band
    assert ("phq9-item9" in result.flags) is (code == "phq9" and answers[8] >= 1)


# ---- the minimal clinically important change ------------------------------------------------


@pytest.mark.parametrize(
    ("code", "before", "after", "expected"),
    [
        ("phq9", 15, 11, None),  # 4 points: under the 5 of Löwe et al. 2004
        ("phq9", 15, 10, "improved"),  # exactly 5
        ("phq9", 10, 15, "worsened"),
        ("phq9", 10, 14, None),
        ("gad7", 12, 9, None),  # 3: under the 4 of Toussaint et al. 2020
        ("gad7", 12, 8, "improved"),
        ("gad7", 8, 12, "worsened"),
        ("who5", 40, 49, None),  # percentage points: 9 < 10
        ("who5", 40, 50, "improved"),  # higher is better on the WHO-5
        ("who5", 50, 40, "worsened"),
        ("phq9", None, 10, None),  # a missing total is never compared
        ("phq9", 10, None, None),
        ("phq2", 0, 6, None),  # the screeners have no threshold
        ("gad2", 6, 0, None),
    ],
)
def test_important_change_edges(code, before, after, expected) -> None:
    assert important_change(code, before, after) == expected


def test_important_change_of_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown instrument"):
        important_change("bdi", 1, 10)
