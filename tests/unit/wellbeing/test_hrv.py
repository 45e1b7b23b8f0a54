"""careverse.wellbeing.hrv: RMSSD against neurokit2, artefact rules and their edges, the live
window, and the resonance-rate choice."""

from __future__ import annotations

import math

import neurokit2 as nk
import numpy as np
import pytest

from careverse.wellbeing import hrv
from careverse.wellbeing.breathing import hrv_summary


def nk_rmssd_from_peaks(rr: list[float]) -> float:
    """neurokit2 on R peaks (sample indices at 1000 Hz) built from the RR series."""
    peaks = np.concatenate([[0], np.cumsum(rr)]).astype(int)
    return float(nk.hrv_time(peaks, sampling_rate=1000)["HRV_RMSSD"].iloc[0])


def nk_rmssd_cleaned(rr: list[float], keep: list[bool]) -> float:
    """neurokit2 on the intervals we keep, with their times: it differences successive ones only.
    (A non-number's time is taken as 900 ms: it was some beat.)"""
    times = np.cumsum([v if math.isfinite(v) else 900.0 for v in rr]) / 1000.0
    mask = np.array(keep)
    data = {"RRI": np.array(rr, dtype=float)[mask], "RRI_Time": times[mask]}
    return float(nk.hrv_time(data)["HRV_RMSSD"].iloc[0])


def synthetic(n: int = 300, seed: int = 7, mean: float = 900.0) -> list[float]:
    """Whole-millisecond RR with a 0.1 Hz swing (slow breathing), a faster one and noise."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(np.full(n, mean / 1000.0))
    rr = mean + 60 * np.sin(2 * np.pi * 0.1 * t) + 15 * np.sin(2 * np.pi * 0.25 * t)
    return [float(v) for v in np.round(rr + rng.normal(0, 12, n))]


def test_rmssd_matches_neurokit2_on_a_clean_synthetic_series():
    rr = synthetic()
    assert all(hrv.accepted(rr))
    assert hrv.rmssd(rr) == pytest.approx(nk_rmssd_from_peaks(rr), abs=1e-9)


def test_rmssd_by_definition_on_a_tiny_series():
    # differences 100, -50: sqrt((100^2 + 50^2) / 2)
    assert hrv.rmssd([800, 900, 850]) == pytest.approx(math.sqrt((100**2 + 50**2) / 2))
    assert hrv.rmssd((1000.0, 1000.0, 1000.0)) == 0.0


def test_artefacts_are_dropped_and_match_neurokit2_on_the_cleaned_series():
    rr = synthetic(seed=3)
    rr[40] = 250.0  # below the range: a doubled detection
    rr[90] = 2400.0  # above it: a missed beat
    rr[150], rr[151] = round(rr[149] * 0.6), round(rr[149] * 1.45)  # ectopic and its pause
    rr[220] = float("nan")
    keep = hrv.accepted(rr)
    assert [i for i, ok in enumerate(keep) if not ok] == [40, 90, 150, 151, 220]
    ours = hrv.rmssd(rr)
    assert ours == pytest.approx(nk_rmssd_cleaned(rr, keep), abs=1e-9)
    # Bridging the gaps (neurokit2 on the raw series) would count the artefacts' jumps.
    assert nk_rmssd_from_peaks([v if v == v else 900.0 for v in rr]) > ours * 2


def test_a_recorded_looking_series_ecg_simulated_and_detected_by_neurokit2():
    ecg = nk.ecg_simulate(duration=120, sampling_rate=500, heart_rate=68, heart_rate_std=4,
                          random_state=11)  # fmt: skip
    _, info = nk.ecg_peaks(ecg, sampling_rate=500)
    peaks = np.asarray(info["ECG_R_Peaks"])
    rr = [float(v) for v in np.diff(peaks) * 2.0]  # samples at 500 Hz to ms
    keep = hrv.accepted(rr)
    assert len(rr) > 100 and sum(keep) >= len(rr) - 3
    expected = (
        float(nk.hrv_time(peaks, sampling_rate=500)["HRV_RMSSD"].iloc[0])
        if all(keep)
        else nk_rmssd_cleaned(rr, keep)
    )
    assert hrv.rmssd(rr) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "kept"),
    [(299.9, False), (300, True), (2000, True), (2000.1, False)],
)
def test_the_range_edges(value, kept):
    # Neighbours equal to the value, so only the range decides.
    assert hrv.accepted([value, value, value]) == [kept] * 3


def test_malik_20_percent_edge_against_the_last_accepted_interval():
    # 1000 -> 1200 is exactly 20 %: kept; 1000 -> 1201 is more: dropped, and the next is
    # compared with 1000 (the last accepted), not with the dropped one.
    assert hrv.accepted([1000, 1000, 1200, 1000]) == [True, True, True, True]
    assert hrv.accepted([1000, 1000, 1201, 1000]) == [True, True, False, True]
    assert hrv.accepted([1000, 1000, 799, 1000]) == [True, True, False, True]


def test_a_first_interval_artefact_does_not_become_the_reference():
    rr = [1500.0, 800.0, 810.0, 790.0, 805.0, 800.0]
    assert hrv.accepted(rr) == [False, True, True, True, True, True]
    assert hrv.rmssd(rr) == pytest.approx(hrv.rmssd(rr[1:]))


def test_no_difference_spans_a_removed_beat():
    # 800, [500 dropped], 900: 800 -> 900 would be a difference of 100 if bridged.
    rr = [800.0, 810.0, 500.0, 820.0, 830.0]
    assert hrv.successive_differences(rr) == [10.0, 10.0]


@pytest.mark.parametrize(
    "rr",
    [[], [800], [800, 810], [800, 100, 810], [100, 5000, 150], [800, float("inf"), 810, 805]],
)
def test_too_few_usable_beats_raise_a_clear_value_error(rr):
    with pytest.raises(ValueError, match="Too few usable beats for RMSSD"):
        hrv.rmssd(rr)


def test_not_numbers_are_artefacts_and_a_string_is_refused():
    assert hrv.accepted([800, True, None, "900", 810]) == [True, False, False, False, True]
    with pytest.raises(ValueError, match="sequence of RR intervals"):
        hrv.rmssd("800,810,820")  # type: ignore[arg-type]


# ---- the live window ------------------------------------------------------------------------


def timed(rr: list[float], start: float = 1_000.0) -> list[tuple[float, float]]:
    """(end time in seconds, RR) of consecutive beats."""
    out, at = [], start
    for v in rr:
        at += v / 1000.0
        out.append((at, v))
    return out


def test_the_window_keeps_the_last_seconds_and_equals_neurokit2_on_them():
    rr = synthetic(n=120, seed=5)
    window = hrv.RmssdWindow(30)
    beats = timed(rr)
    for at, v in beats:
        window.add(at, v)
    newest = beats[-1][0]
    inside = [v for at, v in beats if at >= newest - 30]
    assert [b.rr_ms for b in window.beats] == inside
    assert window.rmssd() == pytest.approx(nk_rmssd_from_peaks(inside), abs=1e-9)
    assert window.heart_rate() == pytest.approx(60000 / np.mean(inside))


def test_the_window_sorts_late_beats_ignores_repeats_and_does_not_bridge_gaps():
    beats = timed([800, 810, 820, 830, 840, 850])
    window = hrv.RmssdWindow(60)
    for at, v in [beats[0], beats[2], beats[1], beats[1], beats[3]]:
        window.add(at, v)
    assert [b.rr_ms for b in window.beats] == [800, 810, 820, 830]
    assert window.rmssd() == pytest.approx(10.0)
    # A lost beat (850 ms of silence more than its RR): no difference across the gap.
    window.add(beats[5][0], 850)
    assert window.follows() == [True, True, True, True, False]
    assert window.rmssd() == pytest.approx(10.0)


def test_the_window_answers_none_until_it_has_enough_beats():
    window = hrv.RmssdWindow(30)
    assert window.rmssd() is None and window.heart_rate() is None
    for at, v in timed([800, 820]):
        window.add(at, v)
    assert window.rmssd() is None
    with pytest.raises(ValueError):
        hrv.RmssdWindow(0)


# ---- the resonance rate ---------------------------------------------------------------------


def paced(rate: float, swing_bpm: float, seconds: float = 120, mean_hr: float = 65) -> list[float]:
    """RR of a heart rate that swings sinusoidally with the breath, peak to trough swing_bpm."""
    rr, t = [], 0.0
    while t < seconds:
        hr = mean_hr + swing_bpm / 2 * math.sin(2 * math.pi * rate / 60 * t)
        interval = 60000.0 / hr
        rr.append(interval)
        t += interval / 1000.0
    return rr


def test_breath_amplitude_measures_the_swing_per_breath():
    amplitude = hrv.breath_amplitude(paced(6, 12), 6)
    assert amplitude is not None and 10 < amplitude <= 12  # beats sample the sine's peaks
    assert hrv.breath_amplitude([1000.0] * 30, 6) == 0.0
    assert hrv.breath_amplitude([1000.0] * 5, 6) is None  # no complete breath
    # One breath of 10 s at 6 a minute: HR 60 except one beat at 75.
    assert hrv.breath_amplitude([1000.0] * 5 + [800.0] + [1000.0] * 10, 6) == pytest.approx(15)


def test_resonance_picks_the_rate_with_the_largest_swing():
    swings = {6.5: 8, 6.0: 11, 5.5: 16, 5.0: 12, 4.5: 9}
    found = hrv.resonance_rate({rate: paced(rate, swing) for rate, swing in swings.items()})
    assert found.rate == 5.5
    assert set(found.amplitudes) == set(swings)
    ranked = sorted(found.amplitudes, key=lambda r: found.amplitudes[r] or 0, reverse=True)
    assert ranked[0] == 5.5


def test_resonance_ties_go_to_the_rate_nearer_six_and_bad_input_is_refused():
    flat = [1000.0] * 200
    assert hrv.resonance_rate({4.5: flat, 7.0: flat, 6.5: flat}).rate == 6.5
    with pytest.raises(ValueError, match="at least two"):
        hrv.resonance_rate({6.0: flat})
    with pytest.raises(ValueError, match=r"4\.5-7"):
        hrv.resonance_rate({6.0: flat, 8.0: flat})
    with pytest.raises(ValueError, match="No paced rate"):
        hrv.resonance_rate({6.0: [1000.0] * 3, 5.0: [1000.0] * 3})


def test_a_session_summary_of_its_beats():
    rr = synthetic(n=200, seed=9)
    rr[10] = 100.0
    summary = hrv_summary(rr)
    assert summary["beats"] == 200 and summary["artefacts"] == 1
    assert summary["rmssd"] == pytest.approx(hrv.rmssd(rr), abs=0.01)
    series = summary["rmssd_series"]
    assert series["windows"] >= 5 and series["min"] <= series["mean"] <= series["max"]
    assert hrv_summary([800.0])["rmssd"] is None
