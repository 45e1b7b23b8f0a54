"""The record is complete, by derivation rather than by a hand-kept list: every capability
declares the resource types its section of the record can produce
(``runtime.patient_record.add(..., types=[...])``); a patient is given at least one of each
through the capabilities' own APIs; every declared type must then be in ``$everything`` and in
the export, and each section must emit exactly the types it declares. A new section, or a new
type in one, fails here until this patient has one of it. Then: a caregiver's and a clinician's
``$everything`` hold only what their delegation, care relationship and consent allow, and each
access is audited (both databases, as every integration test)."""

from __future__ import annotations

from collections import Counter

import pytest

from careverse.kernel.actor import Actor, Role
from careverse.kernel.fhir import RecordQuery
from tests.integration.fhir.test_record_sections import demo_like_patient
from tests.integration.fhir.test_resources import fhir, valid
from tests.integration.privacy.support import audit_rows, consent, delegate, head_seq
from tests.integration.wellbeing.support import PHQ9_CALM, submit

BEFORE_NINE_ISO = "2026-03-23T08:40:00Z"
HEALTH = {
    "conditions": {"text": "Essential hypertension", "plain_text": "High blood pressure"},
    "medications": {"name": "Amlodipine", "dose": "5 mg"},
    "allergies": {"substance": "Penicillin", "reaction": "Hives"},
    "care-plans": {"title": "Blood pressure plan",
                   "goals": [{"description": "Blood pressure under control"}]},
}  # fmt: skip


@pytest.fixture
def before_nine(fake_clock):
    from tests.integration.fhir.test_record_sections import BEFORE_NINE

    fake_clock.now = BEFORE_NINE
    return fake_clock


async def full_patient(app, client, person) -> dict:
    """The demo-like patient, plus: a health record (a condition, a medicine, an allergy, a
    care plan with a goal), a questionnaire, a clinician's bedside observation and a caregiver."""
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid = patient.patient_id
    for kind, body in HEALTH.items():
        made = await client.post(
            f"/api/care/patients/{pid}/{kind}", json=body, headers=clinician.headers
        )
        assert made.status_code == 201, made.text
    await submit(client, patient, "phq9", PHQ9_CALM)
    observed = await client.post(
        f"/api/monitoring/patients/{pid}/observations",
        json={"consciousness": "A", "on_oxygen": False, "observed_at": BEFORE_NINE_ISO},
        headers=clinician.headers,
    )
    assert observed.status_code == 201, observed.text
    caregiver = await person("caregiver", name="Sam Nwosu")
    await delegate(client, patient, caregiver, ["record:read", "appointments:read"])
    # A study the patient takes part in (research's part of the record: a research Consent).
    admin, researcher = await person("admin"), await person("researcher")
    study = await client.post(
        "/api/research/studies",
        json={"title": "Walk", "protocol": "P", "approver_id": str(admin.id)},
        headers=researcher.headers,
    )
    assert study.status_code == 201, study.text
    studies = f"/api/research/studies/{study.json()['id']}"
    for url, who in ((f"{studies}/approve", admin), (f"{studies}/consent", patient)):
        answer = await client.post(url, headers=who.headers)
        assert answer.status_code in (200, 201, 204), answer.text
    return {**people, "caregiver": caregiver}


def kinds(record: dict) -> Counter:
    return Counter(e["resource"]["resourceType"] for e in record["entry"])


async def test_every_declared_type_is_in_the_record_and_each_section_emits_what_it_declares(
    app, client, person, before_nine
):
    people = await full_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid = patient.patient_id
    record = app.state.runtime.patient_record
    declared = record.types
    assert all(types for types in declared.values()), declared  # every section declares
    every = set().union(*declared.values())
    assert {"RelatedPerson", "Condition", "QuestionnaireResponse", "Observation"} <= every

    everything = fhir(
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=clinician.headers)
    )
    valid(everything, "Bundle")
    exported = fhir(await client.get("/api/me/export", headers=patient.headers))
    valid(exported, "Bundle")
    for bundle in (everything, exported):
        assert set(kinds(bundle)) == every, every ^ set(kinds(bundle))
    assert [e["resource"] for e in exported["entry"]] == [
        e["resource"] for e in everything["entry"]
    ]

    me = Actor(patient.id, Role.PATIENT, patient_id=pid)
    async with app.state.runtime.db.session() as session:
        for name, types in declared.items():
            emitted = {r["resourceType"] for r in await record.read_section(name, session, me, pid)}
            assert emitted == types, (name, emitted, types)
            # _type skips a section's work for types not asked: nothing comes back.
            none = RecordQuery(types=frozenset({"Basic"}))
            assert await record.read_section(name, session, me, pid, none) == []

    # The NEWS2 score: SNOMED CT's total-score code, one component per parameter scored.
    news2 = next(
        e["resource"] for e in everything["entry"] if e["resource"]["id"].startswith("news2-")
    )
    assert news2["code"]["coding"][0]["code"] == "1104051000000101"
    assert news2["valueInteger"] == sum(c["valueInteger"] for c in news2["component"])
    assert len(news2["component"]) == 7  # all seven parameters, consciousness and air included
    related = next(
        e["resource"]
        for e in everything["entry"]
        if e["resource"]["resourceType"] == "RelatedPerson"
    )
    assert related["patient"] == {"reference": f"Patient/{pid}"}
    assert related["relationship"][0]["coding"][0]["code"] == "CAREGIVER"
    assert related["active"] is True and related["name"] == [{"text": "Sam Nwosu"}]


async def test_caregiver_and_clinician_see_only_what_they_may_and_each_read_is_audited(
    app, client, person, before_nine
):
    people = await full_patient(app, client, person)
    patient, clinician, caregiver = people["patient"], people["clinician"], people["caregiver"]
    pid = patient.patient_id
    url = f"/fhir/Patient/{pid}/$everything"
    seq = await head_seq(app)

    seen = kinds(fhir(await client.get(url, headers=caregiver.headers)))
    # record:read and appointments:read: the health record, the appointment, their own
    # RelatedPerson; no vitals, visits or questionnaires.
    assert set(seen) == {
        "Patient", "RelatedPerson", "Consent", "CareTeam", "Appointment", "Condition",
        "MedicationStatement", "AllergyIntolerance", "CarePlan", "Goal",
    }  # fmt: skip
    assert seen["RelatedPerson"] == 1

    full = kinds(fhir(await client.get(url, headers=clinician.headers)))
    assert {"Observation", "Encounter", "QuestionnaireResponse", "Flag"} <= set(full)

    # The patient refuses treatment access: the clinician's $everything is then refused (404).
    await consent(client, patient, purpose="treatment", decision="deny")
    refused = await client.get(url, headers=clinician.headers)
    valid(fhir(refused, 404), "OperationOutcome")
    stranger = await person("clinician")
    valid(fhir(await client.get(url, headers=stranger.headers), 404), "OperationOutcome")

    rows = await audit_rows(app, seq, patient_id=pid, action="record.read")
    by = [(r.actor_id, r.outcome) for r in rows]
    assert (caregiver.id, "success") in by and (clinician.id, "success") in by
    assert any(a == clinician.id and o != "success" for a, o in by)  # the refusal
    assert any(a == stranger.id and o != "success" for a, o in by)
