"""The physiology engine's directional responses (issue 19), its bounds, determinism and input
checks. Every test runs the real model; times are simulated seconds."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careverse.monitoring.news2 import score as news2
from careverse.training.physiology import (
    ACTIONS,
    CONDITIONS,
    RATE_HZ,
    PatientProfile,
    Simulation,
    Vitals,
    fio2_for_flow,
    severinghaus,
)


def run(condition: str, severity: float, minutes: float, seed: int = 1, **later) -> Simulation:
    sim = Simulation(seed=seed)
    sim.apply(condition, severity=severity)
    sim.advance(minutes * 60)
    return sim


def news2_of(v: Vitals) -> int:
    return news2(
        respiration_rate=v.respiration_rate,
        spo2=v.spo2,
        on_oxygen=v.on_oxygen,
        systolic_bp=v.systolic_bp,
        pulse=v.heart_rate,
        consciousness=v.consciousness,
        temperature=v.temperature,
    ).total


def test_the_default_patient_is_a_healthy_70_kg_adult() -> None:
    profile = PatientProfile()
    assert profile.weight_kg == 70
    assert RATE_HZ == 20
    v = Simulation().vitals()
    assert v.heart_rate == 72 and 120 <= v.systolic_bp <= 130 and 70 <= v.diastolic_bp <= 85
    assert v.mean_bp == pytest.approx(93, abs=1)


def test_a_healthy_adult_stays_in_normal_ranges_for_an_hour() -> None:
    sim = Simulation(seed=3)
    for _ in range(12):
        v = sim.advance(300)
        assert 55 <= v.heart_rate <= 95
        assert 105 <= v.systolic_bp <= 140 and 60 <= v.diastolic_bp <= 90
        assert 11 <= v.respiration_rate <= 18
        assert v.spo2 >= 96 and 36.5 <= v.temperature <= 37.5
        assert v.consciousness == "A" and 33 <= v.etco2 <= 42
        assert 35 <= v.paco2 <= 45 and v.lactate < 1.5 and not v.arrest
        assert news2_of(v) == 0


def test_haemorrhage_raises_heart_rate_and_lowers_pressure() -> None:
    start = Simulation().vitals()
    v = run("haemorrhage", 0.6, 20).vitals()
    assert v.heart_rate > start.heart_rate + 25
    assert v.systolic_bp < start.systolic_bp - 20 and v.mean_bp < start.mean_bp - 10
    assert v.blood_volume < 0.8 * PatientProfile().blood_volume_ml
    assert v.stroke_volume < 50


def test_fluids_restore_pressure_after_bleeding_stops() -> None:
    treated, untreated = run("haemorrhage", 0.6, 20), run("haemorrhage", 0.6, 20)
    for sim in (treated, untreated):
        sim.apply("stop_bleeding")
    low = treated.vitals().mean_bp
    treated.apply("fluid_bolus", volume_ml=1000)
    treated.apply("fluid_bolus", volume_ml=1000)
    a, b = treated.advance(900), untreated.advance(900)
    assert a.mean_bp > low + 15 and a.mean_bp >= 85 and a.mean_bp > b.mean_bp
    # Without fluids the baroreflex holds the mean up with a fast heart and a narrow pulse.
    assert a.systolic_bp > b.systolic_bp + 10 and a.heart_rate < b.heart_rate - 10
    assert a.haemoglobin < b.haemoglobin  # crystalloid dilutes


def test_oxygen_raises_spo2_in_hypoxia() -> None:
    hypoxic = run("heart_failure", 0.8, 15)
    assert hypoxic.vitals().spo2 < 85
    given_oxygen = run("heart_failure", 0.8, 15)
    given_oxygen.apply("oxygen", flow_l_min=15)
    a, b = given_oxygen.advance(300), hypoxic.advance(300)
    assert a.fio2 > 0.8 and a.on_oxygen
    assert a.spo2 > b.spo2 + 10 and a.spo2 >= 92


def test_naloxone_reverses_opioid_respiratory_depression() -> None:
    sim = run("opioid_overdose", 0.9, 3)
    before = sim.vitals()
    assert before.respiration_rate <= 6 and before.consciousness in "PU"
    sim.apply("naloxone", dose_mg=0.4, route="iv")
    after = sim.advance(600)
    untreated = run("opioid_overdose", 0.9, 13).vitals()
    assert after.respiration_rate >= 10 and after.respiration_rate > untreated.respiration_rate
    assert after.paco2 < untreated.paco2 - 15 and after.spo2 > untreated.spo2 + 10
    assert after.consciousness in "AC"


def test_adrenaline_treats_anaphylaxis_and_untreated_it_ends_in_arrest() -> None:
    treated = run("anaphylaxis", 0.8, 3)
    treated.apply("adrenaline", dose_mg=0.5, route="im")
    treated.advance(300)
    treated.apply("adrenaline", dose_mg=0.5, route="im")
    v = treated.advance(900)
    untreated = run("anaphylaxis", 0.8, 18).vitals()
    assert v.systolic_bp >= 100 and v.systolic_bp > untreated.systolic_bp + 30
    assert v.spo2 > untreated.spo2 and not v.arrest
    assert run("anaphylaxis", 0.8, 35).vitals().arrest


def test_salbutamol_relieves_asthma() -> None:
    treated = run("asthma", 0.8, 2)
    treated.apply("salbutamol", dose_mg=5, route="neb")
    a, b = treated.advance(900), run("asthma", 0.8, 17).vitals()
    assert a.spo2 > b.spo2 and a.respiration_rate < b.respiration_rate
    assert a.etco2 > b.etco2  # less bronchospasm: the capnogram's plateau comes back


@pytest.mark.parametrize(
    ("condition", "severity"),
    [("haemorrhage", 0.8), ("sepsis", 0.8), ("anaphylaxis", 0.8), ("asthma", 1.0),
     ("opioid_overdose", 0.9), ("heart_failure", 0.8)],
)  # fmt: skip
def test_untreated_conditions_deteriorate_and_news2_rises(condition: str, severity: float) -> None:
    sim = Simulation(seed=2)
    baseline = news2_of(sim.vitals())
    sim.apply(condition, severity=severity)
    early = news2_of(sim.advance(120))
    late = sim.advance(18 * 60)
    assert news2_of(late) >= 5 and news2_of(late) > baseline
    assert news2_of(late) >= early or late.arrest


@pytest.mark.parametrize(
    ("condition", "severity", "minutes"),
    [("haemorrhage", 0.9, 35), ("anaphylaxis", 1.0, 25), ("opioid_overdose", 1.0, 10),
     ("asthma", 1.0, 15), ("heart_failure", 1.0, 40)],
)  # fmt: skip
def test_untreated_severe_conditions_end_in_arrest(
    condition: str, severity: float, minutes: float
) -> None:
    v = run(condition, severity, minutes).vitals()
    assert v.arrest
    assert v.heart_rate == 0 and v.mean_bp == 0 and v.respiration_rate == 0 and v.etco2 == 0
    assert v.consciousness == "U"


def test_sepsis_brings_fever_tachycardia_and_hypotension_and_antibiotics_halt_it() -> None:
    v = run("sepsis", 0.6, 30).vitals()
    assert v.temperature >= 38.0 and v.heart_rate > 110 and v.mean_bp < 65
    assert v.lactate > 1.5
    treated = run("sepsis", 0.6, 5)
    treated.apply("antibiotics")
    treated.apply("fluid_bolus", volume_ml=1000)
    treated.apply("oxygen", flow_l_min=2)
    t = treated.advance(25 * 60)
    assert t.mean_bp > v.mean_bp + 10 and t.heart_rate < v.heart_rate


def test_a_fluid_bolus_worsens_heart_failure() -> None:
    wet = run("heart_failure", 0.7, 3)
    wet.apply("fluid_bolus", volume_ml=1000)
    assert wet.advance(12 * 60).spo2 < run("heart_failure", 0.7, 15).vitals().spo2 - 5


def test_a_beta_blocker_slows_the_heart_and_a_sedative_lowers_consciousness() -> None:
    sim = Simulation(seed=1)
    sim.apply("beta_blocker", dose_mg=5, route="iv")
    assert sim.advance(1200).heart_rate < 68
    sedated = Simulation(seed=1)
    sedated.apply("sedative", dose_mg=10, route="iv")
    v = sedated.advance(600)
    assert v.consciousness in "VPU" and v.respiration_rate < 14


def test_the_oxygen_dissociation_curve_and_the_alveolar_gas_equation() -> None:
    assert severinghaus(100) == pytest.approx(0.977, abs=0.002)
    assert severinghaus(60) == pytest.approx(0.906, abs=0.003)
    assert severinghaus(26.8) == pytest.approx(0.5, abs=0.02)  # P50
    assert fio2_for_flow(0) == 0.21 and fio2_for_flow(2) == pytest.approx(0.29)
    assert fio2_for_flow(15) == pytest.approx(0.85)
    for flow in (0.0, 4.0, 15.0):
        sim = Simulation(seed=1)
        sim.apply("oxygen", flow_l_min=flow)
        sim.advance(1800)
        body = sim.body
        pio2 = body.fio2 * (760 - 47)
        assert body.pao2_alv == pytest.approx(pio2 - body.paco2 / 0.8, abs=4)


def test_the_same_seed_gives_the_same_patient() -> None:
    def trajectory(seed: int) -> list[dict]:
        sim = Simulation(seed=seed)
        sim.apply("sepsis", severity=0.5)
        out = [sim.advance(60).as_dict() for _ in range(5)]
        sim.apply("fluid_bolus", volume_ml=500)
        return [*out, sim.advance(120).as_dict()]

    assert trajectory(7) == trajectory(7)
    assert trajectory(7) != trajectory(8)


def test_reading_vitals_changes_nothing_and_time_adds_up() -> None:
    a, b = Simulation(seed=5), Simulation(seed=5)
    for _ in range(40):
        a.advance(0.5)
        a.vitals()
    b.advance(20)
    assert a.vitals() == b.vitals() and a.time_s == b.time_s == 20
    c = Simulation(seed=5)
    for _ in range(60):
        c.advance(1 / 3)
    assert c.time_s == pytest.approx(20, abs=1 / RATE_HZ)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("cpr", {}, "unknown action 'cpr'"),
        ("haemorrhage", {}, "haemorrhage: severity is required"),
        ("haemorrhage", {"severity": 1.5}, "severity must be between 0 and 1"),
        ("sepsis", {"severity": math.nan}, "severity must be between 0 and 1"),
        ("asthma", {"severity": True}, "severity must be a number"),
        ("oxygen", {"flow_l_min": 40}, "flow_l_min must be between 0 and 15"),
        ("oxygen", {"flow": 4}, "unknown parameter flow"),
        ("adrenaline", {"dose_mg": 0.5, "route": "oral"}, "route must be one of 'im', 'iv'"),
        ("adrenaline", {"dose_mg": 50}, "dose_mg must be between"),
        ("naloxone", {"dose_mg": "0.4"}, "dose_mg must be a number"),
        ("salbutamol", {"dose_mg": 5, "route": "iv"}, "route must be one of 'neb', 'mdi'"),
        ("fluid_bolus", {"volume_ml": -500}, "volume_ml must be between"),
        ("stop_bleeding", {"now": True}, "unknown parameter now"),
    ],
)
def test_bad_actions_are_refused_with_a_clear_message(
    name: str, params: dict, message: str
) -> None:
    sim = Simulation()
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        sim.apply(name, **params)
    assert sim.applied == []


@pytest.mark.parametrize("seconds", [-1, math.inf, math.nan, "60", 10**9])
def test_bad_durations_are_refused(seconds: object) -> None:
    with pytest.raises(ValueError, match="seconds must be"):
        Simulation().advance(seconds)  # type: ignore[arg-type]


def test_bad_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="weight_kg must be between"):
        PatientProfile(weight_kg=5)
    with pytest.raises(ValueError, match="sex must be"):
        PatientProfile(sex="x")  # type: ignore[arg-type]


def test_defaults_and_the_action_log() -> None:
    sim = Simulation()
    applied = sim.apply("adrenaline", dose_mg=0.5)
    assert applied.params == {"dose_mg": 0.5, "route": "im"} and sim.applied == [applied]
    assert set(CONDITIONS) == {
        "haemorrhage", "sepsis", "anaphylaxis", "asthma", "opioid_overdose", "heart_failure",
    }  # fmt: skip
    for name in ("oxygen", "fluid_bolus", "adrenaline", "naloxone", "salbutamol", "morphine",
                 "stop_bleeding", "beta_blocker", "sedative"):  # fmt: skip
        assert name in ACTIONS


_DOSES = {
    "adrenaline": 1.0, "naloxone": 2.0, "salbutamol": 10.0, "morphine": 20.0,
    "beta_blocker": 10.0, "sedative": 10.0, "gtn": 1.0, "furosemide": 80.0,
}  # fmt: skip
_step = st.one_of(
    st.tuples(st.sampled_from(CONDITIONS), st.floats(0, 1)).map(
        lambda t: (t[0], {"severity": t[1]})
    ),
    st.sampled_from(sorted(_DOSES)).flatmap(
        lambda d: st.floats(0.01, _DOSES[d]).map(lambda x: (d, {"dose_mg": x}))
    ),
    st.floats(0, 15).map(lambda f: ("oxygen", {"flow_l_min": f})),
    st.floats(1, 2000).map(lambda v: ("fluid_bolus", {"volume_ml": v})),
    st.just(("stop_bleeding", {})),
    st.just(("antibiotics", {})),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.tuples(_step, st.floats(0, 240)), min_size=1, max_size=5),
    seed=st.integers(0, 2**32),
)
def test_vitals_stay_within_physical_bounds(steps: list, seed: int) -> None:
    sim = Simulation(seed=seed)
    for (name, params), wait in steps:
        sim.apply(name, **params)
        v = sim.advance(wait)
        assert 0 <= v.heart_rate <= 220 and 0 <= v.respiration_rate <= 60
        assert 0 <= v.diastolic_bp <= v.mean_bp <= v.systolic_bp <= 300
        assert 0 <= v.spo2 <= 100 and 0 <= v.etco2 <= v.paco2 + 0.1 <= 150.1
        assert 30 <= v.temperature <= 43 and v.consciousness in ("A", "C", "V", "P", "U")
        assert 0.21 <= v.fio2 <= 0.85 and v.blood_volume > 0 and 0 <= v.lactate < 40
        assert all(math.isfinite(x) for x in v.as_dict().values() if isinstance(x, float))
        if v.arrest:
            assert v.heart_rate == 0 and v.mean_bp == 0
