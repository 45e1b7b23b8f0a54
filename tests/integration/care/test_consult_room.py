"""The consult room's visit (GET /api/care/rooms/{space}), inviting by e-mail, and the shared
decision as each person in the room sees it."""

from __future__ import annotations

import pytest

from tests.integration.care.support import BEFORE_NINE, admitted, book
from tests.integration.privacy.support import assign, delegate

NINE = "2026-03-23T09:00:00Z"


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def test_the_room_answers_its_visit_to_the_people_in_it(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient", name="Ana Silva")
    await client.patch(
        f"/api/patients/{patient.patient_id}",
        json={"preferred_language": "pt-BR"},
        headers=patient.headers,
    )
    interpreter, colleague = await person("clinician"), await person("clinician")
    assigned, admin, stranger = await person("clinician"), await person("admin"), await person()
    await assign(client, admin, assigned, patient)  # on the care team, but not in this room
    appt, room = await admitted(client, patient, clinician, NINE)
    space = room["space_id"]

    async def invite(who, body):
        return await client.post(
            f"/api/care/appointments/{appt['id']}/invite", json=body, headers=who.headers
        )

    # The patient invites an interpreter by the address they sign in with (case ignored).
    made = await invite(patient, {"role": "interpreter", "email": interpreter.email.upper()})
    assert made.status_code == 204, made.text
    made = await invite(clinician, {"role": "clinician", "account_id": str(colleague.id)})
    assert made.status_code == 204, made.text

    def url(space_id=space):
        return f"/api/care/rooms/{space_id}"

    seen = {}
    for who, role in (
        (clinician, "clinician"),
        (patient, "patient"),
        (interpreter, "interpreter"),
        (colleague, "guest-clinician"),
    ):
        answer = await client.get(url(), headers=who.headers)
        assert answer.status_code == 200, (role, answer.text)
        seen[role] = answer.json()
        assert seen[role]["role_in_room"] == role
    body = seen["interpreter"]
    assert body["encounter_id"] == room["encounter_id"] and body["appointment_id"] == appt["id"]
    assert body["patient_id"] == str(patient.patient_id) and body["patient_name"] == "Ana Silva"
    assert body["preferred_language"] == "pt-BR" and body["status"] == "in_progress"

    # Nobody else learns the room belongs to a visit: 404, as for a space that is no room.
    for who in (assigned, stranger, admin):
        assert (await client.get(url(), headers=who.headers)).status_code == 404
    garden = await client.post(
        "/api/spaces", json={"name": "Garden", "template": "therapy-garden"},
        headers=clinician.headers,
    )  # fmt: skip
    assert garden.status_code == 201, garden.text
    other = garden.json()["id"]
    assert (await client.get(url(other), headers=clinician.headers)).status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (await client.get(url(unknown), headers=clinician.headers)).status_code == 404
    assert (await client.get(url("not-a-uuid"), headers=clinician.headers)).status_code == 422
    assert (await client.get(url())).status_code == 401

    # The interpreter reads and writes the chat, but not the encounter or its decision.
    chat = f"/api/care/encounters/{room['encounter_id']}/chat"
    said = await client.post(chat, json={"body": "Olá"}, headers=interpreter.headers)
    assert said.status_code == 201
    encounter = f"/api/care/encounters/{room['encounter_id']}"
    assert (await client.get(encounter, headers=interpreter.headers)).status_code == 404


async def test_inviting_by_email_is_checked(client, person, clinician_with_hours, before_nine):
    clinician = await clinician_with_hours("UTC")
    patient, other = await person("patient"), await person("patient")
    caregiver, helper = await person("caregiver"), await person("caregiver")
    await delegate(client, patient, helper, ["appointments:read"])
    appt = (await book(client, patient, clinician, "2026-03-23T10:00:00Z")).json()
    path = f"/api/care/appointments/{appt['id']}/invite"

    async def invite(who, body):
        return await client.post(path, json=body, headers=who.headers)

    cases = [
        {"role": "interpreter"},  # nobody named
        {"role": "interpreter", "email": "x@example.org", "account_id": str(caregiver.id)},
        {"role": "interpreter", "email": "nobody@example.org"},  # no such account
        {"role": "caregiver", "email": caregiver.email},  # no delegation from this patient
        {"role": "clinician", "email": helper.email},  # not a clinician
        {"role": "interpreter", "email": other.email},  # a patient cannot interpret
    ]
    said = set()
    for i, body in enumerate(cases):
        answer = await invite(patient, body)
        assert answer.status_code == 422, (body, answer.text)
        if i >= 2:
            said.add(answer.text)
    # The same answer whoever the address belongs to: the form does not reveal accounts.
    assert len(said) == 1
    # Someone who is not the visit's patient or clinician cannot invite (404, not 403).
    assert (await invite(other, {"role": "caregiver", "email": helper.email})).status_code == 404
    done = await invite(patient, {"role": "caregiver", "email": helper.email})
    assert done.status_code == 204, done.text
    listed = await client.get(f"/api/care/appointments/{appt['id']}", headers=patient.headers)
    assert [(i["name"], i["role"]) for i in listed.json()["invitees"]] == [
        (helper.name, "caregiver")
    ]


async def test_a_shared_decision_seen_from_both_sides(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, caregiver = await person("patient"), await person("caregiver")
    await delegate(client, patient, caregiver, ["consults:read", "consults:write"])
    _, room = await admitted(client, patient, clinician, NINE)
    base = f"/api/care/encounters/{room['encounter_id']}"
    ids = []
    for name in ("Physiotherapy", "Knee replacement"):
        made = await client.post(
            f"{base}/options",
            json={"name": name, "benefits": f"{name} helps", "risks": f"{name} risks"},
            headers=clinician.headers,
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    # The patient cannot present options; a blank option is refused.
    refused = await client.post(
        f"{base}/options", json={"name": "Mine", "benefits": "b", "risks": "r"},
        headers=patient.headers,
    )  # fmt: skip
    assert refused.status_code == 403
    blank = await client.post(
        f"{base}/options", json={"name": " ", "benefits": "b", "risks": "r"},
        headers=clinician.headers,
    )  # fmt: skip
    assert blank.status_code == 422

    seen = (await client.get(base, headers=patient.headers)).json()
    assert [(o["name"], o["benefits"], o["risks"]) for o in seen["options"]] == [
        ("Physiotherapy", "Physiotherapy helps", "Physiotherapy risks"),
        ("Knee replacement", "Knee replacement helps", "Knee replacement risks"),
    ]
    assert seen["choice"] is None
    # Undecided first, then a choice; the caregiver (consults:write) may record it too.
    first = await client.put(
        f"{base}/decision", json={"what_matters": "Walking the dog"}, headers=patient.headers
    )
    assert first.status_code == 200 and first.json()["option_id"] is None
    chosen = await client.put(
        f"{base}/decision",
        json={"what_matters": "Walking the dog", "option_id": ids[0]},
        headers=caregiver.headers,
    )
    assert chosen.status_code == 200, chosen.text
    mine = (await client.get(base, headers=clinician.headers)).json()["choice"]
    assert mine["option_id"] == ids[0] and mine["what_matters"] == "Walking the dog"
