"""``careverse bench wellbeing --json`` prints the scoring rate (a small run: the wiring only)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app


def test_bench_wellbeing_prints_questionnaires_per_second():
    command = ["bench", "wellbeing", "--questionnaires", "10000", "--crisis-submissions", "0"]
    result = CliRunner().invoke(app, [*command, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["questionnaires"] == 10_000
    assert figures["questionnaires_per_second"] > 0 and figures["cssrs_per_second"] > 0
    assert figures["target_per_second"] == 100_000
