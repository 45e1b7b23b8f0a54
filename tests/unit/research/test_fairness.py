"""Disaggregation: MetricFrame values and bootstrap intervals, suppression, the flag rule."""

from __future__ import annotations

import random

import pytest

from careverse.research.fairness import SMALL_CELL, age_band, disaggregate


def _rates(n_a: int, p_a: float, n_b: int, p_b: float, seed: int = 1):
    rng = random.Random(seed)
    values = [1.0 if i < round(n_a * p_a) else 0.0 for i in range(n_a)]
    values += [1.0 if i < round(n_b * p_b) else 0.0 for i in range(n_b)]
    groups = ["a"] * n_a + ["b"] * n_b
    order = list(range(len(values)))
    rng.shuffle(order)
    return [values[i] for i in order], [groups[i] for i in order]


def test_group_values_intervals_and_a_flagged_disparity():
    values, groups = _rates(200, 0.3, 150, 0.1)
    d = disaggregate("sex", values, groups, "rate", seed=3, n_boot=100)
    by = {g.group: g for g in d.groups}
    assert by["a"].value == pytest.approx(0.3) and by["b"].value == pytest.approx(0.1)
    for g in by.values():
        assert g.ci_low is not None and g.ci_high is not None
        assert g.ci_low < g.value < g.ci_high  # type: ignore[operator]
    assert d.ratio == pytest.approx(1 / 3, abs=1e-3)
    assert d.flagged and d.ratio_ci_high is not None and d.ratio_ci_high < 1.0
    assert (d.lowest, d.highest) == ("b", "a")
    assert disaggregate("sex", values, groups, "rate", seed=3, n_boot=100) == d  # seeded


def test_a_small_difference_or_a_wide_interval_is_not_flagged():
    close = disaggregate("sex", *_rates(200, 0.30, 200, 0.27), "rate", seed=1, n_boot=100)
    assert close.ratio is not None and close.ratio > 0.8 and not close.flagged
    # a large ratio on tiny groups: its interval reaches 1, so no flag
    tiny = disaggregate("sex", *_rates(12, 0.25, 12, 0.5), "rate", seed=1, n_boot=100)
    assert tiny.ratio == pytest.approx(0.5)
    assert tiny.ratio_ci_high is not None and tiny.ratio_ci_high >= 1.0 and not tiny.flagged


def test_small_cells_are_suppressed_and_left_out_of_the_ratio():
    values = [1.0] * 5 + [0.0] * 30 + [1.0] * 15 + [0.0] * 15
    groups = ["x"] * 5 + ["y"] * 30 + ["z"] * 30
    d = disaggregate("language", values, groups, "rate", n_boot=50)
    by = {g.group: g for g in d.groups}
    assert by["x"].suppressed and by["x"].n is None and by["x"].value is None
    assert by["y"].n == 30 and by["z"].value == pytest.approx(0.5)
    assert d.ratio == 0.0  # y's 0 over z's 0.5; x (all alerted) takes no part
    only = disaggregate("language", [1.0] * 12 + [0.0] * 3, ["y"] * 12 + ["x"] * 3, "rate")
    assert only.ratio is None and not only.flagged and "fewer than two" in only.note
    none = disaggregate("language", [1.0] * (SMALL_CELL - 1), ["y"] * (SMALL_CELL - 1), "rate")
    assert none.groups[0].suppressed and none.overall is None


def test_medians():
    values = list(range(1, 31)) + list(range(101, 131))
    d = disaggregate("age_band", values, ["old"] * 30 + ["young"] * 30, "median", n_boot=50)
    by = {g.group: g for g in d.groups}
    assert by["old"].value == pytest.approx(15.5) and by["young"].value == pytest.approx(115.5)


def test_age_bands():
    today = "2026-12-01"
    assert age_band("1990-12-02", today) == "16-39"  # 35
    assert age_band("1986-12-01", today) == "40-64"  # 40 today
    assert age_band("1961-12-02", today) == "40-64"  # 64
    assert age_band("1946-06-01", today) == "80+"
    assert age_band("1950-01-01", today) == "65-79"
    assert age_band("2015-01-01", today) == "under 16"
    assert age_band(None, today) == age_band("not a date", today) == "not recorded"


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        disaggregate("sex", [1.0], ["a", "b"], "rate")
