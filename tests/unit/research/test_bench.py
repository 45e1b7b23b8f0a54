"""``careverse bench research`` measures and prints JSON (small sizes here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app


def test_bench_research_prints_its_figures() -> None:
    out = CliRunner().invoke(app, ["bench", "research", "--rows", "2000", "--notes", "5", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["rows"] == 2000 and result["target_s"] == 10.0
    assert result["met"] == (result["report_s"] <= 10.0)
    assert result["k"] >= 1 and 0 < result["classes"] <= 2000
    assert result["gate_refused"]["achieved_k"] == result["k"]
    assert result["scrub"] == {
        "notes": 5,
        "notes_per_s": result["scrub"]["notes_per_s"],
        "leaked": 0,
    }
