"""``careverse bench wellbeing --beats N --json`` adds the biofeedback latency (the wiring only:
a small run, no figure judged here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app


def test_bench_wellbeing_times_beats_from_ingest_to_the_breathing_stream():
    result = CliRunner().invoke(
        app, ["bench", "wellbeing", "--questionnaires", "10000", "--beats", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    live = figures["biofeedback"]
    assert live["beats"] == 20 and live["target_ms"] == 1000
    assert 0 < live["median_ms"] <= live["p99_ms"] <= live["max_ms"]
    assert isinstance(live["meets_target"], bool)
