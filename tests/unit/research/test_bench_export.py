"""``careverse bench research-export`` runs the export's de-identification on synthetic records
and reports its rate and projection (the figure itself is measured by the command, not here)."""

from __future__ import annotations

from careverse.bench.research_export import run_research_export_bench


def test_the_export_bench_reports_its_rate_and_projection():
    result = run_research_export_bench(patients=6, readings=3)
    assert result["resources"] == 6 * 5
    assert result["patients_per_second"] > 0
    assert result["projected_10000_patients_year_hourly_s"] > 0
    assert isinstance(result["meets_target"], bool) and isinstance(result["refused"], bool)
