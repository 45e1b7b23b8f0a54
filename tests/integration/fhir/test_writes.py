"""FHIR writes: conditional create of Observations, cancelling an Appointment by PUT with
If-Match (ETag and meta.versionId on reads), and Patient $match among the caller's patients."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B import get_fhir_model_class

from careverse.monitoring.models import Reading
from tests.integration.care.support import WEEKDAYS, book
from tests.integration.fhir.test_resources import fhir, valid
from tests.integration.monitoring.test_ingest_fhir import obs
from tests.integration.privacy.support import assign, count

MONDAY = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
TUESDAY_TEN = "2026-03-24T10:00:00Z"  # a day ahead: cancelling needs no note


@pytest.fixture
def monday(fake_clock):
    fake_clock.now = MONDAY
    return fake_clock


async def test_conditional_create_of_an_observation_is_idempotent(app, client, person):
    alice = await person("patient")
    resource = obs(alice.patient_id, "8867-4", 72, "/min", ident="hr-1")
    condition = {**alice.headers, "If-None-Exist": "identifier=urn:test|hr-1"}
    first = await client.post("/fhir/Observation", json=resource, headers=condition)
    assert first.status_code == 201, first.text
    again = await client.post("/fhir/Observation", json=resource, headers=condition)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    get_fhir_model_class("Observation").model_validate(again.json())
    assert await count(app, Reading, Reading.patient_id == alice.patient_id) == 1
    for bad in ("identifier=urn:test|other", "code=8867-4", "identifier=urn:other|hr-1"):
        r = await client.post(
            "/fhir/Observation", json=resource, headers={**alice.headers, "If-None-Exist": bad}
        )
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["resourceType"] == "OperationOutcome"
        assert "other" not in r.text


async def test_an_appointment_is_cancelled_by_put_with_if_match(app, client, person, monday):
    patient, stranger = await person("patient"), await person("patient")
    clinician = await person("clinician")
    made = await client.put(
        "/api/care/availability", json={"time_zone": "UTC", "weekly": WEEKDAYS},
        headers=clinician.headers,
    )  # fmt: skip
    assert made.status_code == 200, made.text
    booked = await book(client, patient, clinician, TUESDAY_TEN)
    assert booked.status_code == 201, booked.text
    url = f"/fhir/Appointment/{booked.json()['id']}"
    read = await client.get(url, headers=patient.headers)
    current = fhir(read)
    valid(current, "Appointment")
    assert read.headers["etag"] == 'W/"1"' and current["meta"]["versionId"] == "1"

    cancel = {**current, "status": "cancelled", "cancelationReason": {"text": "Feeling better"}}
    r = await client.put(url, json=cancel, headers=patient.headers)
    assert r.status_code == 428 and r.json()["resourceType"] == "OperationOutcome"
    r = await client.put(url, json=cancel, headers={**patient.headers, "If-Match": 'W/"0"'})
    assert r.status_code == 412 and r.json()["resourceType"] == "OperationOutcome"
    r = await client.put(url, json={**current, "status": "fulfilled"},
                         headers={**patient.headers, "If-Match": 'W/"1"'})  # fmt: skip
    assert r.status_code == 422
    r = await client.put(url, json=cancel, headers={**stranger.headers, "If-Match": 'W/"1"'})
    assert r.status_code == 404

    r = await client.put(url, json=cancel, headers={**patient.headers, "If-Match": 'W/"1"'})
    updated = fhir(r)
    valid(updated, "Appointment")
    assert updated["status"] == "cancelled" and r.headers["etag"] == 'W/"2"'
    stale = await client.put(url, json=cancel, headers={**patient.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    mine = await client.get("/api/care/appointments", headers=patient.headers)
    assert [a["status"] for a in mine.json()] == ["cancelled"]


def match_body(name: str, **extra) -> dict:
    wanted = {"resourceType": "Patient", "name": [{"text": name}], **extra}
    return {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": wanted}]}


async def test_patient_match_answers_only_patients_the_caller_may_see(app, client, person):
    mine = await person("patient", name="Amara Nwosu")
    await person("patient", name="Amara Okafor")  # not the clinician's: never shown
    admin, clinician = await person("admin"), await person("clinician")
    await assign(client, admin, clinician, mine)
    found = fhir(await client.post("/fhir/Patient/$match", json=match_body("amara"),
                                   headers=clinician.headers))  # fmt: skip
    valid(found, "Bundle")
    assert [e["resource"]["id"] for e in found["entry"]] == [str(mine.patient_id)]
    assert found["entry"][0]["search"]["score"] == 1
    nobody = fhir(await client.post("/fhir/Patient/$match", json=match_body("okafor"),
                                    headers=clinician.headers))  # fmt: skip
    assert nobody["entry"] == []
    refused = await client.post("/fhir/Patient/$match", json=match_body("amara"),
                                headers=admin.headers)  # fmt: skip
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    bad = await client.post("/fhir/Patient/$match", json={"resourceType": "Parameters"},
                            headers=clinician.headers)  # fmt: skip
    assert bad.status_code in (400, 422) and bad.json()["resourceType"] == "OperationOutcome"
