"""In-silico trials: the engine's coarse 1 Hz step against its 20 Hz, the trial file's checks,
determinism, and the directions the arms must take."""

from __future__ import annotations

import statistics

import pytest
from pydantic import ValidationError

from careverse.research.insilico import TrialSpec, cohort, load_trial, parse_trial, run_trial
from careverse.training.physiology import Simulation


def _course(rate_hz: int, condition: str, severity: float, actions, hours: float):
    sim = Simulation(seed=3, rate_hz=rate_hz)
    sim.apply(condition, severity=severity)
    out, t = [], 0
    todo = sorted(actions)
    while t < hours * 3600:
        while todo and todo[0][0] <= t:
            _, name, params = todo.pop(0)
            sim.apply(name, **params)
        v = sim.advance(60)
        t += 60
        out.append(v)
    return out


@pytest.mark.parametrize(
    ("condition", "severity", "actions"),
    [
        ("sepsis", 0.5, [(600, "fluid_bolus", {"volume_ml": 1000}), (1800, "antibiotics", {})]),
        ("heart_failure", 0.75, [(1800, "oxygen", {"flow_l_min": 10})]),
        (
            "haemorrhage",
            0.4,
            [(900, "stop_bleeding", {}), (960, "fluid_bolus", {"volume_ml": 1000})],
        ),
    ],
)
def test_one_hertz_follows_twenty_hertz(condition, severity, actions):
    # The physiological noise draws differ between rates (one draw per step), so each minute
    # differs by the noise; its 15-minute means must agree closely.
    fine = _course(20, condition, severity, actions, 2)
    coarse = _course(1, condition, severity, actions, 2)
    assert [v.arrest for v in coarse] == [v.arrest for v in fine]
    for vital, tolerance in (("mean_bp", 1.0), ("spo2", 0.5), ("heart_rate", 2.0)):
        for start in range(0, len(fine), 15):
            a = statistics.fmean(v[vital] for v in fine[start : start + 15])
            b = statistics.fmean(v[vital] for v in coarse[start : start + 15])
            assert b == pytest.approx(a, abs=tolerance), (vital, start)
    # the whole course's extremes agree more tightly
    assert min(v.mean_bp for v in coarse) == pytest.approx(min(v.mean_bp for v in fine), abs=1.0)
    assert min(v.spo2 for v in coarse) == pytest.approx(min(v.spo2 for v in fine), abs=1.0)


def test_default_rate_is_unchanged_and_bad_rates_are_refused():
    assert Simulation().rate_hz == 20
    sim = Simulation(rate_hz=1)
    sim.advance(2.5)
    assert sim.time_s == 2.0  # whole steps only, the remainder carried
    sim.advance(0.5)
    assert sim.time_s == 3.0
    for bad in (0, 101, 2.5, True):
        with pytest.raises(ValueError, match="rate_hz"):
            Simulation(rate_hz=bad)  # type: ignore[arg-type]


def _small(trial_id: str, size: int, **changes) -> TrialSpec:
    data = load_trial(trial_id).model_dump()
    data["cohort"]["size"] = size
    data.update(changes)
    return TrialSpec.model_validate(data)


def test_the_same_seed_gives_the_same_answer_with_one_or_two_processes():
    spec = _small("sepsis_fluids", 12, duration_s=3600)
    one = run_trial(spec, workers=1, chunk=4)
    two = run_trial(spec, workers=2, chunk=4)
    assert one["outcomes"] == two["outcomes"]
    assert one["chart"] == two["chart"]
    other = run_trial(_small("sepsis_fluids", 12, duration_s=3600, seed=7), workers=1)
    assert other["outcomes"] != one["outcomes"]


def test_allocation_is_balanced_and_profiles_stay_in_range():
    patients = cohort(_small("sepsis_fluids", 101))
    sizes = [sum(1 for p in patients if p.arm == arm) for arm in (0, 1)]
    assert sorted(sizes) == [50, 51]
    assert all(18 <= p.profile["age_years"] <= 95 for p in patients)
    assert all(0.3 <= p.severity <= 0.6 for p in patients)
    assert {p.profile["sex"] for p in patients} == {"female", "male"}


def test_more_fluid_in_sepsis_raises_blood_pressure():
    result = run_trial(_small("sepsis_fluids", 16, duration_s=7200), workers=2, chunk=4)
    by_id = {o["id"]: o for o in result["outcomes"]}
    restrictive, liberal = by_id["map_min"]["by_arm"]
    assert (restrictive["arm"], liberal["arm"]) == ("restrictive", "liberal")
    assert liberal["mean"] > restrictive["mean"]
    minutes = by_id["minutes_map_below_65"]["estimates"][0]
    assert minutes["measure"] == "difference_in_means" and minutes["method"] == "welch"
    assert minutes["estimate"] < 0  # less time hypotensive with more fluid
    assert minutes["ci_low"] <= minutes["estimate"] <= minutes["ci_high"]
    arrest = by_id["arrest"]["estimates"][0]
    assert arrest["measure"] == "risk_difference" and arrest["method"] == "newcombe_hybrid_score"
    assert len(result["chart"]["minutes"]) == len(result["chart"]["arms"][0]["mean_bp"]) == 61


def test_early_oxygen_in_hypoxaemia_keeps_saturation_higher():
    result = run_trial(_small("hypoxia_oxygen", 12, duration_s=5400), workers=2, chunk=3)
    by_id = {o["id"]: o for o in result["outcomes"]}
    late, early = by_id["spo2_min"]["by_arm"]
    assert early["mean"] > late["mean"]
    assert by_id["minutes_spo2_below_90"]["estimates"][0]["estimate"] < 0


def test_trial_files_are_checked_with_the_field_named():
    good = load_trial("sepsis_fluids").model_dump()
    bad_action = {**good, "arms": [
        {"name": "a", "actions": [{"at_s": 0, "action": "leeches"}]}, good["arms"][1]]}  # fmt: skip
    with pytest.raises(ValidationError, match="unknown intervention 'leeches'"):
        TrialSpec.model_validate(bad_action)
    bad_param = {**good, "arms": [
        {"name": "a", "actions": [{"at_s": 0, "action": "fluid_bolus",
                                   "params": {"volume_ml": 9000}}]}, good["arms"][1]]}  # fmt: skip
    with pytest.raises(ValidationError, match="volume_ml must be between 1 and 3000"):
        TrialSpec.model_validate(bad_param)
    young = {
        **good,
        "cohort": {**good["cohort"], "age_years": {"kind": "normal", "mean": 30, "sd": 5}},
    }
    with pytest.raises(ValidationError, match=r"age_years must be drawn within 16\.\.100"):
        TrialSpec.model_validate(young)
    with pytest.raises(ValidationError, match="extra"):
        TrialSpec.model_validate({**good, "colour": "blue"})
    with pytest.raises(ValidationError, match="needs threshold"):
        TrialSpec.model_validate(
            {**good, "outcomes": [{"id": "x", "kind": "ever_below", "vital": "spo2"}]}
        )
    with pytest.raises(ValueError, match="one object"):
        parse_trial("[1, 2]")


def test_yaml_trial_files_are_read():
    text = """
id: tiny
title: Tiny
condition: {name: asthma, severity: {kind: fixed, value: 0.5}}
cohort: {size: 4}
arms:
  - {name: none}
  - {name: salbutamol, actions: [{at_s: 60, action: salbutamol, params: {dose_mg: 5}}]}
duration_s: 600
outcomes: [{id: rr_end, kind: end, vital: respiration_rate}]
"""
    spec = parse_trial(text)
    assert spec.arms[1].actions[0].params == {"dose_mg": 5}
    result = run_trial(spec, workers=1)
    assert [a["n"] for a in result["arms"]] == [2, 2]
