"""Every role against every health-data endpoint on one patient's ids, with the audit it leaves.

The scenario: patient A (the owner), patient B, a caregiver A delegated ``record:read vitals:read``
to, a caregiver without a delegation, a clinician an admin assigned to A, a clinician without,
a clinician who broke the glass on A, a moderator, a researcher and an admin.
"""

from __future__ import annotations

import json
from collections import Counter

from tests.integration.privacy.support import (
    assign,
    audit_rows,
    break_glass,
    delegate,
    head_seq,
    verify_chain,
)

ENDPOINTS = {
    "get": ("GET", "/api/patients/{a}"),
    "patch": ("PATCH", "/api/patients/{a}"),
    "fhir_read": ("GET", "/fhir/Patient/{a}"),
    "everything": ("GET", "/fhir/Patient/{a}/$everything"),
    "consents": ("GET", "/fhir/Consent?patient={a}"),
    "audit": ("GET", "/fhir/AuditEvent?patient={a}"),
}
NONE = dict.fromkeys(ENDPOINTS, 404)

# role in the scenario -> endpoint -> expected status; "listed": whether GET /api/patients shows A.
EXPECTED: dict[str, dict] = {
    "patient_a": {**dict.fromkeys(ENDPOINTS, 200), "listed": True},
    "patient_b": {**NONE, "listed": False},
    "caregiver_delegated": {
        **dict.fromkeys(ENDPOINTS, 200),
        "patch": 403,  # may read the record, not change it
        "audit": 404,  # the audit trail is the patient's and the admins'
        "listed": True,
    },
    "caregiver_without": {**NONE, "listed": False},
    "clinician_assigned": {**dict.fromkeys(ENDPOINTS, 200), "audit": 404, "listed": True},
    "clinician_without": {**NONE, "listed": False},
    # Break-glass opens the record but is not a relationship: searches do not list the patient.
    "clinician_break_glass": {**dict.fromkeys(ENDPOINTS, 200), "audit": 404, "listed": False},
    "moderator": {**NONE, "listed": False},
    "researcher": {**NONE, "listed": False},
    "admin": {**NONE, "audit": 200, "listed": False},
}


async def build_scenario(client, person) -> dict:
    people = {
        "patient_a": await person("patient", name="Ada Owner"),
        "patient_b": await person("patient", name="Bea Other"),
        "caregiver_delegated": await person("caregiver"),
        "caregiver_without": await person("caregiver"),
        "clinician_assigned": await person("clinician"),
        "clinician_without": await person("clinician"),
        "clinician_break_glass": await person("clinician"),
        "moderator": await person("moderator"),
        "researcher": await person("researcher"),
        "admin": await person("admin"),
    }
    a = people["patient_a"]
    await delegate(client, a, people["caregiver_delegated"], ["record:read", "vitals:read"])
    await assign(client, people["admin"], people["clinician_assigned"], a)
    await break_glass(client, people["clinician_break_glass"], a, "Found unresponsive in clinic")
    # Something for the Consent endpoint to return.
    response = await client.post(
        "/api/me/consents",
        json={"purpose": "research", "decision": "permit"},
        headers=a.headers,
    )
    assert response.status_code == 201
    return people


async def call(client, who, endpoint: str, patient_id) -> int:
    method, path = ENDPOINTS[endpoint]
    url = path.format(a=patient_id)
    if method == "PATCH":
        response = await client.patch(url, json={"phone": "+44 20 7946 0018"}, headers=who.headers)
    else:
        response = await client.get(url, headers=who.headers)
    if url.startswith("/fhir") and response.status_code != 200:
        assert response.headers["content-type"].startswith("application/fhir+json")
        assert response.json()["resourceType"] == "OperationOutcome"
    return response.status_code


async def test_every_role_against_every_endpoint_is_decided_and_audited(app, client, person):
    people = await build_scenario(client, person)
    a_id = people["patient_a"].patient_id
    checkpoint = await head_seq(app)

    mismatches, attempts = [], {}
    for role, expected in EXPECTED.items():
        who = people[role]
        statuses = Counter()
        for endpoint in ENDPOINTS:
            status = await call(client, who, endpoint, a_id)
            statuses[status] += 1
            if status != expected[endpoint]:
                mismatches.append(f"{role} {endpoint}: {status} (expected {expected[endpoint]})")
        listing = await client.get("/api/patients", headers=who.headers)
        assert listing.status_code == 200
        listed = str(a_id) in {p["id"] for p in listing.json()}
        if listed != expected["listed"]:
            mismatches.append(f"{role} listed A: {listed} (expected {expected['listed']})")
        attempts[role] = statuses
    assert not mismatches, "\n".join(mismatches)

    # Every attempt left exactly one audit event naming the actor and patient A, with its outcome.
    rows = [r for r in await audit_rows(app, since_seq=checkpoint) if r.patient_id == a_id]
    for role, statuses in attempts.items():
        who = people[role]
        mine = [r for r in rows if r.actor_id == who.id]
        denied = [r for r in mine if r.outcome == "denied"]
        refused = sum(n for status, n in statuses.items() if status in (403, 404))
        assert len(denied) == refused, (role, [(r.action, r.outcome) for r in mine])
        assert all(r.actor_role == who.role for r in mine)
        assert all(r.address == "203.0.113.7" for r in mine)
        succeeded = [r for r in mine if r.outcome == "success"]
        # The 200s, plus the listing's own read of A when it is listed.
        assert len(succeeded) == statuses[200] + (1 if EXPECTED[role]["listed"] else 0), role
    # No one else's attempt was attributed to A's record.
    assert {r.actor_id for r in rows} <= {p.id for p in people.values()}

    # The refused write by the read-only caregiver is audited as a denied write, not a read.
    caregiver = people["caregiver_delegated"]
    writes = [r for r in rows if r.actor_id == caregiver.id and r.action == "record.write"]
    assert [r.outcome for r in writes] == ["denied"]
    # Reads under break-glass say so.
    glass = people["clinician_break_glass"]
    bases = [
        json.loads(r.detail)["basis"]
        for r in rows
        if r.actor_id == glass.id and r.outcome == "success"
    ]
    assert bases and set(bases) == {"break-glass"}

    result = await verify_chain(app)
    assert result.ok, result


async def test_probing_unknown_ids_answers_404_and_is_audited(app, client, person):
    """An id that is no one's looks exactly like an id that is someone else's."""
    clinician = await person("clinician")
    other = await person("patient")
    unknown = "0b8f3c2e-1d4a-4c6b-9e7f-123456789abc"
    mine = await client.get(f"/api/patients/{unknown}", headers=clinician.headers)
    theirs = await client.get(f"/api/patients/{other.patient_id}", headers=clinician.headers)
    assert mine.status_code == theirs.status_code == 404
    assert mine.json() == theirs.json()
    not_a_uuid = await client.get("/fhir/Patient/not-an-id", headers=clinician.headers)
    assert not_a_uuid.status_code == 404
    denied = await audit_rows(app, actor_id=clinician.id, outcome="denied")
    assert {str(r.patient_id) for r in denied} == {unknown, str(other.patient_id)}
    assert (await verify_chain(app)).ok


async def test_write_grants_follow_the_delegation_scopes(client, person):
    patient = await person("patient")
    reader, writer, vitals_only = [await person("caregiver") for _ in range(3)]
    await delegate(client, patient, reader, ["record:read"])
    await delegate(client, patient, writer, ["record:write"])
    await delegate(client, patient, vitals_only, ["vitals:read", "vitals:write"])
    url = f"/api/patients/{patient.patient_id}"
    change = {"preferred_language": "fr"}
    assert (await client.get(url, headers=reader.headers)).status_code == 200
    assert (await client.patch(url, json=change, headers=reader.headers)).status_code == 403
    # record:write implies reading.
    assert (await client.get(url, headers=writer.headers)).status_code == 200
    written = await client.patch(url, json=change, headers=writer.headers)
    assert written.status_code == 200 and written.json()["preferred_language"] == "fr"
    # Other categories open nothing of the record.
    assert (await client.get(url, headers=vitals_only.headers)).status_code == 404
    assert (await client.patch(url, json=change, headers=vitals_only.headers)).status_code == 404
