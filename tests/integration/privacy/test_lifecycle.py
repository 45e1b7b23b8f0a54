"""Delegations, care relationships, consent and break-glass over time; bad inputs store nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from careverse.identity.models import CareRelationship, Delegation
from careverse.kernel import clock
from careverse.privacy.models import BreakGlass, Consent
from tests.integration.privacy.support import (
    assign,
    audit_rows,
    break_glass,
    consent,
    count,
    delegate,
    in_hours,
    verify_chain,
)

BREAK_GLASS_MINUTES = 15


@pytest.fixture
def settings_overrides() -> dict:
    # Access tokens outlive the fake clock's jumps, so a refusal is the policy's, not the token's.
    return {"access_token_ttl_seconds": 90 * 24 * 3600, "break_glass_minutes": BREAK_GLASS_MINUTES}


def record_url(patient) -> str:
    return f"/api/patients/{patient.patient_id}"


# ---- delegations ------------------------------------------------------------------------------


async def test_revoking_a_delegation_takes_effect_on_the_next_request(app, client, person):
    patient, caregiver = await person("patient"), await person("caregiver")
    grant = await delegate(client, patient, caregiver, ["record:read"])
    assert grant["active"] is True and grant["scopes"] == ["record:read"]
    assert grant["caregiver_id"] == str(caregiver.id)
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 200

    held = (await client.get("/api/me/delegations", headers=caregiver.headers)).json()
    assert [d["id"] for d in held] == [grant["id"]]

    revoked = await client.delete(f"/api/me/delegations/{grant['id']}", headers=patient.headers)
    assert revoked.status_code == 204
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 404
    fhir = await client.get(f"/fhir/Patient/{patient.patient_id}", headers=caregiver.headers)
    assert fhir.status_code == 404
    listing = (await client.get("/api/patients", headers=caregiver.headers)).json()
    assert listing == []
    shown = (await client.get("/api/me/delegations", headers=patient.headers)).json()
    assert [(d["id"], d["active"]) for d in shown] == [(grant["id"], False)]
    assert [r.outcome for r in await audit_rows(app, action="delegation.revoke")] == ["success"]
    # The patient sees both sides in their access log: the read it allowed, the refusal after.
    log = (await client.get("/api/me/access-log", headers=patient.headers)).json()
    # The two refusals in a row are one entry of the readable log (access_log.py), counted.
    reads = [
        (e["outcome"], e["basis"], e["count"])
        for e in log
        if e["action"] == "record.read" and e["actor_name"] == caregiver.name
    ]
    assert reads == [("denied", None, 2), ("success", "delegation", 1)]


async def test_a_caregiver_may_step_back_but_not_end_anothers_delegation(client, person):
    patient = await person("patient")
    first, second = await person("caregiver"), await person("caregiver")
    grant_first = await delegate(client, patient, first, ["record:read"])
    await delegate(client, patient, second, ["record:read"])
    stranger = await person("patient")

    for intruder in (second, stranger):
        refused = await client.delete(
            f"/api/me/delegations/{grant_first['id']}", headers=intruder.headers
        )
        assert refused.status_code == 404
    assert (await client.get(record_url(patient), headers=first.headers)).status_code == 200

    stepped_back = await client.delete(
        f"/api/me/delegations/{grant_first['id']}", headers=first.headers
    )
    assert stepped_back.status_code == 204
    assert (await client.get(record_url(patient), headers=first.headers)).status_code == 404
    assert (await client.get(record_url(patient), headers=second.headers)).status_code == 200


async def test_a_delegation_expires(client, person, fake_clock):
    patient, caregiver = await person("patient"), await person("caregiver")
    grant = await delegate(client, patient, caregiver, ["record:read"], expires_at=in_hours(2))
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 200
    fake_clock.advance(hours=1, minutes=59)
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 200
    fake_clock.advance(minutes=2)
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 404
    assert (await client.get("/api/patients", headers=caregiver.headers)).json() == []
    shown = (await client.get("/api/me/delegations", headers=patient.headers)).json()
    assert [(d["id"], d["active"]) for d in shown] == [(grant["id"], False)]


# ---- care relationships -----------------------------------------------------------------------


async def test_ending_a_care_relationship_takes_effect_on_the_next_request(app, client, person):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    relationship = await assign(client, admin, clinician, patient)
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200

    # Only admins assign and end care relationships.
    body = {"clinician_id": str(clinician.id), "patient_id": str(patient.patient_id)}
    for who in (clinician, patient):
        attempt = await client.post("/api/admin/care-relationships", json=body, headers=who.headers)
        assert attempt.status_code == 403
        ending = await client.delete(
            f"/api/admin/care-relationships/{relationship['id']}", headers=who.headers
        )
        assert ending.status_code == 403
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200

    ended = await client.delete(
        f"/api/admin/care-relationships/{relationship['id']}", headers=admin.headers
    )
    assert ended.status_code == 204
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404
    assert (await client.get("/api/patients", headers=clinician.headers)).json() == []
    assert (await verify_chain(app)).ok


async def test_a_care_relationship_with_an_end_lapses(client, person, fake_clock):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    response = await client.post(
        "/api/admin/care-relationships",
        json={
            "clinician_id": str(clinician.id),
            "patient_id": str(patient.patient_id),
            "ends_at": in_hours(8),
        },
        headers=admin.headers,
    )
    assert response.status_code == 201 and response.json()["kind"] == "assignment"
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200
    fake_clock.advance(hours=8, seconds=1)
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404
    assert (await client.get("/api/patients", headers=clinician.headers)).json() == []


async def test_only_clinicians_and_patients_fit_a_care_relationship(client, person):
    admin, clinician, moderator, patient = (
        await person("admin"),
        await person("clinician"),
        await person("moderator"),
        await person("patient"),
    )
    not_a_clinician = await client.post(
        "/api/admin/care-relationships",
        json={"clinician_id": str(moderator.id), "patient_id": str(patient.patient_id)},
        headers=admin.headers,
    )
    assert not_a_clinician.status_code == 404
    no_such_patient = await client.post(
        "/api/admin/care-relationships",
        json={"clinician_id": str(clinician.id), "patient_id": str(uuid.uuid4())},
        headers=admin.headers,
    )
    assert no_such_patient.status_code == 404


# ---- consent ------------------------------------------------------------------------------------


async def test_a_treatment_deny_blocks_the_named_clinician_until_revoked(client, person):
    admin, patient = await person("admin"), await person("patient")
    blocked, other = await person("clinician"), await person("clinician")
    await assign(client, admin, blocked, patient)
    await assign(client, admin, other, patient)

    deny = await consent(
        client, patient, purpose="treatment", decision="deny", actor_id=str(blocked.id)
    )
    assert deny["status"] == "active" and deny["actor_id"] == str(blocked.id)
    assert (await client.get(record_url(patient), headers=blocked.headers)).status_code == 404
    assert (await client.get("/api/patients", headers=blocked.headers)).json() == []
    everything = f"/fhir/Patient/{patient.patient_id}/$everything"
    assert (await client.get(everything, headers=blocked.headers)).status_code == 404
    # The deny names one clinician; the rest of the care team is unaffected.
    assert (await client.get(record_url(patient), headers=other.headers)).status_code == 200

    withdrawn = await client.delete(f"/api/me/consents/{deny['id']}", headers=patient.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "inactive"
    assert (await client.get(record_url(patient), headers=blocked.headers)).status_code == 200
    listed = (await client.get("/api/me/consents", headers=patient.headers)).json()
    assert [(c["id"], c["status"]) for c in listed] == [(deny["id"], "inactive")]


async def test_a_deny_for_everyone_blocks_the_whole_care_team(client, person):
    admin, patient = await person("admin"), await person("patient")
    team = [await person("clinician") for _ in range(2)]
    for clinician in team:
        await assign(client, admin, clinician, patient)
    deny = await consent(client, patient, purpose="treatment", decision="deny")
    assert deny["actor_id"] is None
    for clinician in team:
        assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404
    # Denying treatment does not shut the patient out of their own record.
    assert (await client.get(record_url(patient), headers=patient.headers)).status_code == 200
    # A deny for another purpose does not touch treatment.
    await client.delete(f"/api/me/consents/{deny['id']}", headers=patient.headers)
    await consent(client, patient, purpose="research", decision="deny")
    for clinician in team:
        assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200


async def test_a_deny_with_a_period_lapses_at_its_end(client, person, fake_clock):
    admin, patient, clinician = await person("admin"), await person(), await person("clinician")
    await assign(client, admin, clinician, patient)
    await consent(client, patient, purpose="treatment", decision="deny", period_end=in_hours(1))
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404
    fake_clock.advance(hours=1, seconds=1)
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200


async def test_consents_belong_to_their_patient(client, person):
    patient, other = await person("patient"), await person("patient")
    mine = await consent(client, patient, purpose="community", decision="permit")
    theirs = await client.delete(f"/api/me/consents/{mine['id']}", headers=other.headers)
    assert theirs.status_code == 404
    assert (await client.get("/api/me/consents", headers=other.headers)).json() == []
    clinician = await person("clinician")
    assert (await client.get("/api/me/consents", headers=clinician.headers)).status_code == 403
    listed = (await client.get("/api/me/consents", headers=patient.headers)).json()
    assert [(c["id"], c["status"]) for c in listed] == [(mine["id"], "active")]


# ---- break-glass ------------------------------------------------------------------------------


async def test_break_glass_overrides_a_deny_and_the_patient_sees_why(app, client, person):
    admin, patient = await person("admin"), await person("patient")
    clinician = await person("clinician", name="Dr. Imogen Reyes")
    await assign(client, admin, clinician, patient)
    await consent(client, patient, purpose="treatment", decision="deny", actor_id=str(clinician.id))
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404

    reason = "Collapsed in the waiting room, unresponsive"
    glass = await break_glass(client, clinician, patient, reason)
    assert glass["patient_id"] == str(patient.patient_id)
    read = await client.get(record_url(patient), headers=clinician.headers)
    assert read.status_code == 200 and read.json()["id"] == str(patient.patient_id)

    log = await client.get("/api/me/access-log", headers=patient.headers)
    assert log.status_code == 200
    entries = log.json()
    started = [e for e in entries if e["action"] == "break-glass.start"]
    assert len(started) == 1
    assert started[0]["reason"] == reason
    assert started[0]["actor_name"] == "Dr. Imogen Reyes"
    assert started[0]["actor_role"] == "clinician"
    reads = [e for e in entries if e["action"] == "record.read" and e["outcome"] == "success"]
    assert [e["basis"] for e in reads] == ["break-glass"]
    assert reads[0]["purpose"] == "treatment" and reads[0]["actor_name"] == "Dr. Imogen Reyes"
    # The refusal before the break-glass is shown too; the patient's own actions are not.
    assert any(e["action"] == "record.read" and e["outcome"] == "denied" for e in entries)
    assert not any(e["action"].startswith("consent.") for e in entries)
    # Newest first.
    assert entries[0]["action"] == "record.read" and entries[0]["basis"] == "break-glass"
    # Other people cannot read this patient's log: /api/me/access-log is only ever one's own.
    assert (await client.get("/api/me/access-log", headers=clinician.headers)).status_code == 403


async def test_break_glass_expires_after_its_minutes(client, person, fake_clock):
    patient, clinician = await person("patient"), await person("clinician")
    glass = await break_glass(client, clinician, patient, "Emergency admission, no records")
    expected_end = clock.now() + timedelta(minutes=BREAK_GLASS_MINUTES)
    assert glass["expires_at"].startswith(expected_end.isoformat()[:16])
    fake_clock.advance(minutes=BREAK_GLASS_MINUTES - 1)
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 200
    fake_clock.advance(minutes=1, seconds=1)
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404


async def test_only_clinicians_break_the_glass_on_real_patients(client, person):
    patient = await person("patient")
    body = {"patient_id": str(patient.patient_id), "reason": "I would like to have a look"}
    for role in ("caregiver", "moderator", "researcher", "admin", "patient"):
        who = await person(role)
        refused = await client.post("/api/privacy/break-glass", json=body, headers=who.headers)
        assert refused.status_code == 403, role
        assert (await client.get(record_url(patient), headers=who.headers)).status_code == 404
    # The patient sees the refused attempts in their access log (with no reason to show).
    log = await client.get("/api/me/access-log", headers=patient.headers)
    assert log.status_code == 200, log.text
    refusals = [e for e in log.json() if e["action"] == "break-glass.start"]
    assert len(refusals) == 5
    assert all(e["outcome"] == "denied" and e["reason"] is None for e in refusals)
    clinician = await person("clinician")
    nobody = await client.post(
        "/api/privacy/break-glass",
        json={"patient_id": str(uuid.uuid4()), "reason": "Emergency admission, no records"},
        headers=clinician.headers,
    )
    assert nobody.status_code == 404


# ---- bad inputs -----------------------------------------------------------------------------


async def test_bad_inputs_answer_422_and_store_nothing(app, client, person):
    patient, caregiver, clinician = (
        await person("patient"),
        await person("caregiver"),
        await person("clinician"),
    )
    future = in_hours(24)
    bad_delegations = {
        "unknown category": {"scopes": ["surgery:read"], "expires_at": future},
        "unknown mode": {"scopes": ["record:delete"], "expires_at": future},
        "no scopes": {"scopes": [], "expires_at": future},
        "past expiry": {"scopes": ["record:read"], "expires_at": in_hours(-1)},
        "expiry now-ish": {"scopes": ["record:read"], "expires_at": in_hours(0)},
    }
    for what, body in bad_delegations.items():
        response = await client.post(
            "/api/me/delegations",
            json={"caregiver_email": caregiver.email, **body},
            headers=patient.headers,
        )
        assert response.status_code == 422, (what, response.text)

    bad_consents = {
        "org-sharing without organization": {"purpose": "org-sharing", "decision": "permit"},
        "unknown purpose": {"purpose": "marketing", "decision": "permit"},
        "self is not a consent purpose": {"purpose": "self", "decision": "permit"},
        "unknown decision": {"purpose": "research", "decision": "maybe"},
        "period in the past": {
            "purpose": "research",
            "decision": "permit",
            "period_end": in_hours(-2),
        },
    }
    for what, body in bad_consents.items():
        response = await client.post("/api/me/consents", json=body, headers=patient.headers)
        assert response.status_code == 422, (what, response.text)

    for reason in ("too short", "   short   ", ""):
        response = await client.post(
            "/api/privacy/break-glass",
            json={"patient_id": str(patient.patient_id), "reason": reason},
            headers=clinician.headers,
        )
        assert response.status_code == 422, (reason, response.text)

    assert await count(app, Delegation) == 0
    assert await count(app, Consent) == 0
    assert await count(app, BreakGlass) == 0
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 404
    assert (await client.get(record_url(patient), headers=clinician.headers)).status_code == 404
    stored = {r.action for r in await audit_rows(app)}
    assert not stored & {"delegation.grant", "consent.grant", "break-glass.start"}


async def test_delegations_go_only_to_caregiver_accounts(app, client, person):
    patient, clinician = await person("patient"), await person("clinician")
    for email in (clinician.email, "nobody@example.org"):
        response = await client.post(
            "/api/me/delegations",
            json={"caregiver_email": email, "scopes": ["record:read"], "expires_at": in_hours(2)},
            headers=patient.headers,
        )
        assert response.status_code == 404
        assert response.json()["code"] == "caregiver_not_found"
    caregiver = await person("caregiver")
    self_grant = await client.post(
        "/api/me/delegations",
        json={
            "caregiver_email": patient.email,
            "scopes": ["record:read"],
            "expires_at": in_hours(2),
        },
        headers=caregiver.headers,
    )
    assert self_grant.status_code == 403  # only patients grant delegations
    assert await count(app, Delegation) == 0


def refused_field(response) -> str:
    """The one body field a 422 names (the validation shape: ``detail[].loc``)."""
    (error,) = response.json()["detail"]
    return error["loc"][-1]


async def test_an_expiry_without_a_timezone_is_refused_not_a_crash(app, client, person):
    patient, caregiver = await person("patient"), await person("caregiver")
    naive = (clock.now() + timedelta(days=2)).replace(tzinfo=None).isoformat()
    response = await client.post(
        "/api/me/delegations",
        json={"caregiver_email": caregiver.email, "scopes": ["record:read"], "expires_at": naive},
        headers=patient.headers,
    )
    assert response.status_code == 422, response.text
    assert refused_field(response) == "expires_at"
    assert await count(app, Delegation) == 0


async def test_a_consent_period_without_a_timezone_is_refused_not_a_crash(app, client, person):
    patient = await person("patient")
    naive = (clock.now() + timedelta(days=2)).replace(tzinfo=None).isoformat()
    response = await client.post(
        "/api/me/consents",
        json={"purpose": "research", "decision": "permit", "period_end": naive},
        headers=patient.headers,
    )
    assert response.status_code == 422, response.text
    assert refused_field(response) == "period_end"
    assert await count(app, Consent) == 0


async def test_a_consent_for_an_unknown_actor_is_refused_not_a_crash(app, client, person):
    patient = await person("patient")
    response = await client.post(
        "/api/me/consents",
        json={"purpose": "treatment", "decision": "deny", "actor_id": str(uuid.uuid4())},
        headers=patient.headers,
    )
    assert response.status_code == 422, response.text
    assert refused_field(response) == "actor_id"
    assert await count(app, Consent) == 0


async def test_a_care_relationship_end_without_a_timezone_is_refused_not_a_crash(
    app, client, person
):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    naive = (clock.now() + timedelta(days=2)).replace(tzinfo=None).isoformat()
    response = await client.post(
        "/api/admin/care-relationships",
        json={
            "clinician_id": str(clinician.id),
            "patient_id": str(patient.patient_id),
            "ends_at": naive,
        },
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert refused_field(response) == "ends_at"
    assert await count(app, CareRelationship) == 0


async def test_an_expiry_given_in_another_timezone_means_the_same_instant(
    client, person, fake_clock, database_url, request
):
    patient, caregiver = await person("patient"), await person("caregiver")
    plus_five = timezone(timedelta(hours=5))
    expires = (clock.now() + timedelta(hours=1)).astimezone(plus_five)
    grant = await delegate(client, patient, caregiver, ["record:read"], expires_at=expires)
    assert datetime.fromisoformat(grant["expires_at"]) == expires
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 200
    fake_clock.advance(hours=1, seconds=1)
    assert (await client.get(record_url(patient), headers=caregiver.headers)).status_code == 404
