"""``careverse bench training``: how much faster than real time the physiology engine runs.

- **One simulation**: a patient with a condition and drugs on board (every subsystem active)
  advanced ``seconds`` of simulated time; steps per second at the engine's internal rate and
  the real-time factor (the issue's target: at least 200x on one core).
- **Concurrent scenarios**: ``scenarios`` simulations (the six conditions in turn) each advanced
  by one world tick, tick after tick, in one thread, as a space's loop would step its lab
  patients; the wall time of each tick's stepping, p50/p99/max, against the tick's budget. This
  is the engine's share only: the lab's room events are not built yet.
"""

from __future__ import annotations

import statistics
import time

from careverse.training.physiology import CONDITIONS, RATE_HZ, Simulation

TARGET_REAL_TIME_FACTOR = 200.0


def _patient(i: int) -> Simulation:
    sim = Simulation(seed=i)
    sim.apply(CONDITIONS[i % len(CONDITIONS)], severity=0.5)
    sim.apply("oxygen", flow_l_min=4)
    sim.apply("morphine", dose_mg=2, route="iv")
    sim.apply("adrenaline", dose_mg=0.5, route="im")
    return sim


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_training_bench(
    seconds: float = 3600.0, scenarios: int = 20, tick_hz: float = 20.0, ticks: int = 1200
) -> dict:
    """Time one simulation over ``seconds`` and ``scenarios`` simulations over ``ticks`` ticks."""
    sim = _patient(1)
    started, cpu_started = time.perf_counter(), time.process_time()
    sim.advance(seconds)
    wall = time.perf_counter() - started
    # The process's CPU time is what "one core" costs; on a busy machine wall time also counts
    # the waits for a core.
    cpu = max(time.process_time() - cpu_started, 1e-9)
    factor = seconds / wall
    one = {
        "simulated_s": seconds,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "steps_per_s": round(seconds * RATE_HZ / wall),
        "real_time_factor": round(factor, 1),
        "real_time_factor_cpu": round(seconds / cpu, 1),
        "target_real_time_factor": TARGET_REAL_TIME_FACTOR,
        "met": factor >= TARGET_REAL_TIME_FACTOR,
    }
    patients = [_patient(i) for i in range(scenarios)]
    tick_s = 1.0 / tick_hz
    costs_ms: list[float] = []
    for _ in range(ticks):
        started = time.perf_counter()
        for patient in patients:
            patient.advance(tick_s)
        costs_ms.append((time.perf_counter() - started) * 1000.0)
    budget_ms = 1000.0 / tick_hz
    concurrent = {
        "scenarios": scenarios,
        "tick_hz": tick_hz,
        "ticks": ticks,
        "tick_budget_ms": budget_ms,
        "step_ms_p50": round(statistics.median(costs_ms), 3),
        "step_ms_p99": round(_percentile(costs_ms, 0.99), 3),
        "step_ms_max": round(max(costs_ms), 3),
        "share_of_budget_p99": round(_percentile(costs_ms, 0.99) / budget_ms, 3),
    }
    return {"engine_rate_hz": RATE_HZ, "one_simulation": one, "concurrent": concurrent}
