"""Heart rate variability for breathing biofeedback: RMSSD, a live window, the resonance rate.

RMSSD is the root mean square of the successive differences between normal RR intervals (Task
Force of the ESC and NASPE, *Heart rate variability: standards of measurement*, Circulation
1996;93:1043-65). Pure functions, no I/O; validated against neurokit2's ``hrv_time`` in the tests.

Artefact handling (what :func:`rmssd` does, in this order):

1. **Range**: an interval outside 300-2000 ms (200-30 beats a minute) is an artefact (a missed or
   doubled detection), and so is anything that is not a finite number.
2. **Malik's 20 % rule**: an interval that differs by more than 20 % from the last interval
   accepted before it is an artefact (an ectopic beat or its compensatory pause). The first
   interval is compared with the median of the in-range intervals, so an artefact at the start
   cannot become the reference. (Malik M et al., Heart rate variability in relation to prognosis
   after myocardial infarction, *Am J Cardiol* 1989;64:1435-9.)
3. **Successive only**: a difference is taken only between two accepted intervals that were
   neighbours in the input (and, in :class:`RmssdWindow`, in time): an artefact is dropped, never
   bridged, so no difference spans a removed beat. This is neurokit2's behaviour when it is given
   the kept intervals with their times (``{"RRI": ..., "RRI_Time": ...}``).

Fewer than :data:`MIN_DIFFERENCES` successive differences left raise ``ValueError``.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RR_MIN_MS = 300.0
RR_MAX_MS = 2000.0
MALIK_FRACTION = 0.20
MIN_DIFFERENCES = 2  # RMSSD over fewer successive differences says nothing
WINDOW_SECONDS = 30.0
RATE_MIN, RATE_MAX = 4.5, 7.0  # breaths a minute the resonance finder may test
# In a window, a beat follows the one before it unless the gap between their times is longer
# than this many of its own RR (a lost beat makes it about two).
GAP_FACTOR = 1.5


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def accepted(rr_ms: Sequence[object]) -> list[bool]:
    """For each interval, whether it survives the range check and Malik's 20 % rule."""
    values = [_finite(v) for v in rr_ms]
    in_range = [v is not None and RR_MIN_MS <= v <= RR_MAX_MS for v in values]
    usable = [v for v, ok in zip(values, in_range, strict=True) if ok and v is not None]
    if not usable:
        return [False] * len(values)
    reference = statistics.median(usable)
    keep = []
    for value, ok in zip(values, in_range, strict=True):
        good = ok and value is not None and abs(value - reference) <= MALIK_FRACTION * reference
        if good and value is not None:
            reference = value
        keep.append(good)
    return keep


def successive_differences(
    rr_ms: Sequence[object], follows: Sequence[bool] | None = None
) -> list[float]:
    """Differences between accepted neighbours. ``follows[i]`` says whether interval ``i``
    directly follows interval ``i - 1`` (default: all do)."""
    keep = accepted(rr_ms)
    out = []
    for i in range(1, len(rr_ms)):
        if keep[i] and keep[i - 1] and (follows is None or follows[i]):
            out.append(float(rr_ms[i]) - float(rr_ms[i - 1]))  # type: ignore[arg-type]
    return out


def _root_mean_square(differences: Sequence[float]) -> float:
    if len(differences) < MIN_DIFFERENCES:
        raise ValueError(
            f"Too few usable beats for RMSSD: {len(differences)} successive difference(s) "
            f"between accepted RR intervals, at least {MIN_DIFFERENCES} needed (intervals must "
            f"be {RR_MIN_MS:g}-{RR_MAX_MS:g} ms and within {MALIK_FRACTION:.0%} of the one before)."
        )
    return math.sqrt(math.fsum(d * d for d in differences) / len(differences))


def rmssd(rr_ms: Sequence[float]) -> float:
    """RMSSD in ms of consecutive RR intervals (ms), artefacts removed as the module says.

    Raises ``ValueError`` when fewer than two successive differences remain."""
    if isinstance(rr_ms, str | bytes) or not isinstance(rr_ms, Sequence):
        raise ValueError("rr_ms must be a sequence of RR intervals in milliseconds.")
    return _root_mean_square(successive_differences(rr_ms))


# ---- live: the last N seconds --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Beat:
    at: float  # when the interval ended (seconds since the epoch)
    rr_ms: float


class RmssdWindow:
    """RMSSD over the beats of the last ``seconds`` (by their own times), updated beat by beat.

    Beats may arrive late or out of order (a retried batch); they are kept sorted by time and a
    beat already held (same time) is ignored. Two neighbours in time are successive unless the
    gap between them is longer than :data:`GAP_FACTOR` times the later one's RR (lost beats).
    """

    def __init__(self, seconds: float = WINDOW_SECONDS):
        if not seconds > 0:
            raise ValueError("The window must be longer than 0 seconds.")
        self.seconds = float(seconds)
        self._beats: list[Beat] = []

    def add(self, at: float, rr_ms: float) -> None:
        times = [b.at for b in self._beats]
        index = bisect.bisect_left(times, at)
        if index < len(times) and times[index] == at:
            return
        self._beats.insert(index, Beat(at, rr_ms))
        newest = self._beats[-1].at
        while self._beats and self._beats[0].at < newest - self.seconds:
            self._beats.pop(0)

    @property
    def beats(self) -> list[Beat]:
        return list(self._beats)

    def follows(self) -> list[bool]:
        out = [True]
        for before, beat in zip(self._beats, self._beats[1:], strict=False):
            out.append((beat.at - before.at) * 1000.0 <= GAP_FACTOR * beat.rr_ms)
        return out[: len(self._beats)]

    def rmssd(self) -> float | None:
        """The window's RMSSD, or None while it holds too few usable beats."""
        rr = [b.rr_ms for b in self._beats]
        try:
            return _root_mean_square(successive_differences(rr, self.follows()))
        except ValueError:
            return None

    def heart_rate(self) -> float | None:
        """Mean heart rate (beats a minute) over the window's accepted beats."""
        rr = [b.rr_ms for b in self._beats]
        kept = [v for v, ok in zip(rr, accepted(rr), strict=True) if ok]
        return 60000.0 / statistics.fmean(kept) if kept else None


# ---- the resonance rate --------------------------------------------------------------------


def breath_amplitude(rr_ms: Sequence[float], rate_per_min: float) -> float | None:
    """Mean peak-to-trough heart-rate swing (beats a minute) per breath at a paced rate.

    The recording is cut into whole breaths of ``60 / rate`` seconds from its first beat (the
    pacer started with it); in each breath the swing is the highest minus the lowest
    instantaneous heart rate (60000 / RR) of its accepted beats. A breath with fewer than two
    accepted beats, and the last incomplete breath, are left out. None when no breath is left.
    """
    if not RATE_MIN <= rate_per_min <= RATE_MAX:
        raise ValueError(f"Paced rate must be {RATE_MIN:g}-{RATE_MAX:g} breaths a minute.")
    period = 60.0 / rate_per_min
    keep = accepted(rr_ms)
    breaths: dict[int, list[float]] = {}
    elapsed = 0.0
    for value, ok in zip(rr_ms, keep, strict=True):
        elapsed += (_finite(value) or 0.0) / 1000.0
        if ok:
            breaths.setdefault(int(elapsed // period), []).append(60000.0 / float(value))
    complete = int(elapsed // period)
    swings = [max(hr) - min(hr) for n, hr in breaths.items() if n < complete and len(hr) >= 2]
    return statistics.fmean(swings) if swings else None


@dataclass(frozen=True, slots=True)
class Resonance:
    rate: float  # the chosen breaths a minute
    amplitudes: dict[float, float | None]  # each tested rate's mean swing


def resonance_rate(trials: Mapping[float, Sequence[float]]) -> Resonance:
    """The paced rate (4.5-7 breaths a minute) with the largest heart-rate swing per breath.

    Lehrer, Vaschillo, Vaschillo, Resonant frequency biofeedback training to increase cardiac
    variability: rationale and manual for training, *Appl Psychophysiol Biofeedback*
    2000;25:177-91; Lehrer & Gevirtz, Heart rate variability biofeedback: how and why does it
    work?, *Front Psychol* 2014;5:756: breathe a few minutes at each of several rates between
    about 4.5 and 7 a minute; the resonance rate is the one with the largest peak-to-trough
    heart-rate amplitude. (The manual also weighs low-frequency power and the phase of heart
    rate against breathing; this uses the amplitude alone.) Ties go to the rate nearer 6.
    """
    if len(trials) < 2:
        raise ValueError("The resonance finder needs at least two paced rates.")
    amplitudes = {float(rate): breath_amplitude(rr, float(rate)) for rate, rr in trials.items()}
    measured = {rate: a for rate, a in amplitudes.items() if a is not None}
    if not measured:
        raise ValueError("No paced rate had a complete breath with usable beats.")
    best = max(measured, key=lambda rate: (measured[rate], -abs(rate - 6.0)))
    return Resonance(best, amplitudes)
