"""The clinician's panel: own patients only, sorted by risk, with NEWS2, sparklines and alerts."""

from __future__ import annotations

import pytest

from tests.integration.monitoring.alert_support import (
    LONG_SESSIONS,
    add_rule,
    send,
    team,
    vital,
    vitals_set,
)
from tests.integration.privacy.support import assign, audit_rows

HR, SPO2, RR, TEMP, WEIGHT = "8867-4", "59408-5", "9279-1", "8310-5", "29463-7"


@pytest.fixture
def settings_overrides() -> dict:
    return dict(LONG_SESSIONS)


async def test_the_panel_sorts_the_clinicians_patients_by_risk(app, client, person):
    t = await team(client, person, patient_name="Quiet Quinn")
    doctor = t.clinician
    high = await person("patient", name="High Harper")
    medium = await person("patient", name="Medium Morgan")
    alerting = await person("patient", name="Alerting Alex")
    elsewhere = await person("patient", name="Someone Else")
    for patient in (high, medium, alerting):
        await assign(client, t.admin, doctor, patient)

    await send(app, client, high, *vitals_set({RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}))  # 7
    await send(app, client, medium, *vitals_set({RR: 22, HR: 115, TEMP: 38.5}))  # 5
    await send(app, client, elsewhere, *vitals_set({RR: 26}))
    await add_rule(client, doctor, alerting, kind="threshold", code=WEIGHT, op=">", value=100,
                   severity="medium")  # fmt: skip
    await send(app, client, alerting, *vitals_set(), vital(WEIGHT, 101))  # NEWS2 0, one alert
    # A day of pulse readings every 10 minutes for the sparkline.
    await send(
        app, client, high, *[vital(HR, 80 + m % 7, minutes_ago=m) for m in range(10, 1440, 10)]
    )

    r = await client.get("/api/monitoring/panel", headers=doctor.headers)
    assert r.status_code == 200, r.text
    rows = r.json()["patients"]
    assert [p["name"] for p in rows] == [
        "High Harper", "Medium Morgan", "Alerting Alex", "Quiet Quinn",
    ]  # fmt: skip

    first = rows[0]
    assert first["news2"]["total"] == 7 and first["news2"]["risk"] == "high"
    assert first["news2"]["scores"]["respiration_rate"] == 2 and first["news2"]["at"]
    assert [a["source"] for a in first["open_alerts"]] == ["news2"]
    assert first["latest"][HR]["value"] == 115 and first["latest"][HR]["unit"] == "/min"
    assert set(first["sparklines"]) == {HR, SPO2, "8480-6", RR, TEMP}
    pulse = first["sparklines"][HR]
    assert 40 <= len(pulse) <= 48
    assert all(isinstance(t, int) and isinstance(v, float) for t, v in pulse)
    assert pulse == sorted(pulse)

    assert rows[1]["news2"]["risk"] == "medium" and rows[1]["news2"]["total"] == 5
    assert rows[2]["news2"]["total"] == 0 and len(rows[2]["open_alerts"]) == 1
    quiet = rows[3]
    assert quiet["news2"] == {
        "total": None, "risk": None, "partial": True,
        "missing": ["respiration_rate", "spo2", "on_oxygen", "systolic_bp", "pulse",
                    "consciousness", "temperature"],
        "at": None, "scores": {}, "spo2_scale": 1,
    }  # fmt: skip
    assert quiet["latest"] == {} and quiet["open_alerts"] == []
    assert all(points == [] for points in quiet["sparklines"].values())

    shown = await audit_rows(app, actor_id=doctor.id, action="vitals.read")
    assert {row.patient_id for row in shown} >= {
        p.patient_id for p in (t.patient, high, medium, alerting)
    }
    assert elsewhere.patient_id not in {row.patient_id for row in shown}


async def test_only_clinicians_have_a_panel(app, client, person):
    patient = await person("patient")
    assert (await client.get("/api/monitoring/panel", headers=patient.headers)).status_code == 403
    assert (await client.get("/api/monitoring/panel")).status_code == 401
    r = await client.get("/api/monitoring/alerts/stream", headers=patient.headers)
    assert r.status_code == 403
    loner = await person("clinician")
    r = await client.get("/api/monitoring/panel", headers=loner.headers)
    assert r.status_code == 200 and r.json() == {"patients": []}
    r = await client.get(f"/api/monitoring/patients/{patient.patient_id}/news2",
                         headers=loner.headers)  # fmt: skip
    assert r.status_code == 404
