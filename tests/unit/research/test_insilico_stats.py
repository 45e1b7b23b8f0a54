"""The in-silico trials' interval methods against published and independent values."""

from __future__ import annotations

import math
import random

import pytest
from scipy import stats

from careverse.research.insilico_stats import (
    mean_interval,
    newcombe_difference,
    welch_difference,
    wilson,
)


def test_wilson_matches_newcombe_1998_single_proportion_examples():
    # Newcombe RG, Stat Med 1998;17:857-872, Table I (method 3, score without correction).
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=1e-4)
    assert wilson(1, 29) == pytest.approx((0.0061, 0.1718), abs=1e-4)


def test_newcombe_hybrid_score_difference_matches_the_paper():
    # Newcombe RG, Stat Med 1998;17:873-890, Table II, method 10: 56/70 - 48/80.
    d, low, high = newcombe_difference(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    # 9/10 - 3/10: (0.1705, 0.8090) in the same table.
    assert newcombe_difference(9, 10, 3, 10)[1:] == pytest.approx((0.1705, 0.8090), abs=1e-4)


def test_welch_difference_matches_scipy():
    rng = random.Random(4)
    a = [rng.gauss(80, 9) for _ in range(37)]
    b = [rng.gauss(74, 4) for _ in range(52)]
    d, low, high = welch_difference(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert d == pytest.approx(sum(a) / len(a) - sum(b) / len(b))
    assert (low, high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_mean_interval_is_the_t_interval():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    m, low, high = mean_interval(values)
    half = stats.t.ppf(0.975, 4) * math.sqrt(2.5) / math.sqrt(5)
    assert (m, low, high) == pytest.approx((3.0, 3.0 - half, 3.0 + half))


def test_identical_arms_give_a_zero_width_interval_not_an_error():
    assert welch_difference([5.0, 5.0, 5.0], [5.0, 5.0]) == (0.0, 0.0, 0.0)
