"""``careverse bench insilico``: an in-silico trial's wall time, and the engine's speed."""

from __future__ import annotations

import time
from typing import Any

from careverse.research.insilico import TrialSpec, load_trial, run_trial
from careverse.training.physiology import Simulation

TARGET_S = 60.0


def _engine_seconds_per_sim_hour(rate_hz: int) -> float:
    sim = Simulation(seed=1, rate_hz=rate_hz)
    sim.apply("sepsis", severity=0.5)
    started = time.perf_counter()
    sim.advance(1800)
    return (time.perf_counter() - started) * 2.0


def run_insilico_bench(patients: int, hours: float, workers: int) -> dict[str, Any]:
    """Run the sepsis fluids example with ``patients`` x ``hours`` (vitals sampled every 60 s)."""
    data = load_trial("sepsis_fluids").model_dump()
    duration = hours * 3600.0
    data["cohort"]["size"] = patients
    data["duration_s"] = duration
    data["sample_every_s"] = 60.0
    for arm in data["arms"]:
        arm["actions"] = [a for a in arm["actions"] if a["at_s"] <= duration]
    spec = TrialSpec.model_validate(data)
    started = time.perf_counter()
    result = run_trial(spec, workers=workers)
    wall = time.perf_counter() - started
    patient_hours = patients * hours
    return {
        "patients": patients,
        "hours_each": hours,
        "workers": workers,
        "wall_s": round(wall, 2),
        "patient_hours_per_s": round(patient_hours / wall, 2),
        "target_s_for_1000x24h": TARGET_S,
        "projected_s_for_1000x24h": round(wall * 24_000.0 / patient_hours, 1),
        "engine_cpu_s_per_simulated_hour": {
            "20hz": round(_engine_seconds_per_sim_hour(20), 4),
            "1hz": round(_engine_seconds_per_sim_hour(1), 4),
        },
        "arms": [{"name": a["name"], "n": a["n"]} for a in result["arms"]],
    }
