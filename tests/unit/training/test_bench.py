"""``careverse bench training`` measures and prints JSON (small sizes here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app


def test_bench_training_prints_its_figures() -> None:
    out = CliRunner().invoke(
        app,
        ["bench", "training", "--seconds", "60", "--scenarios", "3", "--ticks", "20", "--json"],
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["engine_rate_hz"] == 20
    one = result["one_simulation"]
    assert one["simulated_s"] == 60 and one["steps_per_s"] > 0 and one["real_time_factor"] > 1
    assert one["met"] == (one["real_time_factor"] >= 200)
    concurrent = result["concurrent"]
    assert concurrent["scenarios"] == 3 and concurrent["tick_budget_ms"] == 50
    assert 0 < concurrent["step_ms_p50"] <= concurrent["step_ms_p99"] <= concurrent["step_ms_max"]
