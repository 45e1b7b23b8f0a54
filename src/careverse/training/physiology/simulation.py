"""The public face of the engine: a simulation of one patient, stepped faster than real time."""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass
from typing import Any

from careverse.training.physiology.actions import Value, action
from careverse.training.physiology.model import Physiology, severinghaus
from careverse.training.physiology.profile import PatientProfile

# Internal steps per simulated second. Pulse steps at 50 Hz to draw each beat's pressure wave;
# this model has no within-beat dynamics (its fastest time constant is 2 s), so 20 Hz loses
# nothing and leaves the time for many simulations at once.
RATE_HZ = 20
STEP_S = 1.0 / RATE_HZ
MAX_ADVANCE_S = 24 * 3600.0

# Physiological noise: Ornstein-Uhlenbeck processes (time constant s, standard deviation).
_NOISE = {"hr": (20.0, 1.5), "svr": (30.0, 0.015), "rr": (15.0, 0.4)}


@dataclass(frozen=True, slots=True)
class Vitals:
    """What a monitor and a bedside examination show at one moment.

    Pressures mmHg, rates per minute, SpO2 %, temperature °C, EtCO2 mmHg, volumes mL, cardiac
    output L/min, SVR mmHg·min/L (Wood units), haemoglobin g/dL, lactate mmol/L. In arrest the
    rates, pressures and EtCO2 are 0 and the oximeter's reading fades.
    """

    time_s: float
    heart_rate: float
    systolic_bp: float
    diastolic_bp: float
    mean_bp: float
    respiration_rate: float
    spo2: float
    temperature: float
    consciousness: str
    etco2: float
    cardiac_output: float
    stroke_volume: float
    svr: float
    blood_volume: float
    tidal_volume: float
    minute_ventilation: float
    alveolar_ventilation: float
    fio2: float
    pao2: float
    paco2: float
    haemoglobin: float
    lactate: float
    on_oxygen: bool
    arrest: bool

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        """The vitals as plain JSON-ready values."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AppliedAction:
    """One action as it was applied: when (simulated seconds), what, with which parameters."""

    time_s: float
    name: str
    params: dict[str, Value]


class Simulation:
    """One virtual patient. ``apply`` conditions and interventions, ``advance`` time, read
    ``vitals``. Deterministic: the same seed and calls give the same vitals.

    ``rate_hz`` (keyword, default ``RATE_HZ``) is the internal step rate. Only batch work that
    needs hours of simulated time per patient should lower it: 1 Hz is the coarsest rate the
    baroreflex loop (its fastest time constant is 2 s) still follows, and in-silico trials use it
    (tests/unit/research/test_insilico_engine.py compares it with 20 Hz)."""

    def __init__(
        self, patient: PatientProfile | None = None, seed: int = 0, *, rate_hz: int = RATE_HZ
    ) -> None:
        if isinstance(rate_hz, bool) or not isinstance(rate_hz, int) or not 1 <= rate_hz <= 100:
            raise ValueError("rate_hz must be a whole number between 1 and 100")
        self.patient = patient or PatientProfile()
        self.seed = seed
        self.rate_hz = rate_hz
        self.body = Physiology(self.patient)
        self.applied: list[AppliedAction] = []
        self._rng = random.Random(seed)  # noqa: S311 - physiological noise, not secrets
        self._steps = 0
        self._carry = 0.0  # simulated seconds asked for but not yet a whole step

    @property
    def time_s(self) -> float:
        """Simulated seconds since the start."""
        return self._steps / self.rate_hz

    @property
    def arrested(self) -> bool:
        """The patient is in cardiac arrest (which this engine cannot reverse)."""
        return self.body.arrest

    def apply(self, action_name: str, **params: object) -> AppliedAction:
        """Apply a condition or an intervention now; ``ValueError`` names what is wrong."""
        spec = action(action_name)
        checked = spec.validate(params)
        spec.perform(self.body, checked)
        applied = AppliedAction(self.time_s, spec.name, checked)
        self.applied.append(applied)
        return applied

    def advance(self, seconds: float) -> Vitals:
        """Step ``seconds`` of simulated time (at ``rate_hz``) and answer the vitals then."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError("seconds must be a number")
        if not math.isfinite(seconds) or not 0.0 <= seconds <= MAX_ADVANCE_S:
            raise ValueError(f"seconds must be between 0 and {MAX_ADVANCE_S:g}")
        total = self._carry + seconds * self.rate_hz
        steps = int(total + 1e-9)
        self._carry = total - steps
        body, gauss, dt = self.body, self._rng.gauss, 1.0 / self.rate_hz
        (tau_hr, sd_hr), (tau_svr, sd_svr), (tau_rr, sd_rr) = (
            _NOISE["hr"], _NOISE["svr"], _NOISE["rr"],
        )  # fmt: skip
        k_hr, k_svr, k_rr = dt / tau_hr, dt / tau_svr, dt / tau_rr
        g_hr = sd_hr * math.sqrt(2.0 * k_hr)
        g_svr = sd_svr * math.sqrt(2.0 * k_svr)
        g_rr = sd_rr * math.sqrt(2.0 * k_rr)
        step = body.step
        for _ in range(steps):
            body.noise_hr += -body.noise_hr * k_hr + g_hr * gauss()
            body.noise_svr += -body.noise_svr * k_svr + g_svr * gauss()
            body.noise_rr += -body.noise_rr * k_rr + g_rr * gauss()
            step(dt)
        self._steps += steps
        return self.vitals()

    def vitals(self) -> Vitals:
        """The vitals now (reading them changes nothing)."""
        b = self.body
        arrest = b.arrest
        return Vitals(
            time_s=round(self.time_s, 3),
            heart_rate=round(b.hr, 1),
            systolic_bp=round(b.sbp, 1),
            diastolic_bp=round(b.dbp, 1),
            mean_bp=round(b.map, 1),
            respiration_rate=round(b.rr, 1),
            spo2=round(100.0 * _clamp01(b.sao2_shown), 1),
            temperature=round(b.temperature, 2),
            consciousness=b.consciousness,
            etco2=round(b.etco2, 1),
            cardiac_output=round(b.co, 2),
            stroke_volume=round(b.sv, 1),
            svr=round(b.svr, 2),
            blood_volume=round(b.volume, 0),
            tidal_volume=round(b.vt, 0),
            minute_ventilation=round(b.ve, 2),
            alveolar_ventilation=round(b.va, 2),
            fio2=round(b.fio2, 2),
            pao2=round(b.pao2, 1),
            paco2=round(b.paco2, 1),
            haemoglobin=round(33.0 * b.red_cells / b.volume, 1),
            lactate=round(b.lactate, 1),
            on_oxygen=b.oxygen_flow > 0.0,
            arrest=arrest,
        )


def _clamp01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


__all__ = ["AppliedAction", "Simulation", "Vitals", "severinghaus"]
