"""The simulator's values are plausible, move the way each scenario says, and parse as OMH."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from careverse.monitoring import units
from careverse.monitoring.ingest import parse_batch
from careverse.monitoring.simulate import SCENARIOS, Patient, data_points, history_rows

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_simulated_point_is_accepted(scenario):
    sim = Patient(scenario, NOW - timedelta(hours=1), minutes=30)
    points = data_points(sim, NOW, "t", weight=True)
    items = parse_batch([msgspec.json.encode(p) for p in points], NOW)
    assert all(i.reason is None for i in items), [i.reason for i in items]


def test_scenarios_move_the_right_way():
    later = NOW + timedelta(hours=2)
    mean = {}
    for scenario in ("stable", "sepsis"):
        sim = Patient(scenario, NOW, minutes=30)
        values = [sim.vitals(later) for _ in range(50)]
        mean[scenario] = {c: sum(v[c] for v in values) / 50 for c in values[0]}
    assert mean["sepsis"][units.HEART_RATE] > mean["stable"][units.HEART_RATE] + 30
    assert mean["sepsis"][units.TEMPERATURE] > 38.5
    assert mean["sepsis"][units.SYSTOLIC] < 100


def test_heart_failure_history_gains_weight():
    rows = history_rows(uuid.uuid4(), None, "heart-failure", NOW, hours=96)
    weights = [r["value"] for r in rows if r["code"] == units.WEIGHT]
    assert len(weights) >= 4 and weights[-1] - weights[0] > 2
    for r in rows:
        spec = units.CODES[r["code"]]
        assert spec.low <= r["value"] <= spec.high
