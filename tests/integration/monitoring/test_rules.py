"""Care-plan rules and NEWS2 on ingest: threshold, sustained, trend, no data; who may set them."""

from __future__ import annotations

import pytest

from careverse.monitoring import jobs
from careverse.monitoring.jobs import Evaluator
from tests.integration.monitoring.alert_support import (
    LONG_SESSIONS,
    add_rule,
    alerts,
    send,
    team,
    vital,
    vitals_set,
)

HR, SPO2, WEIGHT, RR, TEMP, SYS = "8867-4", "59408-5", "29463-7", "9279-1", "8310-5", "8480-6"


@pytest.fixture
def settings_overrides() -> dict:
    return dict(LONG_SESSIONS)


async def test_a_threshold_fires_once_and_a_persisting_breach_updates_it(app, client, person):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=SPO2, op="<",
                   value=92, severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(SPO2, 95))
    assert await alerts(client, t.clinician, source="rule") == []

    await send(app, client, t.patient, vital(SPO2, 89))
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["source"] == "rule" and alert["severity"] == "high"
    assert alert["status"] == "open" and alert["count"] == 1
    assert alert["title"] == "SpO2 below 92 %"
    assert alert["why"].startswith("SpO2 89 % below 92 % at ")
    assert alert["patient_name"] == t.patient.name

    await send(app, client, t.patient, vital(SPO2, 88))
    (again,) = await alerts(client, t.clinician, source="rule")
    assert again["id"] == alert["id"] and again["count"] == 2
    assert again["why"].startswith("SpO2 88 %")

    # Back in range: without auto-resolve the alert waits for a clinician.
    await send(app, client, t.patient, vital(SPO2, 96))
    (still,) = await alerts(client, t.clinician, source="rule")
    assert still["status"] == "open" and still["count"] == 2
    r = await client.post(f"/api/monitoring/alerts/{still['id']}/resolve",
                          headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 200

    # A dip followed at once by a normal value, in one batch: the dip still counts.
    await send(app, client, t.patient, vital(SPO2, 87, minutes_ago=1), vital(SPO2, 97))
    (dip,) = await alerts(client, t.clinician, source="rule")
    assert dip["id"] != alert["id"] and dip["why"].startswith("SpO2 87 % below 92 %")


@pytest.mark.parametrize("settings_overrides", [{**LONG_SESSIONS, "alert_auto_resolve": True}])
async def test_auto_resolve_closes_an_alert_whose_condition_cleared(app, client, person):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=HR, op=">=",
                   value=130, severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(HR, 135))
    (alert,) = await alerts(client, t.clinician, source="rule")
    await send(app, client, t.patient, vital(HR, 90))
    assert await alerts(client, t.clinician, source="rule") == []
    (resolved,) = await alerts(client, t.clinician, "resolved", source="rule")
    assert resolved["id"] == alert["id"] and resolved["resolved_at"]
    # A new breach is a new alert.
    await send(app, client, t.patient, vital(HR, 140))
    (fresh,) = await alerts(client, t.clinician, source="rule")
    assert fresh["id"] != alert["id"] and fresh["count"] == 1


async def test_sustained_needs_every_reading_over_the_whole_span(app, client, person, fake_clock):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="sustained", code=HR, op=">",
                   value=120, minutes=10, severity="high")  # fmt: skip
    # 6 minutes of a fast pulse: not yet sustained.
    await send(app, client, t.patient, *[vital(HR, 125 + m, minutes_ago=m) for m in (6, 4, 2, 0)])
    assert await alerts(client, t.clinician, source="rule") == []
    # Six minutes later the same run has lasted 12 minutes.
    fake_clock.advance(minutes=6)
    await send(app, client, t.patient, *[vital(HR, 128, minutes_ago=m) for m in (4, 2, 0)])
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["title"] == "Heart rate above 120 /min for 10 min"
    assert alert["why"].startswith("Heart rate above 120 /min for 12 min: 7 readings from")


async def test_one_reading_back_in_range_breaks_a_sustained_run(app, client, person, fake_clock):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="sustained", code=HR, op=">",
                   value=120, minutes=10, severity="high")  # fmt: skip
    points = [vital(HR, 130, minutes_ago=m) for m in (14, 12, 10, 8, 6, 2, 0)]
    points.append(vital(HR, 110, minutes_ago=4))
    await send(app, client, t.patient, *points)
    assert await alerts(client, t.clinician, source="rule") == []


async def test_trend_compares_earliest_and_newest_in_the_window(app, client, person):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="trend", code=WEIGHT, change=2.0,
                   days=3, severity="medium", label="Weight gain (heart failure)")  # fmt: skip
    day = 24 * 60
    await send(app, client, t.patient, vital(WEIGHT, 79.0, 5 * day), vital(WEIGHT, 80.1, 2.9 * day))
    await send(app, client, t.patient, vital(WEIGHT, 81.0, 1 * day))
    assert (
        await alerts(client, t.clinician, source="rule") == []
    )  # +0.9 kg since the earliest in 3 days
    await send(app, client, t.patient, vital(WEIGHT, 82.5, 0))
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["title"] == "Weight gain (heart failure)"
    assert alert["why"].startswith("Weight up 2.4 kg in 2.9 days: 80.1 kg on ")


async def test_a_falling_trend(app, client, person):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="trend", code=WEIGHT, change=-1.5,
                   days=7, severity="low")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 70.0, 6 * 24 * 60), vital(WEIGHT, 68.0, 0))
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["title"] == "Weight down more than 1.5 kg in 7 days"
    assert "down 2 kg" in alert["why"]


async def test_no_data_fires_on_the_schedule(app, client, person, fake_clock):
    t = await team(client, person)
    rule = await add_rule(client, t.clinician, t.patient, kind="no_data", hours=6, code=HR,
                          severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(HR, 70))
    db, settings = app.state.runtime.db, app.state.runtime.settings

    fake_clock.advance(hours=5)
    assert await jobs.check_absence_once(db, settings) == 0
    await send(app, client, t.patient, vital(SPO2, 97))  # another code does not count
    fake_clock.advance(hours=1, minutes=5)
    assert await jobs.check_absence_once(db, settings) == 1
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert alert["rule_id"] == rule["id"]
    assert alert["title"] == "No heart rate readings for 6 h"
    assert alert["why"].startswith("No heart rate reading for 6.1 h; the last was at ")
    # The next check finds the same condition: the same alert, counted.
    assert await jobs.check_absence_once(db, settings) == 1
    (same,) = await alerts(client, t.clinician, source="rule")
    assert same["id"] == alert["id"] and same["count"] == 2


async def test_a_new_no_data_rule_counts_from_when_it_was_set(app, client, person, fake_clock):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="no_data", hours=2, severity="low")
    db, settings = app.state.runtime.db, app.state.runtime.settings
    assert await jobs.check_absence_once(db, settings) == 0
    fake_clock.advance(hours=2, minutes=1)
    assert await jobs.check_absence_once(db, settings) == 1
    (alert,) = await alerts(client, t.clinician, source="rule")
    assert "since this rule was set" in alert["why"]


async def test_news2_on_ingest_raises_and_updates_one_alert(app, client, person):
    t = await team(client, person)
    # NEWS2 1 (low): nothing.
    await send(app, client, t.patient, *vitals_set({HR: 95}))
    assert await alerts(client, t.clinician, source="news2") == []
    r = await client.get(f"/api/monitoring/patients/{t.patient.patient_id}/news2",
                         headers=t.clinician.headers)  # fmt: skip
    assert r.json()["total"] == 1 and r.json()["risk"] == "low"
    assert r.json()["missing"] == ["on_oxygen", "consciousness"] and r.json()["partial"]

    # A single 3 (SpO2 91 %) in a total of 4: low-medium → a low-severity alert.
    await send(app, client, t.patient, vital(SPO2, 91))
    (alert,) = await alerts(client, t.clinician, source="news2")
    assert alert["source"] == "news2" and alert["severity"] == "low"
    assert alert["title"] == "NEWS2 4 — low-medium risk (a single parameter scored 3)"

    # Respiration 22, pulse 115, temperature 38.5, SpO2 93: NEWS2 7, high.
    await send(app, client, t.patient, *vitals_set({RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}))
    (high,) = await alerts(client, t.clinician, source="news2")
    assert high["id"] == alert["id"] and high["count"] == 2
    assert high["severity"] == "high" and high["title"] == "NEWS2 7 — high risk"
    assert "respiration 22 /min (2)" in high["why"] and "SpO2 93 % (2)" in high["why"]
    assert "pulse 115 /min (2)" in high["why"] and "temperature 38.5 °C (1)" in high["why"]
    assert "partial: no oxygen, consciousness" in high["why"]


async def test_news2_uses_the_clinicians_observations_and_scale_2(app, client, person):
    t = await team(client, person)
    pid = t.patient.patient_id
    await send(app, client, t.patient, *vitals_set({SPO2: 89}))
    r = await client.get(f"/api/monitoring/patients/{pid}/news2", headers=t.clinician.headers)
    assert r.json()["scores"]["spo2"] == 3

    r = await client.put(f"/api/monitoring/patients/{pid}/news2-settings",
                         json={"spo2_scale": 2}, headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/monitoring/patients/{pid}/observations",
                          json={"consciousness": "C", "on_oxygen": True},
                          headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    await app.state.runtime.get(Evaluator).wait_idle()
    r = await client.get(f"/api/monitoring/patients/{pid}/news2", headers=t.patient.headers)
    news = r.json()
    assert news["spo2_scale"] == 2 and not news["partial"]
    assert news["scores"] == {
        "respiration_rate": 0, "spo2": 0, "on_oxygen": 2, "systolic_bp": 0, "pulse": 0,
        "consciousness": 3, "temperature": 0,
    }  # fmt: skip
    assert news["total"] == 5 and news["risk"] == "medium"
    (alert,) = await alerts(client, t.clinician, source="news2")
    assert alert["severity"] == "medium" and "SpO2 scale 2" in alert["why"]

    # Oxygen also comes from the oximeter's flow rate: 0 L/min means room air.
    await send(app, client, t.patient, vital(SPO2, 89, flow=0))
    r = await client.get(f"/api/monitoring/patients/{pid}/news2", headers=t.clinician.headers)
    assert r.json()["scores"]["on_oxygen"] == 0


async def test_readings_older_than_the_window_do_not_count(app, client, person):
    t = await team(client, person)
    await send(app, client, t.patient, *vitals_set({RR: 26}, minutes_ago=90))
    r = await client.get(f"/api/monitoring/patients/{t.patient.patient_id}/news2",
                         headers=t.clinician.headers)  # fmt: skip
    assert r.json()["total"] is None and r.json()["risk"] is None
    assert await alerts(client, t.clinician, source="news2") == []


async def test_who_may_set_and_see_rules(app, client, person):
    t = await team(client, person)
    stranger = await person("clinician")
    pid = t.patient.patient_id
    rule = {"kind": "threshold", "code": SPO2, "op": "<", "value": 92, "severity": "high"}
    url = f"/api/monitoring/patients/{pid}/rules"

    assert (await client.post(url, json=rule, headers=t.patient.headers)).status_code == 403
    assert (await client.post(url, json=rule, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    created = await add_rule(client, t.clinician, t.patient, **rule)
    assert created["created_by"] == str(t.clinician.id)

    targets = (await client.get(url, headers=t.patient.headers)).json()["rules"]
    assert [r["title"] for r in targets] == ["SpO2 below 92 %"]
    r = await client.delete(f"/api/monitoring/rules/{created['id']}", headers=stranger.headers)
    assert r.status_code == 404
    await send(app, client, t.patient, vital(SPO2, 91))
    (alert,) = await alerts(client, t.clinician, source="rule")
    r = await client.delete(f"/api/monitoring/rules/{created['id']}", headers=t.clinician.headers)
    assert r.status_code == 200
    assert (await client.get(url, headers=t.clinician.headers)).json()["rules"] == []
    # Deleting a rule resolves its live alert.
    assert await alerts(client, t.clinician, source="rule") == []
    (resolved,) = await alerts(client, t.clinician, "resolved")
    assert resolved["id"] == alert["id"]


BAD_RULES = [
    {"kind": "threshold", "code": SPO2, "op": "<", "severity": "high"},  # no value
    {"kind": "threshold", "code": SPO2, "op": "!=", "value": 92, "severity": "high"},
    {"kind": "threshold", "code": "1234-5", "op": "<", "value": 92, "severity": "high"},
    {"kind": "sustained", "code": HR, "op": ">", "value": 120, "severity": "high"},
    {"kind": "trend", "code": WEIGHT, "change": 2, "days": 0, "severity": "low"},
    {"kind": "no_data", "hours": -1, "severity": "low"},
    {"kind": "panic", "severity": "low"},
    {"kind": "threshold", "code": SPO2, "op": "<", "value": 92, "severity": "urgent"},
]


async def test_bad_rules_and_observations_are_refused(app, client, person):
    t = await team(client, person)
    for rule in BAD_RULES:
        r = await client.post(f"/api/monitoring/patients/{t.patient.patient_id}/rules", json=rule,
                              headers=t.clinician.headers)  # fmt: skip
        assert r.status_code == 422, (rule, r.text)
    url = f"/api/monitoring/patients/{t.patient.patient_id}/observations"
    assert (await client.post(url, json={}, headers=t.clinician.headers)).status_code == 422
    r = await client.post(url, json={"consciousness": "Z"}, headers=t.clinician.headers)
    assert r.status_code == 422
    r = await client.post(url, json={"consciousness": "A"}, headers=t.patient.headers)
    assert r.status_code == 403
    r = await client.put(f"/api/monitoring/patients/{t.patient.patient_id}/news2-settings",
                         json={"spo2_scale": 3}, headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 422
