"""Vital-signs Observations over FHIR: create, batch and transaction Bundles, validation."""

from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class

from careverse.kernel import clock
from tests.integration.monitoring.support import paired_device
from tests.integration.privacy.support import assign

FHIR_JSON = "application/fhir+json"


def obs(patient_id, code, value=None, unit=None, components=None, ident=None) -> dict:
    resource: dict = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": clock.now().isoformat(),
    }
    if value is not None:
        resource["valueQuantity"] = {
            "value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit
        }  # fmt: skip
    if components:
        resource["component"] = [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": c}]},
                "valueQuantity": {
                    "value": v,
                    "unit": u,
                    "system": "http://unitsofmeasure.org",
                    "code": u,
                },
            }
            for c, v, u in components
        ]
    if ident:
        resource["identifier"] = [{"system": "urn:test", "value": ident}]
    return resource


def entry(resource: dict) -> dict:
    return {"resource": resource, "request": {"method": "POST", "url": "Observation"}}


async def test_create_observation_converts_validates_and_is_idempotent(client, person):
    alice = await person("patient")
    h = {**alice.headers, "Content-Type": FHIR_JSON}
    r = await client.post(
        "/fhir/Observation",
        json=obs(alice.patient_id, "8310-5", 98.6, "[degF]", ident="t1"),
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"].startswith("/fhir/Observation/")
    body = r.json()
    get_fhir_model_class("Observation").model_validate(body)
    assert body["valueQuantity"]["value"] == 37.0 and body["valueQuantity"]["code"] == "Cel"
    again = await client.post(
        "/fhir/Observation",
        json=obs(alice.patient_id, "8310-5", 98.6, "[degF]", ident="t1"),
        headers=h,
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    read = await client.get(r.headers["location"], headers=alice.headers)
    assert read.status_code == 200 and read.json()["id"] == body["id"]

    bad = await client.post(
        "/fhir/Observation", json=obs(alice.patient_id, "59408-5", 120, "%"), headers=h
    )
    assert bad.status_code == 422 and bad.json()["resourceType"] == "OperationOutcome"
    assert "120" not in bad.text
    wrong = await client.post(
        "/fhir/Observation", json={"resourceType": "Observation", "status": 3}, headers=h
    )
    assert wrong.status_code == 422 and wrong.json()["resourceType"] == "OperationOutcome"
    junk = await client.post("/fhir/Observation", content=b"{{", headers=h)
    assert junk.status_code == 422


async def test_batch_answers_per_entry_and_transaction_is_all_or_nothing(client, person):
    alice, bob = await person("patient"), await person("patient")
    admin, doc = await person("admin"), await person("clinician")
    await assign(client, admin, doc, alice)
    h = {**doc.headers, "Content-Type": FHIR_JSON}
    bp = obs(
        alice.patient_id,
        "85354-9",
        components=[("8480-6", 130, "mm[Hg]"), ("8462-4", 85, "mm[Hg]")],
    )
    spo2 = obs(alice.patient_id, "2708-6", 93, "%", components=[("3151-8", 2, "L/min")])
    other = obs(bob.patient_id, "8867-4", 70, "/min")
    implausible = obs(alice.patient_id, "8867-4", 0, "/min")
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [entry(bp), entry(spo2), entry(other), entry(implausible)],
    }
    r = await client.post("/fhir", json=batch, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    get_fhir_model_class("Bundle").model_validate(out)
    assert out["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in out["entry"]]
    assert statuses[:2] == ["201 Created", "201 Created"]
    assert statuses[2].startswith("422") and statuses[3].startswith("422")
    assert out["entry"][0]["resource"]["component"][0]["valueQuantity"]["value"] == 85

    latest = (
        await client.get(
            f"/api/monitoring/patients/{alice.patient_id}/readings/latest", headers=doc.headers
        )
    ).json()["readings"]
    assert latest["59408-5"]["value"] == 93 and latest["3151-8"]["value"] == 2
    assert latest["8480-6"]["value"] == 130

    tx = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [entry(obs(alice.patient_id, "9279-1", 18, "/min")), entry(implausible)],
    }
    r = await client.post("/fhir", json=tx, headers=h)
    assert r.status_code == 422 and r.json()["resourceType"] == "OperationOutcome"
    latest = (
        await client.get(
            f"/api/monitoring/patients/{alice.patient_id}/readings/latest", headers=doc.headers
        )
    ).json()["readings"]
    assert "9279-1" not in latest
    tx["entry"] = tx["entry"][:1]
    r = await client.post("/fhir", json=tx, headers=h)
    assert r.status_code == 200 and r.json()["type"] == "transaction-response"


async def test_a_device_posts_observations_for_its_patient_only(client, person):
    alice, bob = await person("patient"), await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    h = {**device["headers"], "Content-Type": FHIR_JSON}
    r = await client.post(
        "/fhir/Observation", json=obs(alice.patient_id, "8867-4", 64, "/min"), headers=h
    )
    assert r.status_code == 201
    r = await client.post(
        "/fhir/Observation", json=obs(bob.patient_id, "8867-4", 64, "/min"), headers=h
    )
    assert r.status_code == 422
