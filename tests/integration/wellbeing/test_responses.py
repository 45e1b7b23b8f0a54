"""Answering questionnaires and reading results: who may, bad input, encryption at rest."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from careverse.privacy.service import PrivacyService
from careverse.wellbeing.models import WellbeingResponse
from tests.integration.privacy.support import assign, audit_rows, delegate
from tests.integration.wellbeing.support import PHQ9_CALM, submit


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 90 * 24 * 3600}  # tokens outlive the erasure's grace


async def test_instruments_are_listed_with_their_items_and_rules(client, person):
    patient = await person("patient")
    assert (await client.get("/api/wellbeing/instruments")).status_code == 401
    r = await client.get("/api/wellbeing/instruments", headers=patient.headers)
    assert r.status_code == 200
    found = {i["code"]: i for i in r.json()["instruments"]}
    assert set(found) == {"phq9", "gad7", "who5", "phq2", "gad2", "cssrs"}
    assert found["phq9"]["loinc"] == "44249-1" and len(found["phq9"]["items"]) == 9
    assert [o["score"] for o in found["phq9"]["options"]] == [0, 1, 2, 3]
    assert found["who5"]["band_scale"] == "percentage" and found["phq9"]["licence"]
    assert "never scored as if the missing item were 0" in found["gad7"]["missing_rule"]
    assert [i["link_id"] for i in found["cssrs"]["items"]][-1] == "q6_past_3_months"


async def test_a_patient_answers_and_sees_results_over_time(app, client, person):
    patient = await person("patient")
    first = await submit(client, patient, "phq9", PHQ9_CALM)
    assert (first["total"], first["band"], first["crisis"]) == (2, "minimal", None)
    await submit(client, patient, "phq9", [2, 2, 2, 1, 1, 1, 1, 0, 0])
    who5 = await submit(client, patient, "who5", [2, 2, 1, 1, 1])
    assert (who5["total"], who5["percentage"], who5["band"]) == (7, 28, "likely depression")
    partial = await submit(client, patient, "gad7", [1, None, 1, 1, 1, 1, 1])
    assert (partial["total"], partial["band"], partial["missing"]) == (None, None, 1)

    r = await client.get("/api/wellbeing/me/results?instrument=phq9", headers=patient.headers)
    assert r.status_code == 200
    assert [x["total"] for x in r.json()["results"]] == [2, 10]  # oldest first
    assert [x["band"] for x in r.json()["results"]] == ["minimal", "moderate"]
    r = await client.get("/api/wellbeing/me/results", headers=patient.headers)
    assert len(r.json()["results"]) == 4
    writes = await audit_rows(app, action="wellbeing.write", patient_id=patient.patient_id)
    assert len(writes) == 4 and {w.resource_type for w in writes} == {"QuestionnaireResponse"}


async def test_answers_are_encrypted_at_rest(app, client, person):
    patient = await person("patient")
    await submit(client, patient, "gad2", [3, 2])
    async with app.state.runtime.db.session() as session:
        (stored,) = (await session.execute(text("SELECT result FROM wellbeing_responses"))).one()
    assert "positive" not in stored and "answers" not in stored and "[3, 2]" not in stored


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"instrument": "phq9", "answers": [0] * 8}, "9 items; 8 answers"),
        ({"instrument": "gad7", "answers": [0] * 6 + [4]}, "from 0 to 3"),
        ({"instrument": "cssrs", "answers": [True] * 6}, "C-SSRS answers must be an object"),
        ({"instrument": "phq2", "answers": {"q1": True}}, "list of item scores"),
        ({"instrument": "cssrs", "answers": {"q1": True, "q2": False}}, "q6 must be answered"),
        ({"instrument": "phq2", "answers": ["1", 0]}, ""),
        ({"instrument": "phq2", "answers": [1.5, 0]}, ""),
        ({"instrument": "phq8", "answers": [0] * 8}, ""),
        ({"instrument": "phq2"}, ""),
    ],
)
async def test_bad_input_is_a_clear_422_and_nothing_is_stored(client, person, body, words):
    patient = await person("patient")
    r = await client.post("/api/wellbeing/responses", json=body, headers=patient.headers)
    assert r.status_code == 422, r.text
    assert words in r.text
    mine = await client.get("/api/wellbeing/me/results", headers=patient.headers)
    assert mine.json()["results"] == []


async def test_who_may_read_and_answer(app, client, person):
    admin, clinician, stranger = (
        await person("admin"),
        await person("clinician"),
        await person("clinician"),
    )
    patient, other = await person("patient"), await person("patient")
    caregiver = await person("caregiver")
    await assign(client, admin, clinician, patient)
    mine = await submit(client, patient, "phq9", PHQ9_CALM)
    url = f"/api/wellbeing/patients/{patient.patient_id}/results"

    r = await client.get(url, headers=clinician.headers)
    assert r.status_code == 200 and [x["id"] for x in r.json()["results"]] == [mine["id"]]
    for outsider in (stranger, other, caregiver):
        assert (await client.get(url, headers=outsider.headers)).status_code == 404
    # Only a patient answers, and only their own.
    r = await client.post(
        "/api/wellbeing/responses", json={"instrument": "phq2", "answers": [0, 0]},
        headers=clinician.headers,
    )  # fmt: skip
    assert r.status_code == 403
    # A caregiver sees results only with a wellbeing delegation.
    await delegate(client, patient, caregiver, ["wellbeing:read"])
    assert (await client.get(url, headers=caregiver.headers)).status_code == 200
    reads = await audit_rows(app, action="wellbeing.read", actor_id=clinician.id)
    assert reads and reads[0].patient_id == patient.patient_id
    denied = await audit_rows(app, actor_id=stranger.id, outcome="denied")
    assert denied and denied[0].action == "wellbeing.read"


async def test_an_erasure_removes_the_patients_responses(app, client, person, fake_clock):
    patient, other = await person("patient"), await person("patient")
    await submit(client, patient, "phq2", [1, 1])
    await submit(client, other, "phq2", [0, 0])
    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    fake_clock.advance(days=app.state.runtime.settings.erasure_grace_days, seconds=1)
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
        left = await session.execute(
            select(WellbeingResponse.patient_id, func.count()).group_by(
                WellbeingResponse.patient_id
            )
        )
        assert {pid: n for pid, n in left.all()} == {other.patient_id: 1}
