"""The stage benchmark runs the hub's own code: a start silences everyone without flooding
their outboxes (no one closed as too slow), and every slide reaches every audience member."""

from __future__ import annotations

from careverse.bench.stage import run_stage_bench


def test_a_full_auditorium_gets_every_slide_and_nobody_is_dropped():
    result = run_stage_bench(audience=300, runs=10)
    assert result["closed_as_too_slow"] == 0
    assert result["slides"] == 10 and result["fanout_ms_max"] > 0
