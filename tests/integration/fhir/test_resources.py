"""The FHIR facade: every resource it emits is valid R4 (checked with the R4B models)."""

from __future__ import annotations

import re

from fhir.resources.R4B import get_fhir_model_class

from careverse.privacy.models import Consent
from tests.integration.privacy.support import (
    assign,
    audit_rows,
    break_glass,
    consent,
    count,
    delegate,
)

FHIR_JSON = "application/fhir+json"
GENDERS = {"male", "female", "other", "unknown"}


def valid(resource: dict, kind: str):
    """Validate with the R4B model of ``kind``; every bundle entry is validated on its own too."""
    assert resource["resourceType"] == kind
    model = get_fhir_model_class(kind).model_validate(resource)
    if kind == "Bundle":
        for entry in resource.get("entry", []):
            inner = entry["resource"]
            get_fhir_model_class(inner["resourceType"]).model_validate(inner)
            assert entry["fullUrl"].endswith(f"/fhir/{inner['resourceType']}/{inner['id']}")
        if resource["type"] == "searchset":
            assert resource["total"] == len(resource.get("entry", []))
            assert all(e["search"]["mode"] == "match" for e in resource.get("entry", []))
    return model


def fhir(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    return response.json()


async def scenario(client, person) -> dict:
    patient = await person("patient", name="Amara Nwosu")
    other = await person("patient", name="Amara Okafor")  # shares a first name
    admin, clinician = await person("admin"), await person("clinician", name="Dr. Lena Park")
    caregiver = await person("caregiver")
    await assign(client, admin, clinician, patient)
    await delegate(client, patient, caregiver, ["record:read"])
    update = await client.patch(
        f"/api/patients/{patient.patient_id}",
        json={
            "birth_date": "1984-06-02",
            "sex": "female",
            "phone": "+44 20 7946 0991",
            "preferred_language": "en-GB",
        },
        headers=patient.headers,
    )
    assert update.status_code == 200
    await consent(client, patient, purpose="treatment", decision="deny", actor_id=str(admin.id))
    await consent(
        client,
        patient,
        purpose="org-sharing",
        decision="permit",
        organization="Riverside Hospice",
        period_end="2099-01-01T00:00:00+00:00",
    )
    await consent(client, patient, purpose="research", decision="permit")
    await consent(client, patient, purpose="community", decision="deny")
    revoked = await consent(client, patient, purpose="research", decision="deny")
    await client.delete(f"/api/me/consents/{revoked['id']}", headers=patient.headers)
    glass = await person("clinician")
    await break_glass(client, glass, patient, "Unconscious on arrival at A&E")
    # A refusal, so the audit trail holds a denied event too.
    await client.get(f"/api/patients/{patient.patient_id}", headers=other.headers)
    return {
        "patient": patient,
        "other": other,
        "admin": admin,
        "clinician": clinician,
        "caregiver": caregiver,
        "glass": glass,
    }


def served_types(app) -> set[str]:
    """The resource types the app routes under /fhir (what the statement must list)."""
    found = set()
    for path in app.openapi()["paths"]:
        match = re.match(r"^/fhir/([A-Z][A-Za-z]+)(/|$)", path)
        if match:
            found.add(match.group(1))
    return found


async def test_metadata_is_a_capability_statement(app, client):
    statement = fhir(await client.get("/fhir/metadata"))
    valid(statement, "CapabilityStatement")
    assert statement["fhirVersion"] == "4.0.1"
    assert FHIR_JSON in statement["format"]
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    # Every resource actually served is listed, computed from the routes, and nothing else.
    assert set(resources) == served_types(app)
    assert {"Patient", "Consent", "AuditEvent", "Schedule", "Slot", "Appointment"} <= set(resources)
    assert "Encounter" in resources

    def interactions(kind: str) -> set[str]:
        return {i["code"] for i in resources[kind]["interaction"]}

    def params(kind: str) -> dict[str, str]:
        return {p["name"]: p["type"] for p in resources[kind].get("searchParam", [])}

    assert params("Patient") == {
        "name": "string", "family": "string", "given": "string", "birthdate": "date",
        "identifier": "token", "gender": "token", "_id": "token",
    }  # fmt: skip
    assert {"everything", "export"} <= {o["name"] for o in resources["Patient"]["operation"]}
    assert interactions("Patient") == {"read", "search-type"}
    assert interactions("Consent") == {"search-type"} and params("Consent") == {
        "patient": "reference", "subject": "reference", "status": "token", "category": "token",
        "scope": "token", "purpose": "token", "date": "date", "_id": "token",
        "_lastUpdated": "date",
    }  # fmt: skip
    for kind in ("Schedule", "Encounter"):
        assert interactions(kind) == {"read", "search-type"}, kind
    assert interactions("Appointment") == {"read", "search-type", "update"}
    assert interactions("Slot") == {"search-type"}
    assert params("Slot")["schedule"] == "reference" and params("Slot")["start"] == "date"
    assert params("Appointment") == {
        "patient": "reference", "subject": "reference", "status": "token", "date": "date",
        "service-type": "token", "appointment-type": "token", "actor": "reference",
        "_id": "token", "_lastUpdated": "date",
    }  # fmt: skip
    if "Observation" in resources:  # monitoring's ingest: create and read, Bundles at the root
        assert {"create", "read"} <= interactions("Observation")
        system = {i["code"] for i in statement["rest"][0].get("interaction", [])}
        assert system == {"batch", "transaction"}
    # Every listed interaction answers something other than "no such route" (405 for the method).
    for kind in resources:
        if "search-type" in interactions(kind):
            response = await client.get(f"/fhir/{kind}")
            assert response.status_code in (200, 401, 422), (kind, response.status_code)


async def test_every_resource_validates(app, client, person):
    people = await scenario(client, person)
    patient, clinician = people["patient"], people["clinician"]
    pid = patient.patient_id

    read = fhir(await client.get(f"/fhir/Patient/{pid}", headers=clinician.headers))
    valid(read, "Patient")
    assert read["id"] == str(pid)
    assert read["name"][0]["text"] == "Amara Nwosu"
    assert read["birthDate"] == "1984-06-02" and read["gender"] == "female"
    assert {"system": "phone", "value": "+44 20 7946 0991"} in read["telecom"]
    assert read["communication"][0]["language"]["coding"][0]["code"] == "en-GB"
    assert read["identifier"] == [{"system": "urn:careverse:patient", "value": str(pid)}]

    found = fhir(await client.get("/fhir/Patient?name=amara", headers=clinician.headers))
    valid(found, "Bundle")
    assert found["type"] == "searchset"
    assert [e["resource"]["id"] for e in found["entry"]] == [str(pid)]

    everything = fhir(
        await client.get(f"/fhir/Patient/{pid}/$everything", headers=clinician.headers)
    )
    valid(everything, "Bundle")
    kinds = [e["resource"]["resourceType"] for e in everything["entry"]]
    # identity: the Patient and the caregiver it delegated to; care: the care team
    assert kinds == ["Patient", "RelatedPerson"] + ["Consent"] * 5 + ["CareTeam"]

    consents = fhir(
        await client.get(f"/fhir/Consent?patient=Patient/{pid}", headers=clinician.headers)
    )
    valid(consents, "Bundle")
    by_purpose = {}
    for entry in consents["entry"]:
        resource = entry["resource"]
        assert resource["patient"] == {"reference": f"Patient/{pid}"}
        assert resource["status"] in {"active", "inactive"}
        assert resource["provision"]["type"] in {"permit", "deny"}
        codes = [c["code"] for c in resource["provision"]["purpose"]]
        by_purpose.setdefault(codes[-1], []).append(resource)
    treatment = by_purpose["treatment"][0]
    assert treatment["provision"]["type"] == "deny"
    assert "TREAT" in [c["code"] for c in treatment["provision"]["purpose"]]
    assert treatment["provision"]["actor"][0]["reference"]["identifier"]["value"] == str(
        people["admin"].id
    )
    sharing = by_purpose["org-sharing"][0]
    assert sharing["provision"]["actor"][0]["reference"]["display"] == "Riverside Hospice"
    assert sharing["provision"]["period"]["end"].startswith("2099-01-01")
    assert sorted(r["status"] for r in by_purpose["research"]) == ["active", "inactive"]

    audit_bundle = fhir(
        await client.get(f"/fhir/AuditEvent?patient={pid}", headers=patient.headers)
    )
    valid(audit_bundle, "Bundle")
    events = [e["resource"] for e in audit_bundle["entry"]]
    stored = await audit_rows(app, patient_id=pid)
    assert len(events) == len(stored) - 1  # all but the read of the trail itself
    outcomes = {e["outcomeDesc"]: e["outcome"] for e in events}
    assert outcomes["success"] == "0" and outcomes["denied"] == "4"
    subtypes = {e["subtype"][0]["code"] for e in events}
    assert {"break-glass.start", "consent.grant", "record.read", "record.write"} <= subtypes
    assert all(e["entity"] == [{"what": {"reference": f"Patient/{pid}"}}] for e in events)
    names = {e["agent"][0]["who"]["display"] for e in events}
    assert "Dr. Lena Park" in names
    # Newest first, by sequence.
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids, reverse=True)


async def test_export_is_a_collection_bundle_of_the_whole_record(app, client, person):
    people = await scenario(client, person)
    patient = people["patient"]
    response = await client.get("/api/me/export", headers=patient.headers)
    bundle = fhir(response)
    assert "attachment" in response.headers["content-disposition"]
    valid(bundle, "Bundle")
    assert bundle["type"] == "collection" and "total" not in bundle
    resources = [e["resource"] for e in bundle["entry"]]
    assert resources[0]["resourceType"] == "Patient"
    assert resources[0]["id"] == str(patient.patient_id)
    consent_ids = {r["id"] for r in resources if r["resourceType"] == "Consent"}
    assert len(consent_ids) == await count(app, Consent) == 5
    exports = await audit_rows(app, action="record.export")
    assert [(r.actor_id, r.patient_id) for r in exports] == [(patient.id, patient.patient_id)]
    # Only patients have a record to export.
    refused = await client.get("/api/me/export", headers=people["clinician"].headers)
    assert refused.status_code == 409


async def test_errors_are_operation_outcomes(client, person):
    clinician = await person("clinician")
    other = await person("patient")
    cases = [
        (await client.get(f"/fhir/Patient/{other.patient_id}", headers=clinician.headers), 404),
        (await client.get("/fhir/Patient/not-a-uuid", headers=clinician.headers), 404),
        (await client.get(f"/fhir/Patient/{other.patient_id}"), 401),
        (await client.get("/fhir/Patient", headers={"Authorization": "Bearer cva_x"}), 401),
        (await client.get("/fhir/Patient?birthdate=02-06-1984", headers=clinician.headers), 400),
        (await client.get("/fhir/Consent", headers=clinician.headers), 422),
        (
            await client.get(
                f"/fhir/AuditEvent?patient={other.patient_id}", headers=clinician.headers
            ),
            404,
        ),
    ]
    for response, status in cases:
        outcome = fhir(response, status)
        valid(outcome, "OperationOutcome")
        issue = outcome["issue"][0]
        assert issue["severity"] == "error"
        assert (
            issue["code"]
            == {400: "invalid", 401: "login", 404: "not-found", 422: "invalid"}[status]
        )
    # A 404 for someone else's patient says nothing about them.
    assert "Amara" not in cases[0][0].text
    assert cases[2][0].headers["www-authenticate"] == "Bearer"


async def test_unknown_fhir_paths_answer_an_operation_outcome(client, person):
    clinician = await person("clinician")
    for path in ("/fhir/Medication", "/fhir/Medication?patient=x", "/fhir/metadata/"):
        valid(fhir(await client.get(path, headers=clinician.headers), 404), "OperationOutcome")


async def test_search_only_returns_patients_the_caller_may_see(client, person):
    people = await scenario(client, person)
    patient, other = people["patient"], people["other"]
    clinician, caregiver, glass = people["clinician"], people["caregiver"], people["glass"]

    async def search(who, query: str) -> list[str]:
        bundle = fhir(await client.get(f"/fhir/Patient?{query}", headers=who.headers))
        valid(bundle, "Bundle")
        return [e["resource"]["id"] for e in bundle["entry"]]

    # The clinician of Amara Nwosu searching for the other Amara finds nothing.
    assert await search(clinician, "name=Okafor") == []
    assert await search(clinician, f"identifier={other.patient_id}") == []
    assert await search(clinician, f"identifier=urn:careverse:patient|{other.patient_id}") == []
    assert await search(clinician, "name=Amara") == [str(patient.patient_id)]
    assert await search(clinician, "birthdate=1984-06-02") == [str(patient.patient_id)]
    assert await search(clinician, "birthdate=1984-06-03") == []
    assert await search(clinician, f"identifier=urn:careverse:patient|{patient.patient_id}") == [
        str(patient.patient_id)
    ]
    assert await search(clinician, "identifier=garbage") == []
    assert await search(caregiver, "") == [str(patient.patient_id)]
    # Each patient finds themself only; break-glass and admin see no one by search.
    assert await search(other, "name=Amara") == [str(other.patient_id)]
    assert await search(glass, "name=Amara") == []
    assert await search(people["admin"], "") == []
    for role in ("moderator", "researcher"):
        assert await search(await person(role), "") == []
