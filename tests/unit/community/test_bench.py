"""``careverse bench community --json`` prints the crisis screen's figures (the wiring only:
no posting through a node here)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from careverse.cli import app


def test_bench_community_prints_screen_time_and_precision_recall():
    result = CliRunner().invoke(
        app, ["bench", "community", "--posts", "200", "--no-posting", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["abuse_engine"] == "alt-profanity-check" and figures["lexicon_entries"] > 50
    assert figures["screen_ms_mean"] > 0 and figures["pipeline_per_second"] > 0
    labelled = figures["labelled"]
    assert labelled["crisis_posts"] >= 200 and labelled["non_crisis_posts"] >= 200
    assert labelled["recall"] == 1.0 and labelled["precision"] >= 0.95
