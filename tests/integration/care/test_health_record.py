"""The patient's health record: who reads and writes it, bad input, audit, encryption at rest,
and a signed visit note's problems joining the condition list."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.care.support import BEFORE_NINE, admitted
from tests.integration.privacy.support import assign, audit_rows, delegate, head_seq


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def fill(client, clinician, patient) -> dict:
    """One of each kind, written by the clinician; answers their JSON by kind."""
    base = f"/api/care/patients/{patient.patient_id}"
    bodies = {
        "conditions": {"text": "Essential hypertension", "system": "snomed", "code": "59621000",
                       "plain_text": "High blood pressure", "onset": "2024-05-01"},
        "medications": {"name": "Amlodipine", "dose": "5 mg", "how_taken": "Once a day",
                        "reason": "For blood pressure", "started": "2024-05-02"},
        "allergies": {"substance": "Penicillin", "reaction": "Hives", "criticality": "high",
                      "category": "medication"},
        "care-plans": {"title": "Blood pressure plan", "description": "Check it twice a week.",
                       "goals": [{"description": "Blood pressure under control",
                                  "target": "below 140/90", "due": "2027-01-31"}]},
    }  # fmt: skip
    out = {}
    for kind, body in bodies.items():
        made = await client.post(f"{base}/{kind}", json=body, headers=clinician.headers)
        assert made.status_code == 201, made.text
        out[kind] = made.json()
    return out


async def test_care_team_writes_patient_reads_others_see_nothing(app, client, person):
    admin, clinician, stranger = (
        await person("admin"),
        await person("clinician"),
        await person("clinician"),
    )
    patient, other = await person("patient"), await person("patient")
    reader, nosy = await person("caregiver"), await person("caregiver")
    await assign(client, admin, clinician, patient)
    await delegate(client, patient, reader, ["record:read"])
    await delegate(client, patient, nosy, ["vitals:read"])
    made = await fill(client, clinician, patient)
    assert made["conditions"]["system"] == "http://snomed.info/sct"
    assert made["care-plans"]["goals"][0]["target"] == "below 140/90"

    url = f"/api/care/patients/{patient.patient_id}/health"
    mine = await client.get(url, headers=patient.headers)
    assert mine.status_code == 200, mine.text
    record = mine.json()
    assert [c["plain_text"] for c in record["conditions"]] == ["High blood pressure"]
    assert record["medications"][0]["how_taken"] == "Once a day"
    assert record["allergies"][0]["substance"] == "Penicillin"
    assert record["care_plans"][0]["goals"][0]["status"] == "active"
    assert record["can_write"] is False
    assert (await client.get(url, headers=clinician.headers)).json()["can_write"] is True
    assert (await client.get(url, headers=reader.headers)).status_code == 200

    condition_url = f"/api/care/conditions/{made['conditions']['id']}"
    for outsider in (other, stranger, nosy):
        assert (await client.get(url, headers=outsider.headers)).status_code == 404
        assert (await client.get(condition_url, headers=outsider.headers)).status_code == 404
        refused = await client.patch(
            condition_url, json={"clinical_status": "resolved"}, headers=outsider.headers
        )
        assert refused.status_code == 404
        added = await client.post(
            f"/api/care/patients/{patient.patient_id}/allergies",
            json={"substance": "Latex"}, headers=outsider.headers,
        )  # fmt: skip
        assert added.status_code == 404
    for reads_only in (patient, reader):
        refused = await client.patch(
            condition_url, json={"clinical_status": "resolved"}, headers=reads_only.headers
        )
        assert refused.status_code == 403, refused.text
    assert (await client.get(condition_url, headers=patient.headers)).status_code == 200

    # The care team resolves, stops and achieves; the lists show it.
    resolved = await client.patch(
        condition_url, json={"clinical_status": "resolved"}, headers=clinician.headers
    )
    assert resolved.status_code == 200 and resolved.json()["resolved_on"]
    stopped = await client.patch(
        f"/api/care/medications/{made['medications']['id']}", json={"status": "stopped"},
        headers=clinician.headers,
    )  # fmt: skip
    assert stopped.json()["status"] == "stopped"
    goal_id = made["care-plans"]["goals"][0]["id"]
    achieved = await client.patch(
        f"/api/care/goals/{goal_id}", json={"status": "achieved"}, headers=clinician.headers
    )
    assert achieved.status_code == 200 and achieved.json()["status"] == "achieved"
    plan_id = made["care-plans"]["id"]
    added = await client.post(
        f"/api/care/care-plans/{plan_id}/goals", json={"description": "Walk daily"},
        headers=clinician.headers,
    )  # fmt: skip
    assert added.status_code == 201
    plans = await client.get(
        f"/api/care/patients/{patient.patient_id}/care-plans", headers=reader.headers
    )
    assert [g["status"] for g in plans.json()[0]["goals"]] == ["achieved", "active"]
    lists = {
        kind: (
            await client.get(
                f"/api/care/patients/{patient.patient_id}/{kind}", headers=patient.headers
            )
        ).json()
        for kind in ("conditions", "medications", "allergies")
    }
    assert lists["conditions"][0]["clinical_status"] == "resolved"
    assert lists["medications"][0]["status"] == "stopped"
    assert len(lists["allergies"]) == 1


async def test_bad_input_names_the_field_and_stores_nothing(app, client, person):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, clinician, patient)
    base = f"/api/care/patients/{patient.patient_id}"
    cases = [
        ("conditions", {"text": ""}, "text"),
        ("conditions", {"text": "x", "clinical_status": "cured"}, "clinical_status"),
        ("conditions", {"text": "x", "code": "I10"}, "code"),
        ("medications", {"name": "x", "started": "last spring"}, "started"),
        ("allergies", {"substance": "x", "criticality": "extreme"}, "criticality"),
        ("care-plans", {"title": "x", "goals": [{"description": "y", "status": "no"}]}, "status"),
        ("medications", {"name": "x", "colour": "blue"}, "colour"),
    ]  # fmt: skip
    for kind, body, field in cases:
        answer = await client.post(f"{base}/{kind}", json=body, headers=clinician.headers)
        assert answer.status_code == 422, (kind, body, answer.text)
        assert field in answer.text, answer.text
    made = await fill(client, clinician, patient)
    # Optional fields may be left out (a plan without a description) or cleared with null.
    bare = await client.post(f"{base}/care-plans", json={"title": "Walk more"},
                             headers=clinician.headers)  # fmt: skip
    assert bare.status_code == 201, bare.text
    assert bare.json()["description"] is None and bare.json()["goals"] == []
    no_dose = await client.patch(
        f"/api/care/medications/{made['medications']['id']}", json={"dose": None},
        headers=clinician.headers,
    )  # fmt: skip
    assert no_dose.status_code == 200 and no_dose.json()["dose"] is None
    cleared = await client.patch(
        f"/api/care/conditions/{made['conditions']['id']}", json={"text": None},
        headers=clinician.headers,
    )  # fmt: skip
    assert cleared.status_code == 422 and "text" in cleared.text
    record = (await client.get(f"{base}/health", headers=patient.headers)).json()
    assert [len(record[k]) for k in ("conditions", "medications", "allergies", "care_plans")] == [
        1, 1, 1, 2,
    ]  # fmt: skip
    assert record["conditions"][0]["text"] == "Essential hypertension"


async def test_audited_and_encrypted_at_rest(app, client, person):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, clinician, patient)
    since = await head_seq(app)
    made = await fill(client, clinician, patient)
    await client.get(f"/api/care/patients/{patient.patient_id}/health", headers=patient.headers)
    rows = await audit_rows(app, since, patient_id=patient.patient_id)
    writes = {(r.action, r.resource_type) for r in rows if r.actor_id == clinician.id}
    assert {
        ("record.write", "Condition"), ("record.write", "MedicationStatement"),
        ("record.write", "AllergyIntolerance"), ("record.write", "CarePlan"),
    } <= writes  # fmt: skip
    assert ("record.read", "Bundle") in {(r.action, r.resource_type) for r in rows}
    assert any(r.resource_id == made["conditions"]["id"] for r in rows)
    async with app.state.runtime.db.session() as session:
        raw = (
            await session.execute(
                text(
                    "SELECT c.text, m.name, a.substance, p.title FROM care_conditions c, "
                    "care_medications m, care_allergies a, care_plans p"
                )
            )
        ).one()
    for plain, stored in zip(
        ("Essential hypertension", "Amlodipine", "Penicillin", "Blood pressure plan"),
        raw,
        strict=True,
    ):
        assert plain not in stored


async def test_signed_visit_problems_join_the_condition_list(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    _, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")
    base = f"/api/care/encounters/{room['encounter_id']}"
    problem = await client.post(
        f"{base}/problems",
        json={"text": "Acute bronchitis", "system": "snomed", "code": "10509002",
              "plain_text": "A chest infection"},
        headers=clinician.headers,
    )  # fmt: skip
    assert problem.status_code == 201
    conditions = f"/api/care/patients/{patient.patient_id}/conditions"
    # A draft stays the clinician's: not on the list yet.
    assert (await client.get(conditions, headers=patient.headers)).json() == []
    assert (await client.post(f"{base}/sign", headers=clinician.headers)).status_code == 200
    listed = (await client.get(conditions, headers=patient.headers)).json()
    assert [(c["plain_text"], c["encounter_id"]) for c in listed] == [
        ("A chest infection", room["encounter_id"])
    ]
    # Read again: adopted once only; the care team resolves it like any other.
    again = (await client.get(conditions, headers=clinician.headers)).json()
    assert len(again) == 1
    resolved = await client.patch(
        f"/api/care/conditions/{again[0]['id']}", json={"clinical_status": "resolved"},
        headers=clinician.headers,
    )  # fmt: skip
    assert resolved.json()["clinical_status"] == "resolved"
