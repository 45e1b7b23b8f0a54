"""NEWS2's limits and messages, to the digit: what a measurement can be (beyond it the input is
refused, naming the parameter and never the value) and the result's lookup by parameter. Written
to kill the mutants that survived tests/unit/monitoring/test_news2.py (tests/mutation-baseline.txt).
"""

from __future__ import annotations

import pytest

from careverse.monitoring import news2

# (parameter, its scoring function, the highest value a measurement can take)
LIMITS = [
    ("respiration_rate", news2.respiration_score, 200),
    ("spo2", lambda v: news2.spo2_score(v, on_oxygen=False), 100),
    ("systolic_bp", news2.systolic_score, 400),
    ("pulse", news2.pulse_score, 400),
    ("temperature", news2.temperature_score, 50),
]


@pytest.mark.parametrize(("name", "fn", "high"), LIMITS, ids=[limit[0] for limit in LIMITS])
def test_each_parameter_takes_values_up_to_its_limit_and_no_further(name, fn, high):
    assert fn(0) >= 0 and fn(high) >= 0  # both ends are measurements
    for beyond in (high + 0.01, -0.01, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=rf"^{name} is outside the range a measurement can "
                                             r"take$"):  # fmt: skip
            fn(beyond)
    for not_a_number in ("7", True, None):
        with pytest.raises(ValueError, match=rf"^{name} must be a number$"):
            fn(not_a_number)


def test_consciousness_and_oxygen_refusals_say_what_is_expected():
    with pytest.raises(ValueError, match=r"^consciousness must be one of A, C, V, P, U \(ACVPU\)$"):
        news2.consciousness_level("drowsy")
    with pytest.raises(ValueError, match=r"^on_oxygen must be true or false$"):
        news2.oxygen_score("yes")  # type: ignore[arg-type]
    for call in (
        lambda: news2.spo2_score(95, on_oxygen=False, scale=3),
        lambda: news2.score(respiration_rate=None, spo2=None, on_oxygen=None, systolic_bp=None,
                            pulse=None, consciousness=None, temperature=None, spo2_scale=0),
    ):  # fmt: skip
        with pytest.raises(ValueError, match=r"^spo2_scale must be 1 or 2$"):
            call()


def test_spo2_is_read_on_scale_1_unless_told_otherwise():
    assert news2.spo2_score(90, on_oxygen=False) == 3  # scale 2 on air would score 0
    assert news2.spo2_score(90, on_oxygen=False, scale=2) == 0


def test_a_result_is_read_by_parameter_and_none_for_what_was_not_observed():
    result = news2.score(respiration_rate=25, spo2=None, on_oxygen=False, systolic_bp=None,
                         pulse=120, consciousness="A", temperature=None)  # fmt: skip
    assert result["respiration_rate"] == 3 and result["pulse"] == 2
    assert result["on_oxygen"] == 0 and result["consciousness"] == 0
    assert result["spo2"] is None and result["temperature"] is None
