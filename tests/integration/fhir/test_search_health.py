"""FHIR search of the health record (Condition, MedicationStatement, AllergyIntolerance,
CarePlan, Goal) by each parameter, on the kernel's toolkit."""

from __future__ import annotations

import uuid

from tests.integration.care.test_health_record import fill
from tests.integration.fhir.test_search_types import matches, searchset
from tests.integration.privacy.support import assign

SNOMED = "http://snomed.info/sct"


async def test_health_record_types_by_each_parameter(app, client, person):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    stranger = await person("clinician")
    await assign(client, admin, clinician, patient)
    made = await fill(client, clinician, patient)
    pid, h = patient.patient_id, clinician.headers

    async def total(query: str, who=clinician) -> int:
        body = searchset(await client.get(f"/fhir/{query}", headers=who.headers))
        return body["total"]

    # Condition
    assert await total(f"Condition?patient={pid}") == 1
    assert await total(f"Condition?patient={pid}&code={SNOMED}|59621000") == 1
    assert await total(f"Condition?patient={pid}&code=59621000") == 1
    assert await total(f"Condition?patient={pid}&code=http://hl7.org/fhir/sid/icd-10|I10") == 0
    assert await total(f"Condition?patient={pid}&clinical-status=active") == 1
    assert await total(f"Condition?patient={pid}&clinical-status=resolved") == 0
    assert await total(f"Condition?patient={pid}&category=problem-list-item") == 1
    assert await total(f"Condition?patient={pid}&onset-date=2024-05") == 1
    assert await total(f"Condition?patient={pid}&onset-date=lt2024") == 0
    assert await total(f"Condition?patient={pid}&recorded-date=ge2000") == 1
    assert await total(f"Condition?patient={pid}&_id={made['conditions']['id']}") == 1
    assert await total(f"Condition?patient={pid}&_id={uuid.uuid4()}") == 0
    # MedicationStatement
    assert await total(f"MedicationStatement?patient={pid}") == 1
    status = matches(
        searchset(await client.get(f"/fhir/MedicationStatement?patient={pid}", headers=h))
    )[0]["status"]
    assert await total(f"MedicationStatement?patient={pid}&status={status}") == 1
    assert await total(f"MedicationStatement?patient={pid}&status=entered-in-error") == 0
    # AllergyIntolerance
    assert await total(f"AllergyIntolerance?patient={pid}&criticality=high") == 1
    assert await total(f"AllergyIntolerance?patient={pid}&criticality=low") == 0
    assert await total(f"AllergyIntolerance?patient={pid}&clinical-status=active") == 1
    assert await total(f"AllergyIntolerance?patient={pid}&date=ge2000-01-01") == 1
    # CarePlan and Goal
    goal_id = made["care-plans"]["goals"][0]["id"]
    assert await total(f"CarePlan?patient={pid}&status=active") == 1
    assert await total(f"CarePlan?patient={pid}&goal=Goal/{goal_id}") == 1
    assert await total(f"Goal?patient={pid}&lifecycle-status=active") == 1
    assert await total(f"Goal?patient={pid}&achievement-status=in-progress") == 1
    assert await total(f"Goal?patient={pid}&target-date=2027-01-31") == 1
    assert await total(f"Goal?patient={pid}&target-date=gt2027-01-31") == 0
    # The patient sees their own; a clinician without a care relationship: the same 404.
    assert await total(f"Condition?patient={pid}", patient) == 1
    for kind in ("Condition", "MedicationStatement", "AllergyIntolerance", "CarePlan", "Goal"):
        refused = await client.get(f"/fhir/{kind}?patient={pid}", headers=stranger.headers)
        assert refused.status_code == 404, kind
        bad = await client.get(f"/fhir/{kind}?patient={pid}&_lastUpdated=soon", headers=h)
        assert searchset(bad, 400)["issue"][0]["code"] == "invalid"
