"""Encounters: the SOAP note, coded problems, signing and addenda, the patient's summary, shared
decision-making, permissions, encryption at rest, and the FHIR resources of care."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import text

from tests.integration.care.support import BEFORE_NINE, admitted


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


def valid(resource: dict, kind: str) -> dict:
    assert resource["resourceType"] == kind
    get_fhir_model_class(kind).model_validate(resource)
    for entry in resource.get("entry", []) if kind == "Bundle" else []:
        inner = entry["resource"]
        get_fhir_model_class(inner["resourceType"]).model_validate(inner)
    return resource


async def test_note_sign_addenda_summary_and_decision(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, other = await person("patient"), await person("patient")
    intruder = await person("clinician")
    _, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")
    eid = room["encounter_id"]
    base = f"/api/care/encounters/{eid}"

    note = await client.put(
        f"{base}/note",
        json={
            "subjective": "Three days of productive cough.",
            "objective": "Temp 38.1, chest clear on video.",
            "assessment": "Likely viral bronchitis.",
            "plan": "Fluids, rest, paracetamol.",
            "follow_up": "Call back if breathless or not better in a week.",
            "patient_summary": "Your cough is most likely from a virus and should settle.",
        },
        headers=clinician.headers,
    )
    assert note.status_code == 200, note.text
    assert note.json()["editable"] is True
    coded = await client.post(
        f"{base}/problems",
        json={"text": "Acute bronchitis", "system": "snomed", "code": "10509002",
              "plain_text": "A chest infection"},
        headers=clinician.headers,
    )  # fmt: skip
    assert coded.status_code == 201 and coded.json()["system"] == "http://snomed.info/sct"
    free_text = await client.post(
        f"{base}/problems", json={"text": "Poor sleep"}, headers=clinician.headers
    )
    assert free_text.status_code == 201
    half_coded = await client.post(
        f"{base}/problems", json={"text": "x", "code": "J20.9"}, headers=clinician.headers
    )
    assert half_coded.status_code == 422

    # Shared decision-making: two options side by side; the patient records what matters.
    options = []
    for name in ("Wait and see", "Antibiotics now"):
        made = await client.post(
            f"{base}/options",
            json={"name": name, "benefits": f"{name} helps", "risks": f"{name} risks"},
            headers=clinician.headers,
        )
        assert made.status_code == 201
        options.append(made.json()["id"])
    assert (
        await client.post(
            f"{base}/options", json={"name": "n", "benefits": "b", "risks": "r"},
            headers=patient.headers,
        )
    ).status_code == 403  # fmt: skip
    choice = await client.put(
        f"{base}/decision",
        json={"what_matters": "Avoiding side effects", "option_id": options[0]},
        headers=patient.headers,
    )
    assert choice.status_code == 200 and choice.json()["option_id"] == options[0]
    bad_choice = await client.put(
        f"{base}/decision", json={"option_id": free_text.json()["id"]}, headers=patient.headers
    )
    assert bad_choice.status_code == 422
    assert (
        await client.put(f"{base}/decision", json={"what_matters": "x"}, headers=clinician.headers)
    ).status_code == 403

    # Before signing the patient sees no note; the clinician's colleague-stranger sees nothing.
    early = await client.get(base, headers=patient.headers)
    assert early.status_code == 200 and early.json()["subjective"] is None
    for who in (other, intruder):
        assert (await client.get(base, headers=who.headers)).status_code == 404
        assert (await client.get(f"{base}/summary", headers=who.headers)).status_code == 404
        assert (
            await client.put(f"{base}/note", json={"plan": "x"}, headers=who.headers)
        ).status_code == 404
    assert (
        await client.put(f"{base}/note", json={"plan": "x"}, headers=patient.headers)
    ).status_code == 403

    signed = await client.post(f"{base}/sign", headers=clinician.headers)
    assert signed.status_code == 200
    assert signed.json()["signed_at"] and signed.json()["editable"] is False
    assert signed.json()["signed_by_name"] == "Dr. Lena Park"
    assert (await client.post(f"{base}/sign", headers=clinician.headers)).status_code == 409
    locked = await client.put(f"{base}/note", json={"plan": "Changed"}, headers=clinician.headers)
    assert locked.status_code == 409 and locked.json()["code"] == "note_signed"
    assert (
        await client.post(f"{base}/problems", json={"text": "x"}, headers=clinician.headers)
    ).status_code == 409
    addendum = await client.post(
        f"{base}/addenda", json={"text": "Swab result: negative."}, headers=clinician.headers
    )
    assert addendum.status_code == 201
    assert addendum.json()["author_name"] == "Dr. Lena Park" and addendum.json()["signed_at"]

    full = (await client.get(base, headers=patient.headers)).json()
    assert full["plan"] == "Fluids, rest, paracetamol."  # unchanged by the refused edit
    assert [a["text"] for a in full["addenda"]] == ["Swab result: negative."]
    summary = await client.get(f"{base}/summary", headers=patient.headers)
    assert summary.status_code == 200
    s = summary.json()
    assert s["summary"].startswith("Your cough") and s["signed"] is True
    assert s["problems"] == ["A chest infection", "Poor sleep"]
    assert s["choice"]["what_matters"] == "Avoiding side effects"
    assert [o["name"] for o in s["options"]] == ["Wait and see", "Antibiotics now"]

    finished = await client.post(f"{base}/finish", headers=clinician.headers)
    assert finished.status_code == 204
    ended = await client.post(
        f"{base}/chat", json={"body": "one more thing"}, headers=patient.headers
    )
    assert ended.status_code == 409

    # Encrypted at rest: no note text in the raw rows.
    async with app.state.runtime.db.engine.connect() as conn:
        row = (await conn.execute(text("SELECT subjective, plan FROM encounters"))).one()
        code = (await conn.execute(text("SELECT code FROM encounter_problems"))).scalars().all()
    assert all(v.startswith("cv1:") for v in row) and "10509002" not in " ".join(
        c or "" for c in code
    )


async def test_fhir_schedule_slot_appointment_and_encounter(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("Europe/London")
    patient, other = await person("patient"), await person("patient")
    appt, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")
    await client.post(
        f"/api/care/encounters/{room['encounter_id']}/problems",
        json={"text": "Acute bronchitis", "system": "icd-10", "code": "J20.9"},
        headers=clinician.headers,
    )
    fhir = {"Accept": "application/fhir+json"}

    schedules = await client.get("/fhir/Schedule", headers={**patient.headers, **fhir})
    assert schedules.status_code == 200
    assert schedules.headers["content-type"].startswith("application/fhir+json")
    valid(schedules.json(), "Bundle")
    one = await client.get(f"/fhir/Schedule/{clinician.id}", headers=patient.headers)
    valid(one.json(), "Schedule")

    slots = await client.get(
        "/fhir/Slot",
        params={"schedule": f"Schedule/{clinician.id}", "start": "ge2026-03-23",
                "service-type": "new"},
        headers=patient.headers,
    )  # fmt: skip
    assert slots.status_code == 200, slots.text
    bundle = valid(slots.json(), "Bundle")
    assert bundle["total"] > 0
    assert bundle["entry"][0]["resource"]["start"] == "2026-03-23T09:30:00Z"  # 09:00 is taken

    mine = await client.get(f"/fhir/Appointment/{appt['id']}", headers=patient.headers)
    resource = valid(mine.json(), "Appointment")
    assert resource["status"] == "arrived"
    assert (
        await client.get(f"/fhir/Appointment/{appt['id']}", headers=other.headers)
    ).status_code == 404
    search = await client.get(
        "/fhir/Appointment", params={"patient": f"Patient/{patient.patient_id}"},
        headers=clinician.headers,
    )  # fmt: skip
    assert valid(search.json(), "Bundle")["total"] == 1
    assert (await client.get("/fhir/Appointment", headers=other.headers)).json()["total"] == 0

    encounter = await client.get(f"/fhir/Encounter/{room['encounter_id']}", headers=patient.headers)
    resource = valid(encounter.json(), "Encounter")
    assert resource["class"]["code"] == "VR"
    assert resource["reasonCode"][0]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10", "code": "J20.9",
    }  # fmt: skip
    hidden = await client.get(f"/fhir/Encounter/{room['encounter_id']}", headers=other.headers)
    assert hidden.status_code == 404 and hidden.json()["resourceType"] == "OperationOutcome"
    assert (
        valid((await client.get("/fhir/Encounter", headers=clinician.headers)).json(), "Bundle")[
            "total"
        ]
        == 1
    )
    assert (
        await client.get("/fhir/Encounter/not-a-uuid", headers=patient.headers)
    ).status_code == 404
