"""FHIR search on every type of a patient's record, on the kernel's toolkit: each type by each
of its parameters, reads, ``_include``, and every type the CapabilityStatement says can be
searched answering a searchset that the R4B models accept."""

from __future__ import annotations

import uuid

from fhir.resources.R4B import get_fhir_model_class

from tests.integration.fhir.test_record_sections import before_nine, demo_like_patient
from tests.integration.fhir.test_resources import fhir

__all__ = ["before_nine"]


def searchset(response, status: int = 200) -> dict:
    """A searchset Bundle, valid R4B, each entry valid and its search mode one we use."""
    body = fhir(response, status)
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    if body["resourceType"] == "Bundle":
        assert body["type"] == "searchset"
        for entry in body.get("entry", []):
            inner = entry["resource"]
            get_fhir_model_class(inner["resourceType"]).model_validate(inner)
            assert entry["search"]["mode"] in ("match", "include", "outcome")
    return body


def matches(body: dict) -> list[dict]:
    return [e["resource"] for e in body.get("entry", []) if e["search"]["mode"] == "match"]


async def test_every_type_by_each_parameter_and_read(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid, h = patient.patient_id, clinician.headers

    async def total(query: str) -> int:
        body = searchset(await client.get(f"/fhir/{query}", headers=h))
        if "_count" not in query:
            assert body["total"] == len(matches(body)), query
        return body["total"]

    async def read(kind: str, ident: str) -> dict:
        body = fhir(await client.get(f"/fhir/{kind}/{ident}", headers=h))
        get_fhir_model_class(kind).model_validate(body)
        return body

    # Device
    (device,) = matches(searchset(await client.get(f"/fhir/Device?patient={pid}", headers=h)))
    kind = device["type"]["coding"][0]["code"]
    assert await total(f"Device?subject=Patient/{pid}&status=active") == 1
    assert await total(f"Device?patient={pid}&status=inactive") == 0
    assert await total(f"Device?patient={pid}&type=urn:careverse:device-kind|{kind}") == 1
    assert await total(f"Device?patient={pid}&type=other-system|{kind}") == 0
    assert await total(f"Device?patient={pid}&_id={device['id']}") == 1
    assert await total(f"Device?patient={pid}&_id={uuid.uuid4()}") == 0
    assert await total(f"Device?patient={pid}&_lastUpdated=ge2000") == 1
    assert await total(f"Device?patient={pid}&_lastUpdated=lt2000") == 0
    assert (await read("Device", device["id"]))["id"] == device["id"]

    # Flag (the crisis-path alert too: the clinician has wellbeing access)
    assert await total(f"Flag?patient={pid}") == 2
    assert await total(f"Flag?patient={pid}&code=urn:careverse:alert-source|rule") == 1
    assert await total(f"Flag?patient={pid}&category=urn:careverse:alert-severity|high") == 2
    assert await total(f"Flag?patient={pid}&category=clinical") == 2
    assert await total(f"Flag?patient={pid}&status=active") == 2
    assert await total(f"Flag?patient={pid}&status=inactive") == 0
    assert await total(f"Flag?patient={pid}&date=2026-03-23") == 2
    assert await total(f"Flag?patient={pid}&date=ne2026-03") == 0
    assert await total(f"Flag?patient={pid}&date=ge2026-03-24") == 0
    flags = matches(searchset(await client.get(f"/fhir/Flag?patient={pid}", headers=h)))
    assert (await read("Flag", flags[0]["id"]))["id"] == flags[0]["id"]

    # DocumentReference (the signed note; its id is its Encounter's)
    note_id = people["room"]["encounter_id"]
    assert await total(f"DocumentReference?patient={pid}") == 1
    assert await total(f"DocumentReference?patient={pid}&type=http://loinc.org|11506-3") == 1
    assert await total(f"DocumentReference?patient={pid}&type=http://loinc.org|") == 1
    assert await total(f"DocumentReference?patient={pid}&type=|11506-3") == 0
    assert await total(f"DocumentReference?patient={pid}&status=current") == 1
    assert await total(f"DocumentReference?patient={pid}&encounter=Encounter/{note_id}") == 1
    assert await total(f"DocumentReference?patient={pid}&encounter={uuid.uuid4()}") == 0
    assert await total(f"DocumentReference?patient={pid}&date=2026-03-23") == 1
    assert await total(f"DocumentReference?patient={pid}&date=2026-03-22") == 0
    assert (await read("DocumentReference", note_id))["docStatus"] == "amended"

    # CareTeam (one per patient, its id the patient's)
    assert await total(f"CareTeam?patient={pid}&status=active") == 1
    assert await total(f"CareTeam?patient={pid}&_id={pid}") == 1
    assert (await read("CareTeam", str(pid)))["subject"] == {"reference": f"Patient/{pid}"}

    # Consent (research, permitted) and QuestionnaireResponse (none yet)
    assert await total(f"Consent?patient={pid}&status=active&scope=research") == 1
    assert await total(f"Consent?patient={pid}&scope=treatment") == 0
    assert await total(f"Consent?patient={pid}&category=http://loinc.org|59284-0") == 1
    assert await total(f"Consent?patient={pid}&date=2026-03-23") == 1
    assert await total(f"Consent?patient={pid}&date=lt2026-03-23") == 0
    assert await total(f"QuestionnaireResponse?patient={pid}&status=completed") == 0

    # Goal (none yet in this record)
    assert await total(f"Goal?patient={pid}&lifecycle-status=active") == 0

    # Observation's new parameters
    everything = await total(f"Observation?patient={pid}&_count=0")
    assert everything > 50
    assert await total(f"Observation?patient={pid}&category=vital-signs&_count=1000") == everything
    assert await total(f"Observation?patient={pid}&status=final&_count=1000") == everything
    assert await total(f"Observation?patient={pid}&status=preliminary") == 0
    assert await total(f"Observation?patient={pid}&category=laboratory") == 0
    assert await total(f"Observation?patient={pid}&_lastUpdated=lt2000&_count=0") == 0
    one = matches(searchset(await client.get(f"/fhir/Observation?patient={pid}", headers=h)))[0]
    assert await total(f"Observation?patient={pid}&_id={one['id']}") == 1
    assert await total(f"Observation?patient={pid}&date=ne{one['effectiveDateTime']}&_count=0") < (
        everything
    )

    # _include: the page's Observations' Device, once, as an include entry.
    body = searchset(
        await client.get(
            f"/fhir/Observation?patient={pid}&_count=5&_include=Observation:device", headers=h
        )
    )
    included = [e for e in body["entry"] if e["search"]["mode"] == "include"]
    assert [e["resource"]["id"] for e in included] == [device["id"]]
    assert len(matches(body)) == 5


async def test_other_patients_and_strangers_answer_not_found(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    patient = people["patient"]
    stranger, other = await person("clinician"), await person("patient")
    vitals_only = await person("caregiver")
    from tests.integration.privacy.support import delegate

    await delegate(client, patient, vitals_only, ["vitals:read"])
    pid = patient.patient_id
    missing = await client.get(f"/fhir/Device?patient={uuid.uuid4()}", headers=other.headers)
    assert missing.status_code == 404
    for kind in ("Device", "Flag", "DocumentReference", "CareTeam", "Goal", "Observation"):
        for who in (stranger, other):
            response = await client.get(f"/fhir/{kind}?patient={pid}", headers=who.headers)
            assert response.status_code == 404, kind
            assert response.json() == missing.json()
    # A caregiver with vitals only: Device yes, notes and the care team no (as the record).
    assert (
        searchset(await client.get(f"/fhir/Device?patient={pid}", headers=vitals_only.headers))[
            "total"
        ]
        == 1
    )
    flags = searchset(await client.get(f"/fhir/Flag?patient={pid}", headers=vitals_only.headers))
    assert flags["total"] == 1  # not the crisis-path alert: no wellbeing access
    for kind in ("DocumentReference", "CareTeam"):
        refused = await client.get(f"/fhir/{kind}?patient={pid}", headers=vitals_only.headers)
        assert refused.status_code in (403, 404), kind
    note = people["room"]["encounter_id"]
    read = await client.get(f"/fhir/DocumentReference/{note}", headers=stranger.headers)
    assert read.status_code == 404


async def test_every_searchable_type_in_the_capability_statement_answers_a_searchset(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    statement = fhir(await client.get("/fhir/metadata"))
    searchable = [
        r for r in statement["rest"][0]["resource"] if {"code": "search-type"} in r["interaction"]
    ]
    kinds = {r["type"] for r in searchable}
    assert {
        "Observation", "Device", "Flag", "DocumentReference", "CareTeam", "Goal", "Condition",
        "Appointment", "Encounter", "Consent", "QuestionnaireResponse", "Patient",
    } <= kinds  # fmt: skip
    # Asked by the patient (their own audit trail is theirs alone to search).
    for resource in searchable:
        names = {p["name"] for p in resource.get("searchParam", [])}
        params: dict[str, str] = {}
        if "patient" in names:
            params["patient"] = str(patient.patient_id)
        if "schedule" in names:
            params["schedule"] = f"Schedule/{clinician.id}"
        response = await client.get(
            f"/fhir/{resource['type']}", params=params, headers=patient.headers
        )
        body = searchset(response)
        assert body["resourceType"] == "Bundle", resource["type"]
        assert all(r["resourceType"] == resource["type"] for r in matches(body)), resource["type"]


async def test_appointment_and_encounter_by_each_parameter_with_includes(
    app, client, person, before_nine
):
    people = await demo_like_patient(app, client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid, h = patient.patient_id, clinician.headers
    encounter_id = people["room"]["encounter_id"]

    async def get(query: str) -> dict:
        return searchset(await client.get(f"/fhir/{query}", headers=h))

    (appt,) = matches(await get(f"Appointment?patient={pid}"))
    assert (await get(f"Appointment?patient={pid}&status={appt['status']}"))["total"] == 1
    assert (await get(f"Appointment?patient={pid}&status=noshow"))["total"] == 0
    assert (await get(f"Appointment?patient={pid}&date=2026-03-23"))["total"] == 1
    assert (await get(f"Appointment?patient={pid}&date=gt2026-03-23"))["total"] == 0
    visit = appt["serviceType"][0]["coding"][0]
    assert (await get(f"Appointment?patient={pid}&service-type={visit['code']}"))["total"] == 1
    kind = appt["appointmentType"]["coding"][0]["code"]
    assert (await get(f"Appointment?patient={pid}&appointment-type={kind}"))["total"] == 1
    assert (await get(f"Appointment?patient={pid}&actor=Patient/{pid}"))["total"] == 1
    assert (await get(f"Appointment?patient={pid}&_id={appt['id']}"))["total"] == 1
    with_patient = await get(f"Appointment?patient={pid}&_include=Appointment:patient")
    (inc,) = [e for e in with_patient["entry"] if e["search"]["mode"] == "include"]
    assert inc["resource"]["resourceType"] == "Patient" and inc["resource"]["id"] == str(pid)
    rev = await get(f"Appointment?patient={pid}&_revinclude=Encounter:appointment")
    (inc,) = [e for e in rev["entry"] if e["search"]["mode"] == "include"]
    assert inc["resource"]["id"] == encounter_id

    assert (await get(f"Encounter?patient={pid}&status=in-progress,finished"))["total"] == 1
    assert (await get(f"Encounter?patient={pid}&class=VR"))["total"] == 1
    assert (await get(f"Encounter?patient={pid}&reason-code=http://snomed.info/sct|"))["total"] == 0
    assert (await get(f"Encounter?patient={pid}&appointment=Appointment/{appt['id']}"))[
        "total"
    ] == 1
    assert (await get(f"Encounter?patient={pid}&date=ge2026-03-23T00:00:00Z"))["total"] == 1
    with_appt = await get(f"Encounter?patient={pid}&_include=Encounter:appointment")
    (inc,) = [e for e in with_appt["entry"] if e["search"]["mode"] == "include"]
    assert inc["resource"]["id"] == appt["id"]

    # An included resource is only shown to who may see it: a caregiver with consults but not
    # appointments gets the Encounter without its Appointment.
    consults_only = await person("caregiver")
    from tests.integration.privacy.support import delegate

    await delegate(client, patient, consults_only, ["consults:read"])
    limited = searchset(
        await client.get(
            f"/fhir/Encounter?patient={pid}&_include=Encounter:appointment",
            headers=consults_only.headers,
        )
    )
    assert [e["search"]["mode"] for e in limited["entry"]] == ["match"]
    # Without parameters, the first search's answer: every patient the caller may see.
    assert searchset(await client.get("/fhir/Encounter", headers=h))["total"] == 1
