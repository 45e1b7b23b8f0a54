"""Issue 12, the visit call first: what the clinician's side panel in the consult room reads — the
visit's reason and type on the encounter, and the problems already recorded for this patient
(this visit's, and those of earlier signed notes), for the visit's clinician only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.integration.care.support import BEFORE_NINE, checked_in


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def admit(client, clinician, appt: dict) -> str:
    done = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert done.status_code == 200, done.text
    return done.json()["encounter_id"]


async def test_reason_on_the_encounter_and_problems_recorded_for_the_patient(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, stranger = await person("patient"), await person("patient")
    other_clinician = await person("clinician")

    # An earlier visit, its note signed with a coded problem; then an unsigned draft elsewhere.
    earlier = await checked_in(client, patient, clinician, "2026-03-23T09:00:00Z", reason="Cough")
    first = await admit(client, clinician, earlier)
    made = await client.post(
        f"/api/care/encounters/{first}/problems",
        json={"text": "Asthma", "system": "snomed", "code": "195967001"},
        headers=clinician.headers,
    )
    assert made.status_code == 201, made.text
    assert (
        await client.post(f"/api/care/encounters/{first}/sign", headers=clinician.headers)
    ).status_code == 200
    assert (
        await client.post(f"/api/care/encounters/{first}/finish", headers=clinician.headers)
    ).status_code == 204

    before_nine.now = BEFORE_NINE + timedelta(minutes=10)
    today = await checked_in(
        client, patient, clinician, "2026-03-23T09:30:00Z", reason="My knee after the fall"
    )
    eid = await admit(client, clinician, today)
    here = await client.post(
        f"/api/care/encounters/{eid}/problems", json={"text": "Knee sprain"},
        headers=clinician.headers,
    )  # fmt: skip
    assert here.status_code == 201

    # The encounter itself now says why the patient came (new fields; the old ones unchanged).
    seen = await client.get(f"/api/care/encounters/{eid}", headers=clinician.headers)
    assert seen.status_code == 200
    body = seen.json()
    assert body["reason"] == "My knee after the fall"
    assert body["visit_type"] == "follow-up"
    assert {"subjective", "problems", "editable", "signed_at"} <= body.keys()
    mine = await client.get(f"/api/care/encounters/{eid}", headers=patient.headers)
    assert mine.json()["reason"] == "My knee after the fall"

    context = await client.get(f"/api/care/encounters/{eid}/context", headers=clinician.headers)
    assert context.status_code == 200, context.text
    ctx = context.json()
    assert ctx["reason"] == "My knee after the fall"
    assert ctx["visit_type"] == "follow-up"
    assert ctx["patient_id"] == str(patient.patient_id)
    problems = {p["text"]: p for p in ctx["problems"]}
    assert set(problems) == {"Knee sprain", "Asthma"}
    assert problems["Knee sprain"]["this_visit"] is True
    assert problems["Asthma"]["this_visit"] is False
    assert problems["Asthma"]["code"] == "195967001"
    assert problems["Asthma"]["encounter_id"] == first

    # Nobody else reads it: not the patient (the panel is the clinician's), not another
    # clinician, not a stranger; an unknown encounter is 404 and a malformed id is 422.
    for who in (patient, other_clinician, stranger):
        denied = await client.get(f"/api/care/encounters/{eid}/context", headers=who.headers)
        assert denied.status_code == 404, (who.role, denied.text)
    missing = await client.get(
        f"/api/care/encounters/{uuid.uuid4()}/context", headers=clinician.headers
    )
    assert missing.status_code == 404
    bad = await client.get("/api/care/encounters/not-an-id/context", headers=clinician.headers)
    assert bad.status_code == 422
    assert "encounter_id" in bad.text
    anonymous = await client.get(f"/api/care/encounters/{eid}/context")
    assert anonymous.status_code == 401
    assert "My knee" not in denied.text


async def test_an_unsigned_draft_of_another_visit_stays_out(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    earlier = await checked_in(client, patient, clinician, "2026-03-23T09:00:00Z")
    first = await admit(client, clinician, earlier)
    draft = await client.post(
        f"/api/care/encounters/{first}/problems", json={"text": "Not sure yet"},
        headers=clinician.headers,
    )  # fmt: skip
    assert draft.status_code == 201
    assert (
        await client.post(f"/api/care/encounters/{first}/finish", headers=clinician.headers)
    ).status_code == 204
    before_nine.now = BEFORE_NINE + timedelta(minutes=10)
    today = await checked_in(client, patient, clinician, "2026-03-23T09:30:00Z")
    eid = await admit(client, clinician, today)
    ctx = (
        await client.get(f"/api/care/encounters/{eid}/context", headers=clinician.headers)
    ).json()
    assert ctx["problems"] == []
    assert ctx["reason"] is None
