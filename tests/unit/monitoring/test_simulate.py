"""The simulator's values are plausible, move the way each scenario says, and parse as OMH."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from careverse.monitoring import news2, units
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


@pytest.mark.parametrize("scenario", ["deteriorating", "sepsis", "heart-failure"])
@pytest.mark.parametrize("seed", range(5))
def test_by_default_a_scenario_raises_an_alert_within_the_first_minute(scenario, seed):
    """The README's simulator command, as is: a batch every 5 s scores NEWS2 medium or high
    (an alert) before the first minute is out; the stable scenario never does."""
    sim = Patient(scenario, NOW, rng=random.Random(seed))
    steady = Patient("stable", NOW, rng=random.Random(seed))
    risks = [_news2(sim, NOW + timedelta(seconds=s)).risk for s in range(0, 60, 5)]
    assert {"medium", "high"} & set(risks), risks
    assert all(_news2(steady, NOW + timedelta(seconds=s)).risk == "low" for s in range(0, 60, 5))


def test_deteriorating_passes_through_medium_to_high():
    sim = Patient("deteriorating", NOW, rng=random.Random(1))
    risks = [_news2(sim, NOW + timedelta(seconds=s)).risk for s in range(0, 120, 5)]
    assert "medium" in risks and "high" in risks
    assert risks.index("medium") < risks.index("high")


def _news2(sim: Patient, at: datetime) -> news2.News2:
    v = sim.vitals(at)
    return news2.score(
        respiration_rate=v[units.RESPIRATORY_RATE], spo2=v[units.SPO2], on_oxygen=False,
        systolic_bp=v[units.SYSTOLIC], pulse=v[units.HEART_RATE], consciousness=None,
        temperature=v[units.TEMPERATURE],
    )  # fmt: skip
