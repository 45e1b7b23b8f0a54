"""The health record as FHIR: each resource valid R4 (fhir.resources R4B), read by id, searched by
patient, part of ``$everything`` and the patient's export, and refused like a missing one."""

from __future__ import annotations

import uuid
from collections import Counter

from tests.integration.care.test_health_record import fill
from tests.integration.fhir.test_resources import fhir
from tests.integration.fhir.test_resources import valid as validate
from tests.integration.privacy.support import assign, delegate

KINDS = {
    "conditions": "Condition",
    "medications": "MedicationStatement",
    "allergies": "AllergyIntolerance",
    "care-plans": "CarePlan",
}


def valid(resource: dict, kind: str) -> dict:
    """``resource`` once validated with the R4B model of ``kind`` (bundle entries too)."""
    validate(resource, kind)
    return resource


async def people(client, person):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, clinician, patient)
    made = await fill(client, clinician, patient)
    return clinician, patient, made


async def test_each_resource_is_valid_and_read_by_id(app, client, person):
    clinician, patient, made = await people(client, person)
    pid = patient.patient_id
    for kind, resource_type in KINDS.items():
        resource = valid(
            fhir(await client.get(f"/fhir/{resource_type}/{made[kind]['id']}",
                                  headers=patient.headers)),
            resource_type,
        )  # fmt: skip
        subject = resource.get("subject") or resource.get("patient")
        assert subject == {"reference": f"Patient/{pid}"}
    condition = fhir(
        await client.get(f"/fhir/Condition/{made['conditions']['id']}", headers=clinician.headers)
    )
    assert condition["code"]["coding"][0] == {
        "system": "http://snomed.info/sct", "code": "59621000", "display": "Essential hypertension",
    }  # fmt: skip
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert condition["onsetDateTime"] == "2024-05-01"
    medicine = fhir(
        await client.get(
            f"/fhir/MedicationStatement/{made['medications']['id']}", headers=patient.headers
        )
    )
    assert medicine["dosage"] == [{"text": "5 mg, Once a day"}]
    allergy = fhir(
        await client.get(
            f"/fhir/AllergyIntolerance/{made['allergies']['id']}", headers=patient.headers
        )
    )
    assert allergy["criticality"] == "high"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "Hives"
    plan = fhir(
        await client.get(f"/fhir/CarePlan/{made['care-plans']['id']}", headers=patient.headers)
    )
    goal_id = made["care-plans"]["goals"][0]["id"]
    assert plan["goal"] == [{"reference": f"Goal/{goal_id}"}]
    goal = valid(fhir(await client.get(f"/fhir/Goal/{goal_id}", headers=patient.headers)), "Goal")
    assert goal["target"] == [{"detailString": "below 140/90", "dueDate": "2027-01-31"}]

    # Resolved: the Condition says so, with its abatement date, and is still valid.
    await client.patch(
        f"/api/care/conditions/{made['conditions']['id']}",
        json={"clinical_status": "resolved", "resolved_on": "2026-01-02"},
        headers=clinician.headers,
    )
    resolved = valid(
        fhir(await client.get(f"/fhir/Condition/{made['conditions']['id']}",
                              headers=patient.headers)),
        "Condition",
    )  # fmt: skip
    assert resolved["abatementDateTime"] == "2026-01-02"


async def test_search_by_patient_and_refusals(app, client, person):
    clinician, patient, made = await people(client, person)
    other, stranger = await person("patient"), await person("clinician")
    pid = patient.patient_id
    for kind, resource_type in KINDS.items():
        for query in (f"patient={pid}", f"patient=Patient/{pid}", f"subject=Patient/{pid}"):
            found = valid(
                fhir(await client.get(f"/fhir/{resource_type}?{query}", headers=clinician.headers)),
                "Bundle",
            )
            assert [e["resource"]["id"] for e in found["entry"]] == [made[kind]["id"]]
        for outsider in (other, stranger):
            refused = await client.get(f"/fhir/{resource_type}?patient={pid}",
                                       headers=outsider.headers)  # fmt: skip
            assert refused.status_code == 404
        read = await client.get(f"/fhir/{resource_type}/{made[kind]['id']}", headers=other.headers)
        assert read.status_code == 404
    bad = fhir(
        await client.get(f"/fhir/Condition?patient={pid}&code:text=I10", headers=clinician.headers),
        400,
    )
    assert bad["resourceType"] == "OperationOutcome" and "code" in bad["issue"][0]["diagnostics"]
    fhir(await client.get("/fhir/Condition", headers=clinician.headers), 400)
    missing = await client.get(f"/fhir/CarePlan/{uuid.uuid4()}", headers=clinician.headers)
    assert missing.status_code == 404


async def test_everything_and_export_contain_the_health_record(app, client, person):
    clinician, patient, made = await people(client, person)
    vitals_only = await person("caregiver")
    await delegate(client, patient, vitals_only, ["vitals:read"])
    pid = patient.patient_id
    everything = fhir(
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=clinician.headers)
    )
    exported = fhir(await client.get("/api/me/export", headers=patient.headers))
    for record in (everything, exported):
        valid(record, "Bundle")
        kinds = Counter(e["resource"]["resourceType"] for e in record["entry"])
        for resource_type in (*KINDS.values(), "Goal"):
            assert kinds[resource_type] == 1, kinds
        ids = {e["resource"]["id"] for e in record["entry"]}
        assert {made[k]["id"] for k in KINDS} <= ids
    page = await client.get("/api/me/export?format=html", headers=patient.headers)
    assert "Essential hypertension" in page.text and "Penicillin" in page.text
