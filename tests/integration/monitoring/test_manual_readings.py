"""Readings a patient types in "My health" (client/src/pages/health/reading-form.ts): the data
points the form sends, one per kind and unit it offers, are stored in the stored unit and show as
the newest values; a refused one says which value is wrong; nobody else's patient_id works."""

from __future__ import annotations

import uuid

import pytest

from careverse.kernel import clock

# (schema, body fields with value and unit as the form sends them) -> {LOINC: stored value}
FORM_READINGS = [
    ("blood-pressure", {"systolic_blood_pressure": (128, "mmHg"),
                        "diastolic_blood_pressure": (82, "mmHg")},
     {"8480-6": 128, "8462-4": 82}),
    ("heart-rate", {"heart_rate": (64, "beats/min")}, {"8867-4": 64}),
    ("blood-glucose", {"blood_glucose": (108.1, "mg/dL")}, {"2339-0": 6.0}),
    ("blood-glucose", {"blood_glucose": (5.4, "mmol/L")}, {"2339-0": 5.4}),
    ("body-weight", {"body_weight": (154, "lb")}, {"29463-7": 69.9}),
    ("body-weight", {"body_weight": (71.5, "kg")}, {"29463-7": 71.5}),
    ("body-temperature", {"body_temperature": (99.5, "F")}, {"8310-5": 37.5}),
    ("body-temperature", {"body_temperature": (36.8, "C")}, {"8310-5": 36.8}),
    ("oxygen-saturation", {"oxygen_saturation": (97, "%")}, {"59408-5": 97}),
]  # fmt: skip


def point(schema: str, fields: dict) -> dict:
    body: dict = {name: {"value": v, "unit": u} for name, (v, u) in fields.items()}
    body["effective_time_frame"] = {"date_time": clock.now().isoformat()}
    return {
        "header": {
            "id": f"manual-{uuid.uuid4()}",
            "schema_id": {"namespace": "omh", "name": schema, "version": "1.0"},
        },
        "body": body,
    }


@pytest.mark.parametrize(("schema", "fields", "stored"), FORM_READINGS)
async def test_each_reading_the_form_offers_is_stored(app, client, person, schema, fields, stored):
    patient = await person("patient")
    sent = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(patient.patient_id), "data_points": [point(schema, fields)]},
        headers=patient.headers,
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == 1, sent.text
    latest = await client.get(
        f"/api/monitoring/patients/{patient.patient_id}/readings/latest", headers=patient.headers
    )
    readings = latest.json()["readings"]
    for code, value in stored.items():
        assert readings[code]["value"] == pytest.approx(value, abs=0.05), (code, readings)


async def test_a_refused_reading_names_the_value_and_other_patients_are_404(app, client, person):
    patient, other = await person("patient"), await person("patient")
    bad = point("blood-pressure", {"systolic_blood_pressure": (80, "mmHg"),
                                   "diastolic_blood_pressure": (120, "mmHg")})  # fmt: skip
    sent = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(patient.patient_id), "data_points": [bad]},
        headers=patient.headers,
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == 0
    assert "below systolic" in sent.json()["rejected"][0]["reason"]  # the form's diastolic field
    too_hot = point("body-temperature", {"body_temperature": (48, "C")})
    sent = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(patient.patient_id), "data_points": [too_hot]},
        headers=patient.headers,
    )
    assert sent.json()["rejected"][0]["reason"].startswith("body temperature")
    assert "48" not in sent.json()["rejected"][0]["reason"]  # never the value itself
    foreign = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(other.patient_id), "data_points": [point("heart-rate", {
            "heart_rate": (60, "beats/min")})]},
        headers=patient.headers,
    )  # fmt: skip
    assert foreign.status_code == 404
