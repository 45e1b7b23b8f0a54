"""One care-plan rule judged against stored readings, at its edges, without the HTTP layer.

`test_rules.py` drives rules end to end through ingest; these call `evaluate_rule` on a real
database (SQLite and PostgreSQL) with readings at exact times, so each kind's boundary (a run
exactly as long as the rule asks, a change exactly the size it names, exactly the hours of
silence) and the words of its "why" are pinned.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from careverse.identity.models import Patient
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.monitoring.alert_models import CarePlanRule
from careverse.monitoring.models import Reading
from careverse.monitoring.rules import evaluate_rule, rule_title
from tests.conftest import TEST_KEYS

HR, SPO2, WEIGHT, TEMP = "8867-4", "59408-5", "29463-7", "8310-5"
UNITS = {HR: "/min", SPO2: "%", WEIGHT: "kg", TEMP: "Cel"}
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    crypto.install_keyring(crypto.load_keyring(Settings(encryption_keys=TEST_KEYS)))
    database = Database(database_url)
    yield database
    await database.dispose()


class Chart:
    """One patient's readings and rules, in one session."""

    def __init__(self, session, patient_id: uuid.UUID) -> None:
        self.session, self.patient_id, self.n = session, patient_id, 0

    async def add(self, code: str, value: float, at: datetime) -> Reading:
        self.n += 1
        reading = Reading(
            patient_id=self.patient_id, code=code, unit=UNITS[code], value=value,
            effective_at=at, received_at=at, source_id=f"r{self.n}",
        )  # fmt: skip
        self.session.add(reading)
        await self.session.flush()
        return reading

    def rule(self, kind: str, created_at: datetime = NOW - timedelta(days=30), **fields):
        return CarePlanRule(
            id=uuid.uuid4(), patient_id=self.patient_id, kind=kind, severity="high",
            created_at=created_at, **fields,
        )  # fmt: skip

    async def judge(self, rule: CarePlanRule, now: datetime = NOW, **extra):
        return await evaluate_rule(self.session, rule, now=now, **extra)


@pytest.fixture
async def chart(db: Database) -> AsyncIterator[Chart]:
    async with db.session() as session:
        patient = Patient(name="Rule test")
        session.add(patient)
        await session.flush()
        yield Chart(session, patient.id)
        await session.rollback()


def minutes(n: float) -> datetime:
    return NOW - timedelta(minutes=n)


# ---- threshold ----------------------------------------------------------------------------------


async def test_a_threshold_fires_on_the_newest_reading_and_says_which(chart):
    rule = chart.rule("threshold", code=SPO2, op="<", value=92.0)
    await chart.add(SPO2, 88, minutes(30))
    await chart.add(SPO2, 92, minutes(5))  # exactly the limit: not below it
    assert (await chart.judge(rule)).firing is False

    at_limit = chart.rule("threshold", code=SPO2, op="<=", value=92.0)
    found = await chart.judge(at_limit)
    assert found.firing and found.key == f"rule:{at_limit.id}" and found.rule_id == at_limit.id
    assert (found.source, found.severity) == ("rule", "high")
    assert found.title == "SpO2 at or below 92 %"
    assert found.why == "SpO2 92 % at or below 92 % at 11:55 UTC."


async def test_a_threshold_on_fresh_readings_names_the_worst_of_them(chart):
    low = chart.rule("threshold", code=SPO2, op="<", value=92.0)
    high = chart.rule("threshold", code=HR, op=">", value=120.0)
    fresh = [await chart.add(SPO2, v, minutes(m)) for v, m in [(90, 3), (86, 2), (97, 1)]]
    found = await chart.judge(low, fresh=fresh)
    assert found.why == "SpO2 86 % below 92 % at 11:58 UTC."  # the lowest, not the newest
    beats = [await chart.add(HR, v, minutes(m)) for v, m in [(130, 3), (150, 2), (90, 1)]]
    found = await chart.judge(high, fresh=beats)
    assert found.why == "Heart rate 150 /min above 120 /min at 11:58 UTC."  # the highest


async def test_a_rule_without_readings_or_of_an_unknown_kind_is_quiet(chart):
    assert (await chart.judge(chart.rule("threshold", code=HR, op=">", value=1.0))).firing is False
    await chart.add(HR, 200, minutes(1))
    future = chart.rule("telepathy", code=HR, op=">", value=1.0)
    found = await chart.judge(future)
    assert (found.firing, found.key, found.rule_id) == (False, f"rule:{future.id}", future.id)


# ---- sustained ----------------------------------------------------------------------------------


async def test_sustained_fires_when_the_unbroken_run_lasts_exactly_the_minutes(chart):
    rule = chart.rule("sustained", code=SPO2, op="<", value=92.0, minutes=15)
    await chart.add(SPO2, 95, minutes(40))  # before the run: breaks it
    await chart.add(SPO2, 91, minutes(14))
    await chart.add(SPO2, 88, minutes(7))
    newest = await chart.add(SPO2, 90, minutes(0))
    assert (await chart.judge(rule)).firing is False  # 14 minutes: not yet

    await chart.add(SPO2, 89, minutes(15))
    found = await chart.judge(rule, newest=newest)
    assert found.firing and found.title == "SpO2 below 92 % for 15 min"
    assert found.why == (
        "SpO2 below 92 % for 15 min: 4 readings from 88 % to 91 %, 11:45 UTC to 12:00 UTC."
    )


async def test_one_reading_out_of_range_breaks_a_sustained_run(chart):
    rule = chart.rule("sustained", code=HR, op=">=", value=120.0, minutes=10)
    await chart.add(HR, 130, minutes(25))
    await chart.add(HR, 119, minutes(8))  # one normal beat
    await chart.add(HR, 125, minutes(0))
    assert (await chart.judge(rule)).firing is False
    await chart.add(HR, 120, minutes(12))  # meets ">=", but the 119 still breaks the run
    assert (await chart.judge(rule)).firing is False


async def test_a_sustained_run_counts_only_the_readings_within_twice_its_span(chart):
    rule = chart.rule("sustained", code=HR, op=">", value=100.0, minutes=10)
    await chart.add(HR, 130, minutes(21))  # outside the 20 minutes read
    await chart.add(HR, 130, minutes(0))
    assert (await chart.judge(rule)).firing is False
    await chart.add(HR, 140, minutes(19))
    found = await chart.judge(rule)
    assert found.why.startswith("Heart rate above 100 /min for 19 min: 2 readings from 130 /min")


# ---- trend --------------------------------------------------------------------------------------


async def test_a_rise_fires_only_when_it_exceeds_the_change(chart):
    rule = chart.rule("trend", code=WEIGHT, change=2.0, days=3.0)
    await chart.add(WEIGHT, 70.0, NOW - timedelta(days=3, minutes=1))  # outside the three days
    await chart.add(WEIGHT, 80.0, NOW - timedelta(days=2))
    await chart.add(WEIGHT, 82.0, NOW)
    assert (await chart.judge(rule)).firing is False  # exactly 2 kg: not more than 2
    await chart.add(WEIGHT, 79.5, NOW - timedelta(days=2, hours=12))
    found = await chart.judge(rule)
    assert found.firing and found.title == "Weight up more than 2 kg in 3 days"
    assert found.why == (
        "Weight up 2.5 kg in 2.5 days: 79.5 kg on 29 Nov 00:00 UTC, 82 kg on 01 Dec 12:00 UTC."
    )


async def test_a_fall_fires_when_the_change_is_negative(chart):
    rule = chart.rule("trend", code=WEIGHT, change=-1.5, days=1.0)
    await chart.add(WEIGHT, 80.0, NOW - timedelta(hours=12))
    await chart.add(WEIGHT, 78.5, NOW)
    assert (await chart.judge(rule)).firing is False  # exactly 1.5 down
    await chart.add(WEIGHT, 81.0, NOW - timedelta(hours=18))
    found = await chart.judge(rule)
    assert found.title == "Weight down more than 1.5 kg in 1 days"
    assert found.why.startswith("Weight down 2.5 kg in 0.8 days: 81 kg on 30 Nov 18:00 UTC")
    rise = chart.rule("trend", code=WEIGHT, change=1.0, days=1.0)
    assert (await chart.judge(rise)).firing is False  # a fall never fires a rise


# ---- no data ------------------------------------------------------------------------------------


async def test_no_data_fires_after_exactly_the_hours_since_the_last_reading(chart):
    rule = chart.rule("no_data", code=HR, hours=6.0)
    await chart.add(HR, 70, NOW - timedelta(hours=6))
    await chart.add(SPO2, 97, NOW)  # another code does not count
    assert (await chart.judge(rule, now=NOW - timedelta(seconds=1))).firing is False
    found = await chart.judge(rule)
    assert found.firing and found.title == "No heart rate readings for 6 h"
    assert found.why == "No heart rate reading for 6.0 h; the last was at 01 Dec 06:00 UTC."
    any_code = chart.rule("no_data", hours=6.0)
    assert (await chart.judge(any_code)).firing is False  # the SpO2 reading counts here


async def test_no_data_counts_from_when_the_rule_was_set_if_that_is_later(chart):
    await chart.add(HR, 70, NOW - timedelta(days=2))
    rule = chart.rule("no_data", code=HR, hours=6.0, created_at=NOW - timedelta(hours=5))
    assert (await chart.judge(rule)).firing is False  # the device was off before the rule
    found = await chart.judge(rule, now=NOW + timedelta(hours=1))
    assert found.why == (
        "No heart rate reading in the 6.0 h since this rule was set (01 Dec 07:00 UTC)."
    )
    never = chart.rule("no_data", hours=2.5, created_at=NOW - timedelta(hours=3))
    found = await chart.judge(never)
    assert found.title == "No readings for 2.5 h"
    assert found.why == "No reading in the 3.0 h since this rule was set (01 Dec 09:00 UTC)."


def test_a_clinicians_label_is_the_rules_title():
    rule = CarePlanRule(kind="threshold", code=HR, op=">", value=120.0, label="Tachycardia")
    assert rule_title(rule) == "Tachycardia"
    rule.label = None
    assert rule_title(rule) == "Heart rate above 120 /min"


# ---- found by mutation testing (docs/testing.md) -------------------------------------------------


async def test_at_or_below_on_fresh_readings_names_the_lowest(chart):
    rule = chart.rule("threshold", code=SPO2, op="<=", value=92.0)
    fresh = [await chart.add(SPO2, v, minutes(m)) for v, m in [(91, 3), (85, 2), (92, 1)]]
    found = await chart.judge(rule, fresh=fresh)
    assert found.why == "SpO2 85 % at or below 92 % at 11:58 UTC."  # the lowest, not the highest


async def test_a_trend_with_only_its_newest_reading_is_quiet(chart):
    # The window read ends before the newest reading: with nothing earlier there is no change.
    rule = chart.rule("trend", code=WEIGHT, change=-0.5, days=2.0)
    await chart.add(WEIGHT, 70.0, NOW - timedelta(days=3))  # outside the window
    await chart.add(WEIGHT, 60.0, NOW)
    found = await chart.judge(rule)
    assert (found.firing, found.key, found.rule_id) == (False, f"rule:{rule.id}", rule.id)


async def test_a_rise_smaller_than_one_unit_is_said_to_go_up(chart):
    rule = chart.rule("trend", code=TEMP, change=0.3, days=1.0)
    await chart.add(TEMP, 37.0, NOW - timedelta(hours=12))
    await chart.add(TEMP, 37.5, NOW)
    found = await chart.judge(rule)
    assert found.firing
    assert found.title == "Temperature up more than 0.3 °C in 1 days"
    assert found.why.startswith("Temperature up 0.5 °C in 0.5 days: 37 °C on 01 Dec 00:00 UTC")


async def test_a_trend_of_no_change_fires_in_the_direction_its_title_names(chart):
    # A change of 0 is accepted by the API; whatever it means, its title and what fires agree.
    rule = chart.rule("trend", code=WEIGHT, change=0.0, days=1.0)
    await chart.add(WEIGHT, 80.0, NOW - timedelta(hours=6))
    newest = await chart.add(WEIGHT, 80.4, NOW)  # a rise
    rise = await chart.judge(rule, newest=newest)
    fall_rule = chart.rule("trend", code=WEIGHT, change=0.0, days=1.0)
    title = rule_title(fall_rule)
    assert title in ("Weight up more than 0 kg in 1 days", "Weight down more than 0 kg in 1 days")
    assert rise.firing is (" up " in title)
    await chart.add(WEIGHT, 80.8, NOW - timedelta(hours=12))  # now the change is a fall
    fall = await chart.judge(fall_rule)
    assert fall.firing is (" down " in title)
    assert rise.firing != fall.firing
