"""The bedside findings (training/findings.py): band edges and the ACVPU-dependent answer."""

import pytest

from careverse.training.findings import ask, capillary_refill, examine

BASE = {"respiration_rate": 14, "spo2": 97, "mean_bp": 90, "temperature": 37.0,
        "consciousness": "A", "arrest": False}  # fmt: skip


def keys(vitals: dict) -> list[str]:
    return [f["key"].removeprefix("lab.find.") for f in examine({**BASE, **vitals})]


@pytest.mark.parametrize(
    ("mean", "band"),
    [(90, "crt_normal"), (70, "crt_normal"), (69.9, "crt_slow"), (55, "crt_slow"),
     (54.9, "crt_prolonged"), (0, "crt_prolonged")],
)  # fmt: skip
def test_capillary_refill_bands_from_mean_bp(mean: float, band: str) -> None:
    assert capillary_refill(mean) == band
    assert band in keys({"mean_bp": mean})


def test_no_pulse_in_arrest() -> None:
    found = keys({"arrest": True, "mean_bp": 0, "respiration_rate": 0, "consciousness": "U"})
    assert found == ["apnoea", "colour_blue", "crt_none", "skin_cold", "avpu_U"]


@pytest.mark.parametrize(
    ("rate", "key"),
    [(1, "apnoea"), (2, "breath_slow"), (8, "breath_slow"), (9, "breath_normal"),
     (20, "breath_normal"), (21, "breath_laboured"), (29, "breath_laboured"),
     (30, "breath_distress")],
)  # fmt: skip
def test_breathing_bands(rate: float, key: str) -> None:
    assert keys({"respiration_rate": rate})[0] == key


@pytest.mark.parametrize(
    ("spo2", "key"),
    [(94, "colour_pink"), (93, "colour_dusky"), (85, "colour_dusky"), (84, "colour_blue")],
)
def test_colour_from_spo2(spo2: float, key: str) -> None:
    assert keys({"spo2": spo2})[1] == key


def test_skin_and_params() -> None:
    assert keys({"temperature": 38.0})[3] == "skin_hot"
    assert keys({"temperature": 37.9, "mean_bp": 64})[3] == "skin_cold"
    assert keys({"mean_bp": 65})[3] == "skin_warm"
    found = examine({**BASE, "respiration_rate": 24.6, "mean_bp": 61.2})
    assert found[0]["params"] == {"rate": 25}
    assert found[2] == {"key": "lab.find.crt_slow", "params": {"mean_bp": 61}}


@pytest.mark.parametrize("level", ["A", "C", "V", "P", "U"])
def test_responsiveness_follows_acvpu(level: str) -> None:
    assert keys({"consciousness": level})[4] == f"avpu_{level}"


def test_ask_answers_only_when_alert() -> None:
    assert ask(BASE, "asthma")["key"] == "lab.find.say_asthma"
    assert ask(BASE, "unknown_thing")["key"] == "lab.find.say_other"
    assert ask({**BASE, "consciousness": "C"}, "asthma")["key"] == "lab.find.say_confused"
    for level in "VPU":
        assert ask({**BASE, "consciousness": level}, "asthma")["key"] == "lab.find.say_none"
    assert ask({**BASE, "arrest": True}, "sepsis")["key"] == "lab.find.say_none"
