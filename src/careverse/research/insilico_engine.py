"""One virtual patient of an in-silico trial, run through training's physiology engine.

Kept free of pydantic and the rest of Careverse so that worker processes import little: a
``PatientSpec`` goes in (plain data, picklable), a ``PatientRun`` (outcome values and a few
chart points) comes out.

The engine steps at 1 Hz here (``Simulation(rate_hz=1)``) instead of its 20 Hz: a simulated
day per patient is then ~1 s of CPU instead of ~21 s. tests/unit/research/test_insilico_engine.py
shows the two rates agree on the trial outcomes (within 1 mmHg / 1 % SpO2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from careverse.training.physiology import PatientProfile, Simulation

OUTCOME_KINDS = {
    "threshold": ("minutes_below", "minutes_above", "ever_below", "ever_above"),
    "binary": ("ever_below", "ever_above", "arrest"),
}
CHART_VITALS = ("mean_bp", "spo2", "heart_rate")
CHART_POINTS = 60


@dataclass(frozen=True, slots=True)
class PatientSpec:
    """Everything one virtual patient needs: who, what condition, which arm's actions, when."""

    RATE_HZ: ClassVar[int] = 1

    index: int
    arm: int
    profile: dict[str, Any]
    condition: str
    severity: float
    steps: tuple[tuple[float, str, dict[str, Any]], ...]
    duration_s: float
    sample_every_s: float
    outcomes: tuple[dict[str, Any], ...]
    seed: int


@dataclass(frozen=True, slots=True)
class PatientRun:
    """One patient's outcome values (by outcome id) and its chart points (by vital)."""

    index: int
    arm: int
    values: dict[str, float]
    chart: dict[str, list[float]]


class _Tally:
    """Running min, max, mean, time beyond a threshold and last value of one vital."""

    __slots__ = ("above", "below", "last", "max", "min", "n", "sum")

    def __init__(self) -> None:
        self.n, self.sum, self.last = 0, 0.0, 0.0
        self.min, self.max = float("inf"), float("-inf")
        self.below: dict[float, float] = {}
        self.above: dict[float, float] = {}

    def add(self, value: float, dt: float, thresholds: tuple[float, ...]) -> None:
        self.n += 1
        self.sum += value
        self.last = value
        self.min = min(self.min, value)
        self.max = max(self.max, value)
        for t in thresholds:
            if value < t:
                self.below[t] = self.below.get(t, 0.0) + dt
            if value > t:
                self.above[t] = self.above.get(t, 0.0) + dt


def run_patient(p: PatientSpec) -> PatientRun:
    """Simulate one patient for the trial's duration and measure its outcomes.

    The condition starts at time 0; the arm's actions are applied at their times (between
    samples, the engine is advanced exactly to each action's time). Vitals are sampled every
    ``sample_every_s``; ``minutes_below``/``minutes_above`` count each sample's interval.
    """
    sim = Simulation(PatientProfile(**p.profile), seed=p.seed, rate_hz=PatientSpec.RATE_HZ)
    sim.apply(p.condition, severity=p.severity)
    vitals_needed = {o["vital"] for o in p.outcomes if o.get("vital")} | set(CHART_VITALS)
    thresholds: dict[str, set[float]] = {v: set() for v in vitals_needed}
    for o in p.outcomes:
        if o.get("threshold") is not None and o.get("vital"):
            thresholds[o["vital"]].add(float(o["threshold"]))
    frozen = {v: tuple(sorted(ts)) for v, ts in thresholds.items()}
    tallies = {v: _Tally() for v in vitals_needed}
    chart: dict[str, list[float]] = {v: [] for v in CHART_VITALS}
    chart_every = p.duration_s / CHART_POINTS
    charted = 0
    steps = sorted(p.steps, key=lambda s: s[0])
    step_i = 0
    t = 0.0

    def sample(dt: float) -> None:
        nonlocal charted
        v = sim.vitals()
        for name, tally in tallies.items():
            tally.add(float(v[name]), dt, frozen[name])
        while charted <= CHART_POINTS and charted * chart_every <= t + 1e-6:
            for name in CHART_VITALS:
                chart[name].append(float(v[name]))
            charted += 1

    sample(0.0)
    while t < p.duration_s - 1e-9:
        target = min(p.duration_s, t + p.sample_every_s)
        while step_i < len(steps) and steps[step_i][0] <= target:
            at, name, params = steps[step_i]
            if at > t:
                sim.advance(at - t)
                t = at
            sim.apply(name, **params)
            step_i += 1
        sim.advance(target - t)
        dt, t = target - t, target
        sample(dt)
    values = {
        o["id"]: _measure(o, tallies.get(o.get("vital") or ""), sim.arrested) for o in p.outcomes
    }
    return PatientRun(p.index, p.arm, values, chart)


def run_patients(batch: list[PatientSpec]) -> list[PatientRun]:
    """A batch of patients (one worker process's share at a time)."""
    return [run_patient(p) for p in batch]


def _measure(outcome: dict[str, Any], tally: _Tally | None, arrested: bool) -> float:
    kind = outcome["kind"]
    if kind == "arrest":
        return 1.0 if arrested else 0.0
    assert tally is not None
    threshold = float(outcome.get("threshold") or 0.0)
    if kind == "end":
        return tally.last
    if kind == "min":
        return tally.min
    if kind == "max":
        return tally.max
    if kind == "mean":
        return tally.sum / max(1, tally.n)
    if kind == "minutes_below":
        return tally.below.get(threshold, 0.0) / 60.0
    if kind == "minutes_above":
        return tally.above.get(threshold, 0.0) / 60.0
    if kind == "ever_below":
        return 1.0 if tally.min < threshold else 0.0
    return 1.0 if tally.max > threshold else 0.0  # ever_above
