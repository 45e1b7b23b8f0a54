"""In-silico trials: a virtual cohort of simulated patients (training's physiology engine with
sampled profiles) receives the arms of a trial, and the arms' outcomes are compared with
confidence intervals (docs/research.md, "In-silico trials").

A trial file (JSON or YAML) is validated by :class:`TrialSpec`; unknown fields, actions and
parameters are refused with the field named. ``run_trial`` allocates the cohort to the arms
(seeded, balanced), runs every virtual patient in worker processes and compares each arm with the
first (the control): differences in means with Welch's 95 % interval, risk differences with
Newcombe's hybrid score interval (``insilico_stats``). The same file and seed give the same
answer, whatever the number of processes.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from careverse.research.insilico_engine import (
    CHART_VITALS,
    OUTCOME_KINDS,
    PatientRun,
    PatientSpec,
    run_patients,
)
from careverse.research.insilico_stats import summarise
from careverse.training.physiology import ACTIONS, CONDITIONS
from careverse.training.physiology.actions import action

TRIALS_DIR = Path(__file__).with_name("trials")
MAX_COHORT = 100_000
Vital = Literal[
    "heart_rate", "systolic_bp", "diastolic_bp", "mean_bp", "respiration_rate", "spo2",
    "temperature", "etco2", "cardiac_output", "lactate", "pao2", "paco2", "blood_volume",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrialDistribution(_Strict):
    """How one number is drawn: ``fixed`` (value), ``uniform`` (low, high) or ``normal``
    (mean, sd), always kept within [low, high] when they are given."""

    kind: Literal["fixed", "uniform", "normal"] = "fixed"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _complete(self) -> TrialDistribution:
        need = {"fixed": ("value",), "uniform": ("low", "high"), "normal": ("mean", "sd")}
        for name in need[self.kind]:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} distribution needs {name}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not be above high")
        return self

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take."""
        if self.kind == "fixed":
            v = float(self.value or 0.0)
            return v, v
        low = self.low if self.low is not None else -math.inf
        high = self.high if self.high is not None else math.inf
        return low, high

    def draw(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return float(self.value or 0.0)
        if self.kind == "uniform":
            return rng.uniform(float(self.low or 0.0), float(self.high or 0.0))
        low, high = self.bounds()
        return min(high, max(low, rng.gauss(float(self.mean or 0.0), float(self.sd or 0.0))))


def _fixed(value: float) -> TrialDistribution:
    return TrialDistribution(kind="fixed", value=value)


# The engine's PatientProfile ranges (training/physiology/profile.py): a draw must stay inside.
PROFILE_RANGES = {
    "age_years": (16.0, 100.0),
    "weight_kg": (35.0, 200.0),
    "height_cm": (130.0, 220.0),
    "heart_rate": (45.0, 110.0),
    "haemoglobin": (7.0, 19.0),
}


class TrialCohort(_Strict):
    """The virtual cohort: its size and how each patient's profile is drawn."""

    size: int = Field(ge=2, le=MAX_COHORT)
    age_years: TrialDistribution = _fixed(40.0)
    weight_kg: TrialDistribution = _fixed(70.0)
    height_cm: TrialDistribution = _fixed(175.0)
    heart_rate: TrialDistribution = _fixed(72.0)
    haemoglobin: TrialDistribution = _fixed(14.0)
    female_share: float = Field(default=0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _within_profile(self) -> TrialCohort:
        for name, (low, high) in PROFILE_RANGES.items():
            a, b = getattr(self, name).bounds()
            if a < low or b > high:
                raise ValueError(
                    f"{name} must be drawn within {low:g}..{high:g} (give low and high)"
                )
        return self


class TrialCondition(_Strict):
    """The condition every virtual patient has at time 0, with its severity drawn per patient."""

    name: str
    severity: TrialDistribution

    @field_validator("name")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in CONDITIONS:
            raise ValueError(f"unknown condition {name!r}; known: {', '.join(CONDITIONS)}")
        return name

    @field_validator("severity")
    @classmethod
    def _severity(cls, dist: TrialDistribution) -> TrialDistribution:
        a, b = dist.bounds()
        if a < 0.0 or b > 1.0:
            raise ValueError("severity must be drawn within 0..1 (give low and high)")
        return dist


class TrialStep(_Strict):
    """One action of an arm's schedule: at ``at_s`` simulated seconds, the engine's action."""

    at_s: float = Field(ge=0)
    action: str
    params: dict[str, float | str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid_action(self) -> TrialStep:
        if self.action not in ACTIONS or ACTIONS[self.action].kind != "intervention":
            interventions = ", ".join(n for n, a in ACTIONS.items() if a.kind == "intervention")
            raise ValueError(f"unknown intervention {self.action!r}; known: {interventions}")
        action(self.action).validate(self.params)  # ValueError names the parameter
        return self


class TrialArm(_Strict):
    """One arm: a name and its schedule of actions (the first arm is the control)."""

    name: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=400)
    actions: list[TrialStep] = Field(default_factory=list, max_length=200)


class TrialOutcome(_Strict):
    """One outcome measured on every patient.

    Continuous: ``end`` (the vital at the end), ``min``, ``max``, ``mean``, ``minutes_below`` /
    ``minutes_above`` (time with the vital below/above ``threshold``). Binary: ``ever_below`` /
    ``ever_above`` (the vital crossed ``threshold`` at any sample), ``arrest``.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(default="", max_length=120)
    kind: Literal[
        "end", "min", "max", "mean", "minutes_below", "minutes_above", "ever_below",
        "ever_above", "arrest",
    ]  # fmt: skip
    vital: Vital | None = None
    threshold: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> TrialOutcome:
        if self.kind != "arrest" and self.vital is None:
            raise ValueError(f"a {self.kind} outcome needs vital")
        if self.kind in OUTCOME_KINDS["threshold"] and self.threshold is None:
            raise ValueError(f"a {self.kind} outcome needs threshold")
        return self

    @property
    def binary(self) -> bool:
        return self.kind in OUTCOME_KINDS["binary"]


class TrialSpec(_Strict):
    """A whole in-silico trial (the trial file)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(default="", max_length=1000)
    condition: TrialCondition
    cohort: TrialCohort
    arms: list[TrialArm] = Field(min_length=2, max_length=6)
    duration_s: float = Field(ge=60, le=86_400)
    sample_every_s: float = Field(default=10.0, ge=1, le=600)
    outcomes: list[TrialOutcome] = Field(min_length=1, max_length=20)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _unique(self) -> TrialSpec:
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError("arm names must be unique")
        ids = [o.id for o in self.outcomes]
        if len(set(ids)) != len(ids):
            raise ValueError("outcome ids must be unique")
        if self.cohort.size < 2 * len(self.arms):
            raise ValueError("the cohort needs at least two patients per arm")
        for arm in self.arms:
            late = [s.at_s for s in arm.actions if s.at_s > self.duration_s]
            if late:
                raise ValueError(f"arm {arm.name!r} has an action after the end of the trial")
        return self


def parse_trial(text: str) -> TrialSpec:
    """A trial from JSON or YAML text (``ValueError``/``ValidationError`` say what is wrong)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError("the trial file is neither JSON nor YAML") from exc
    if not isinstance(data, dict):
        raise ValueError("the trial file must hold one object")
    return TrialSpec.model_validate(data)


def load_trial(path: str | Path) -> TrialSpec:
    """A trial file from disk, or a shipped example by its id."""
    candidate = Path(path)
    if not candidate.exists() and (TRIALS_DIR / f"{path}.json").exists():
        candidate = TRIALS_DIR / f"{path}.json"
    return parse_trial(candidate.read_text(encoding="utf-8"))


def example_ids() -> list[str]:
    """The example trials shipped with Careverse."""
    return sorted(p.stem for p in TRIALS_DIR.glob("*.json"))


def cohort(spec: TrialSpec) -> list[PatientSpec]:
    """Every virtual patient: profile, severity, arm and seed, drawn from the trial's seed.

    Allocation is balanced (arms differ in size by at most one) and shuffled by the seed, so the
    arms are exchangeable as in a randomised trial.
    """
    rng = random.Random(spec.seed)  # noqa: S311 - a simulation's draws, not secrets
    c = spec.cohort
    arms = [i % len(spec.arms) for i in range(c.size)]
    rng.shuffle(arms)
    patients = []
    for index, arm in enumerate(arms):
        profile = {
            "age_years": round(c.age_years.draw(rng), 1),
            "weight_kg": round(c.weight_kg.draw(rng), 1),
            "height_cm": round(c.height_cm.draw(rng), 1),
            "heart_rate": round(c.heart_rate.draw(rng), 1),
            "haemoglobin": round(c.haemoglobin.draw(rng), 1),
            "sex": "female" if rng.random() < c.female_share else "male",
        }
        severity = spec.condition.severity.draw(rng)
        steps = tuple((s.at_s, s.action, dict(s.params)) for s in spec.arms[arm].actions)
        patients.append(
            PatientSpec(
                index=index, arm=arm, profile=profile, condition=spec.condition.name,
                severity=round(severity, 4), steps=steps, duration_s=spec.duration_s,
                sample_every_s=spec.sample_every_s,
                outcomes=tuple(o.model_dump() for o in spec.outcomes),
                seed=rng.randrange(2**31),
            )
        )  # fmt: skip
    return patients


Progress = Callable[[int, int], None]


def run_trial(
    spec: TrialSpec,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    chunk: int = 25,
) -> dict[str, Any]:
    """Run the trial and answer its JSON-ready result: arms, per-arm outcome summaries, the
    estimates against the first arm with their 95 % intervals, the arms' mean vitals over time
    (for charts) and timings. ``workers`` > 1 runs the patients in that many processes."""
    started = time.perf_counter()
    patients = cohort(spec)
    runs: list[PatientRun] = []
    total = len(patients)
    batches = [patients[i : i + chunk] for i in range(0, total, chunk)]
    if workers > 1 and total > chunk:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            for batch in pool.map(run_patients, batches):
                runs.extend(batch)
                if progress:
                    progress(len(runs), total)
    else:
        for batch in batches:
            runs.extend(run_patients(batch))
            if progress:
                progress(len(runs), total)
    simulated = time.perf_counter() - started
    result = summarise(spec.model_dump(), runs)
    result["timings"] = {
        "patients": total,
        "simulated_hours_per_patient": round(spec.duration_s / 3600.0, 3),
        "workers": workers,
        "simulate_s": round(simulated, 3),
        "total_s": round(time.perf_counter() - started, 3),
        "engine_rate_hz": PatientSpec.RATE_HZ,
    }
    result["chart_vitals"] = list(CHART_VITALS)
    return result


__all__ = [
    "MAX_COHORT",
    "TrialArm",
    "TrialCohort",
    "TrialCondition",
    "TrialDistribution",
    "TrialOutcome",
    "TrialSpec",
    "TrialStep",
    "cohort",
    "example_ids",
    "load_trial",
    "parse_trial",
    "run_trial",
]
