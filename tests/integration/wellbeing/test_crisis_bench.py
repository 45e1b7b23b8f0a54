"""``careverse bench wellbeing``'s crisis alerts: a small run against a real node, on both
databases. What is checked is the shape of the figures and that every submission's alert arrived
on the clinician's stream exactly once; not the timing (the machine is shared)."""

from __future__ import annotations

import os

import pytest

from careverse.bench.crisis_alerts import AlertStream, run_crisis_alert_bench
from tests.conftest import TEST_KEYS


@pytest.fixture
def clean_env(monkeypatch):
    """No CAREVERSE_* setting of the calling shell leaks into the bench's node."""
    for key in [k for k in os.environ if k.startswith("CAREVERSE_")]:
        monkeypatch.delenv(key)
    return monkeypatch


def test_every_crisis_answer_reaches_the_alert_stream_once(database_url, clean_env):
    clean_env.setenv("CAREVERSE_DATABASE_URL", database_url)
    clean_env.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    figures = run_crisis_alert_bench(submissions=12, patients=3, rate=6, drain_seconds=30)
    assert figures["submissions"] == 12 and figures["patients"] == 3
    assert (figures["refused"], figures["lost"], figures["extra"]) == (0, 0, 0)
    assert figures["alerts"] == 12
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms", "post_p99_ms"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["target_ms"] == 1000.0 and isinstance(figures["meets_target"], bool)
    assert figures["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")


def test_the_stream_counts_an_alert_once_and_an_unmatched_one_as_extra():
    stream = AlertStream()
    stream.sent("p1", 1.0)
    alert = {"id": "a1", "patient_id": "p1", "source": "wellbeing", "change": "opened"}
    stream.received(alert, 1.25)
    stream.received(alert, 1.5)  # the same alert again: not a second alert
    stream.received({**alert, "change": "escalated"}, 1.6)
    stream.received({**alert, "id": "a2", "source": "rule"}, 1.7)  # not a questionnaire's
    assert (stream.latencies, stream.extra, stream.outstanding) == ([0.25], 0, 0)
    stream.received({**alert, "id": "a3"}, 2.0)  # no submission waits for it
    assert stream.extra == 1
