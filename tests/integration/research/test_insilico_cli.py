"""``careverse research simulate-trial``: JSON out, and a bad file exits 2 naming the problem."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app

runner = CliRunner()


def test_simulate_trial_prints_arms_estimates_and_timings(tmp_path):
    trial = tmp_path / "tiny.yaml"
    trial.write_text(
        """
id: tiny-oxygen
title: Oxygen or not in heart failure
condition: {name: heart_failure, severity: {kind: uniform, low: 0.7, high: 0.8}}
cohort: {size: 6, age_years: {kind: uniform, low: 50, high: 80}}
arms:
  - {name: air}
  - {name: oxygen, actions: [{at_s: 60, action: oxygen, params: {flow_l_min: 10}}]}
duration_s: 1800
outcomes:
  - {id: spo2_min, kind: min, vital: spo2}
  - {id: desaturation, kind: ever_below, vital: spo2, threshold: 90}
seed: 3
"""
    )
    result = runner.invoke(
        app, ["research", "simulate-trial", str(trial), "--json", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [a["name"] for a in body["arms"]] == ["air", "oxygen"]
    spo2 = body["outcomes"][0]
    assert spo2["by_arm"][1]["mean"] > spo2["by_arm"][0]["mean"]
    estimate = spo2["estimates"][0]
    assert estimate["ci_low"] <= estimate["estimate"] <= estimate["ci_high"]
    assert body["outcomes"][1]["estimates"][0]["measure"] == "risk_difference"
    assert body["timings"]["patients"] == 6 and body["timings"]["engine_rate_hz"] == 1


def test_a_bad_trial_file_exits_2_naming_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "x", "title": "x"}))
    result = runner.invoke(app, ["research", "simulate-trial", str(bad), "--json"])
    assert result.exit_code == 2
    assert "condition" in result.output
    missing = runner.invoke(app, ["research", "simulate-trial", str(tmp_path / "none.json")])
    assert missing.exit_code == 2
