"""NEWS2 against the Royal College of Physicians' 2017 chart: every band boundary, both sides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careverse.monitoring import news2

NORMAL = {
    "respiration_rate": 16,
    "spo2": 97,
    "on_oxygen": False,
    "systolic_bp": 120,
    "pulse": 70,
    "consciousness": "A",
    "temperature": 37.0,
}


def scored(**changes) -> news2.News2:
    return news2.score(**{**NORMAL, **changes})


# ---- every boundary of every parameter, both sides --------------------------------------------

RESPIRATION = [
    (0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3),
]  # fmt: skip
SPO2_SCALE_1 = [(50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
SPO2_SCALE_2_AIR = [
    (50, 3), (83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0), (93, 0), (100, 0),
]  # fmt: skip
SPO2_SCALE_2_OXYGEN = [
    (50, 3), (83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0), (93, 1), (94, 1),
    (95, 2), (96, 2), (97, 3), (100, 3),
]  # fmt: skip
SYSTOLIC = [(60, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)]
PULSE = [
    (30, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2),
    (131, 3), (200, 3),
]  # fmt: skip
TEMPERATURE = [
    (33.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1),
    (39.1, 2), (41.0, 2),
]  # fmt: skip
CONSCIOUSNESS = [
    ("A", 0),
    ("C", 3),
    ("V", 3),
    ("P", 3),
    ("U", 3),
    ("alert", 0),
    ("new confusion", 3),
]


@pytest.mark.parametrize(("value", "points"), RESPIRATION)
def test_respiration_rate(value, points):
    result = scored(respiration_rate=value)
    assert result.scores["respiration_rate"] == points
    assert result.total == points


@pytest.mark.parametrize(("value", "points"), SPO2_SCALE_1)
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale_1_ignores_oxygen_for_the_saturation_score(value, points, on_oxygen):
    result = scored(spo2=value, on_oxygen=on_oxygen)
    assert result.scores["spo2"] == points
    assert result.scores["on_oxygen"] == (2 if on_oxygen else 0)


@pytest.mark.parametrize(("value", "points"), SPO2_SCALE_2_AIR)
def test_spo2_scale_2_on_air(value, points):
    result = scored(spo2=value, on_oxygen=False, spo2_scale=2)
    assert result.scores["spo2"] == points
    assert result.scores["on_oxygen"] == 0
    assert result.spo2_scale == 2


@pytest.mark.parametrize(("value", "points"), SPO2_SCALE_2_OXYGEN)
def test_spo2_scale_2_on_oxygen(value, points):
    result = scored(spo2=value, on_oxygen=True, spo2_scale=2)
    assert result.scores["spo2"] == points
    assert result.scores["on_oxygen"] == 2
    assert result.total == points + 2


@pytest.mark.parametrize(("on_oxygen", "points"), [(False, 0), (True, 2)])
def test_air_or_oxygen(on_oxygen, points):
    assert scored(on_oxygen=on_oxygen).scores["on_oxygen"] == points


@pytest.mark.parametrize(("value", "points"), SYSTOLIC)
def test_systolic_bp(value, points):
    assert scored(systolic_bp=value).scores["systolic_bp"] == points


@pytest.mark.parametrize(("value", "points"), PULSE)
def test_pulse(value, points):
    assert scored(pulse=value).scores["pulse"] == points


@pytest.mark.parametrize(("value", "points"), CONSCIOUSNESS)
def test_consciousness_acvpu(value, points):
    assert scored(consciousness=value).scores["consciousness"] == points


@pytest.mark.parametrize(("value", "points"), TEMPERATURE)
def test_temperature(value, points):
    assert scored(temperature=value).scores["temperature"] == points


# ---- values between chart rows: rounded to the chart's resolution, halves upward ---------------


@pytest.mark.parametrize(
    ("changes", "parameter", "points"),
    [
        ({"temperature": 36.05}, "temperature", 0),  # → 36.1
        ({"temperature": 36.04}, "temperature", 1),  # → 36.0
        ({"temperature": 35.05}, "temperature", 1),  # → 35.1
        ({"temperature": 38.05}, "temperature", 1),  # → 38.1
        ({"temperature": 39.04}, "temperature", 1),  # → 39.0
        ({"respiration_rate": 20.5}, "respiration_rate", 2),  # → 21
        ({"respiration_rate": 20.49}, "respiration_rate", 0),  # → 20
        ({"respiration_rate": 8.5}, "respiration_rate", 1),  # → 9
        ({"spo2": 95.5}, "spo2", 0),  # → 96
        ({"spo2": 91.4}, "spo2", 3),  # → 91
        ({"systolic_bp": 90.5}, "systolic_bp", 2),  # → 91
        ({"systolic_bp": 219.5}, "systolic_bp", 3),  # → 220
        ({"pulse": 90.5}, "pulse", 1),  # → 91
        ({"pulse": 50.4}, "pulse", 1),  # → 50
    ],
)
def test_values_between_rows_round_to_the_chart(changes, parameter, points):
    assert scored(**changes).scores[parameter] == points


def test_chart_value_rounds_half_up_exactly():
    assert str(news2.chart_value(36.05, news2._TENTH)) == "36.1"
    assert str(news2.chart_value(20.5)) == "21"
    assert str(news2.chart_value(2.5)) == "3"  # not banker's rounding


# ---- risk bands ---------------------------------------------------------------------------------


def test_all_normal_is_low_zero():
    result = scored()
    assert (result.total, result.risk, result.partial, result.missing) == (0, "low", False, ())


@pytest.mark.parametrize(
    ("changes", "total", "risk"),
    [
        ({"pulse": 95, "temperature": 38.5}, 2, "low"),
        ({"pulse": 95, "temperature": 38.5, "respiration_rate": 22}, 4, "low"),
        ({"consciousness": "C"}, 3, "low-medium"),  # a single 3
        ({"respiration_rate": 25}, 3, "low-medium"),
        ({"systolic_bp": 90, "pulse": 95}, 4, "low-medium"),
        ({"pulse": 115, "respiration_rate": 22, "temperature": 38.5}, 5, "medium"),
        ({"pulse": 115, "respiration_rate": 22, "temperature": 39.5}, 6, "medium"),
        ({"consciousness": "V", "respiration_rate": 22}, 5, "medium"),  # a 3 inside a 5
        ({"pulse": 115, "respiration_rate": 22, "spo2": 93, "temperature": 38.5}, 7, "high"),
        ({"spo2": 85, "on_oxygen": True, "respiration_rate": 26, "systolic_bp": 85}, 11, "high"),
    ],
)
def test_risk_bands(changes, total, risk):
    result = scored(**changes)
    assert result.total == total
    assert result.risk == risk


@pytest.mark.parametrize(
    ("total", "scores", "risk"),
    [
        (0, {}, "low"),
        (4, {"a": 1, "b": 1, "c": 2}, "low"),
        (3, {"a": 3}, "low-medium"),
        (4, {"a": 3, "b": 1}, "low-medium"),
        (5, {"a": 2, "b": 2, "c": 1}, "medium"),
        (6, {"a": 3, "b": 3}, "medium"),
        (7, {"a": 3, "b": 2, "c": 2}, "high"),
        (20, {"a": 3}, "high"),
    ],
)
def test_risk_of(total, scores, risk):
    assert news2.risk_of(total, scores) == risk


# ---- partial sets -------------------------------------------------------------------------------


def test_a_partial_set_is_scored_and_names_what_is_missing():
    result = news2.score(
        respiration_rate=22, spo2=None, on_oxygen=None, systolic_bp=None, pulse=115,
        consciousness=None, temperature=None,
    )  # fmt: skip
    assert result.total == 4
    assert result.partial is True
    assert result.missing == ("spo2", "on_oxygen", "systolic_bp", "consciousness", "temperature")
    assert result.scores == {"respiration_rate": 2, "pulse": 2}
    assert result["spo2"] is None


def test_nothing_observed_scores_zero_and_is_wholly_partial():
    result = news2.score(
        respiration_rate=None, spo2=None, on_oxygen=None, systolic_bp=None, pulse=None,
        consciousness=None, temperature=None,
    )  # fmt: skip
    assert (result.total, result.risk, result.missing) == (0, "low", news2.PARAMETERS)


def test_a_partial_set_with_a_single_three_is_low_medium():
    result = news2.score(
        respiration_rate=None, spo2=90, on_oxygen=None, systolic_bp=None, pulse=None,
        consciousness=None, temperature=None,
    )  # fmt: skip
    assert (result.total, result.risk, result.partial) == (3, "low-medium", True)


def test_scale_2_with_oxygen_unknown_scores_saturation_as_on_air():
    result = scored(spo2=97, on_oxygen=None, spo2_scale=2)
    assert result.scores["spo2"] == 0
    assert "on_oxygen" in result.missing


# ---- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"spo2": 101},
        {"spo2": -1},
        {"pulse": float("nan")},
        {"temperature": float("inf")},
        {"respiration_rate": "fast"},
        {"consciousness": "X"},
        {"on_oxygen": "yes"},
        {"spo2_scale": 3},
    ],
)
def test_impossible_inputs_are_refused_without_echoing_the_value(changes):
    with pytest.raises(ValueError) as caught:
        scored(**changes)
    for value in changes.values():
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            assert str(value) not in str(caught.value)


# ---- properties ---------------------------------------------------------------------------------


def maybe(strategy):
    return st.none() | strategy


observations = st.fixed_dictionaries(
    {
        "respiration_rate": maybe(st.floats(0, 80)),
        "spo2": maybe(st.floats(40, 100)),
        "on_oxygen": maybe(st.booleans()),
        "systolic_bp": maybe(st.floats(40, 300)),
        "pulse": maybe(st.floats(20, 250)),
        "consciousness": maybe(st.sampled_from("ACVPU")),
        "temperature": maybe(st.floats(30, 44)),
        "spo2_scale": st.sampled_from([1, 2]),
    }
)


@given(observations)
def test_total_is_the_sum_of_the_parts_and_the_risk_follows_the_bands(obs):
    result = news2.score(**obs)
    assert result.total == sum(result.scores.values())
    assert set(result.scores) | set(result.missing) == set(news2.PARAMETERS)
    assert not set(result.scores) & set(result.missing)
    assert all(0 <= s <= 3 for s in result.scores.values())
    assert result.partial == bool(result.missing)
    expected = (
        "high"
        if result.total >= 7
        else "medium"
        if result.total >= 5
        else "low-medium"
        if 3 in result.scores.values()
        else "low"
    )
    assert result.risk == expected


# Each parameter's score falls towards its normal band and rises away from it (U-shaped).
U_SHAPED = [
    ("respiration_rate", news2.respiration_score, 16, st.floats(0, 80)),
    ("systolic_bp", news2.systolic_score, 150, st.floats(40, 300)),
    ("pulse", news2.pulse_score, 70, st.floats(20, 250)),
    ("temperature", news2.temperature_score, 37.0, st.floats(30, 44)),
    ("spo2 scale 1", lambda v: news2.spo2_score(v, on_oxygen=False), 100, st.floats(40, 100)),
    ("spo2 scale 2 air", lambda v: news2.spo2_score(v, on_oxygen=False, scale=2), 100,
     st.floats(40, 100)),
    ("spo2 scale 2 oxygen", lambda v: news2.spo2_score(v, on_oxygen=True, scale=2), 90,
     st.floats(40, 100)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "fn", "normal", "values"), U_SHAPED, ids=[u[0] for u in U_SHAPED])
def test_bands_are_monotone_away_from_normal(name, fn, normal, values):
    @given(values, values)
    def check(a, b):
        near, far = sorted((a, b), key=lambda v: abs(v - normal))
        if (near - normal) * (far - normal) >= 0:  # same side of normal
            assert fn(far) >= fn(near)
        assert fn(normal) == 0

    check()


@given(st.floats(0, 80), st.floats(0, 80))
def test_a_worse_observation_never_lowers_the_total(low_rate, high_rate):
    low_rate, high_rate = sorted((low_rate, high_rate))
    if low_rate >= 20:  # both above normal: faster breathing never scores lower
        assert scored(respiration_rate=high_rate).total >= scored(respiration_rate=low_rate).total
