"""Wellbeing over FHIR: Questionnaires, QuestionnaireResponses in and out, the patient's record."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from tests.integration.monitoring.alert_support import LONG_SESSIONS, alerts, team
from tests.integration.wellbeing.support import submit

LOINC = "http://loinc.org"
PHQ = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}
PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
              "44253-3", "44260-8"]  # fmt: skip


@pytest.fixture
def settings_overrides() -> dict:
    return LONG_SESSIONS


def phq9_response(scores: list[int | None], patient_id=None, **extra) -> dict:
    items = [
        {"linkId": f"phq9-{i + 1}",
         "answer": [{"valueCoding": {"system": LOINC, "code": PHQ[s]}}] if s is not None else []}
        for i, s in enumerate(scores)
    ]  # fmt: skip
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://testserver/fhir/Questionnaire/phq9",
        "status": "completed",
        "item": [i if i["answer"] else {"linkId": i["linkId"]} for i in items],
        **extra,
    }
    if patient_id:
        resource["subject"] = {"reference": f"Patient/{patient_id}"}
    return resource


async def test_every_instrument_is_a_valid_questionnaire(client, person):
    patient = await person("patient")
    r = await client.get("/fhir/Questionnaire", headers=patient.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    Bundle.model_validate(r.json())
    found = {e["resource"]["id"]: e["resource"] for e in r.json()["entry"]}
    assert set(found) == {"phq9", "gad7", "who5", "phq2", "gad2", "cssrs"}
    for resource in found.values():
        Questionnaire.model_validate(resource)
    assert found["phq9"]["code"][0]["code"] == "44249-1"
    assert found["gad7"]["code"][0]["code"] == "69737-5"
    assert [i["code"][0]["code"] for i in found["phq9"]["item"][:9]] == PHQ9_ITEMS
    skip = {i["linkId"]: i.get("enableWhen") for i in found["cssrs"]["item"]}
    assert skip["q3"] == [{"question": "q2", "operator": "=", "answerBoolean": True}]
    one = await client.get("/fhir/Questionnaire/who5", headers=patient.headers)
    assert one.status_code == 200 and one.json()["title"] == "WHO-5 Well-Being Index"
    assert (
        await client.get("/fhir/Questionnaire/phq8", headers=patient.headers)
    ).status_code == 404


async def test_a_questionnaire_response_is_scored_stored_and_read_back(app, client, person):
    t = await team(client, person)
    r = await client.post(
        "/fhir/QuestionnaireResponse",
        json=phq9_response([1, 2, 1, 1, 0, 0, 0, 0, 0], t.patient.patient_id),
        headers=t.patient.headers,
    )
    assert r.status_code == 201, r.text
    created = QuestionnaireResponse.model_validate(r.json())
    assert r.headers["location"] == f"/fhir/QuestionnaireResponse/{created.id}"
    total = [i for i in r.json()["item"] if i["linkId"] == "phq9-total"]
    assert total == [{"linkId": "phq9-total", "answer": [{"valueInteger": 5}]}]
    assert "extension" not in r.json()

    # The clinician reads it over FHIR; the patient's results include it.
    got = await client.get(f"/fhir/QuestionnaireResponse/{created.id}", headers=t.clinician.headers)
    assert got.status_code == 200 and got.json()["subject"]["reference"].endswith(
        str(t.patient.patient_id)
    )
    search = await client.get(
        f"/fhir/QuestionnaireResponse?patient={t.patient.patient_id}", headers=t.clinician.headers
    )
    assert [e["resource"]["id"] for e in search.json()["entry"]] == [str(created.id)]
    mine = await client.get("/api/wellbeing/me/results", headers=t.patient.headers)
    assert [(x["total"], x["band"]) for x in mine.json()["results"]] == [(5, "mild")]


async def test_a_crisis_questionnaire_response_carries_resources_and_alerts(client, person):
    t = await team(client, person)
    r = await client.post(
        "/fhir/QuestionnaireResponse",
        json=phq9_response([None] * 8 + [1]),
        headers=t.patient.headers,
    )
    assert r.status_code == 201, r.text
    (extension,) = r.json()["extension"]
    assert extension["url"] == "urn:careverse:wellbeing:crisis-resources"
    assert "emergency" in extension["valueString"]
    (alert,) = await alerts(client, t.clinician)
    assert alert["why"] == "PHQ-9 item 9 answered 'several days'"


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        ({"resourceType": "Observation", "status": "final"}, "Expected a QuestionnaireResponse"),
        (phq9_response([0] * 9, status="bogus"), "status must be completed"),
        ({**phq9_response([0] * 9), "item": "phq9-1"}, "Invalid QuestionnaireResponse at item"),
        ({**phq9_response([0] * 9), "authored": "yesterday"}, "Invalid QuestionnaireResponse"),
        (phq9_response([0] * 9, status="in-progress"), "status must be completed"),
        ({**phq9_response([0] * 9), "questionnaire": "Questionnaire/xyz"}, "questionnaire must"),
        (phq9_response([0] * 9, subject={"reference": "Patient/123"}), "subject must be"),
        (
            {
                **phq9_response([0] * 9),
                "item": [{"linkId": "phq9-1", "answer": [{"valueInteger": 7}]}],
            },
            "from 0 to 3",
        ),
        (
            {
                **phq9_response([0] * 9),
                "item": [{"linkId": "nope", "answer": [{"valueInteger": 1}]}],
            },
            "unknown linkId",
        ),
        (
            {
                **phq9_response([0] * 9),
                "item": [
                    {
                        "linkId": "phq9-1",
                        "answer": [{"valueCoding": {"system": LOINC, "code": "LA0000-0"}}],
                    }
                ],
            },
            "not one of",
        ),
    ],
)
async def test_bad_questionnaire_responses_are_422_outcomes(client, person, resource, words):
    patient = await person("patient")
    r = await client.post("/fhir/QuestionnaireResponse", json=resource, headers=patient.headers)
    assert r.status_code == 422, r.text
    assert r.json()["resourceType"] == "OperationOutcome" and words in r.text


async def test_deep_or_broken_bodies_are_refused_not_a_500(client, person):
    patient = await person("patient")
    for body in (b"[" * 5000 + b"]" * 5000, b"{not json"):
        r = await client.post(
            "/fhir/QuestionnaireResponse", content=body,
            headers={**patient.headers, "content-type": "application/fhir+json"},
        )  # fmt: skip
        assert r.status_code == 422, r.text


async def test_responses_are_part_of_the_patients_record(client, person):
    t = await team(client, person)
    await submit(client, t.patient, "gad7", [1, 1, 1, 1, 1, 1, 1])
    pid = t.patient.patient_id
    everything = await client.get(f"/fhir/Patient/{pid}/$everything", headers=t.clinician.headers)
    export = await client.get("/api/me/export", headers=t.patient.headers)
    for response in (everything, export):
        assert response.status_code == 200, response.text
        kinds = [e["resource"]["resourceType"] for e in response.json()["entry"]]
        assert "QuestionnaireResponse" in kinds
