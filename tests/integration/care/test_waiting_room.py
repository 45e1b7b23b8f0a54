"""The virtual waiting room: check-in with a device check, the wait state, the clinician's queue,
admitting into a private consult room (a world space) and inviting people into it."""

from __future__ import annotations

import pytest

from tests.integration.care.support import BEFORE_NINE, DEVICES_OK, admitted, book, checked_in


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def test_check_in_wait_queue_and_admit(client, person, clinician_with_hours, before_nine):
    clinician = await clinician_with_hours("UTC")
    patient, other = await person("patient"), await person("patient")
    await client.patch(
        f"/api/patients/{patient.patient_id}",
        json={"preferred_language": "es"},
        headers=patient.headers,
    )
    early = (await book(client, patient, clinician, "2026-03-23T10:00:00Z")).json()
    too_early = await client.post(
        f"/api/care/appointments/{early['id']}/check-in",
        json={"device_check": DEVICES_OK},
        headers=patient.headers,
    )
    assert too_early.status_code == 409 and too_early.json()["code"] == "too_early"
    bad_check = await client.post(
        f"/api/care/appointments/{early['id']}/check-in",
        json={"device_check": {**DEVICES_OK, "connection": "great"}},
        headers=patient.headers,
    )
    assert bad_check.status_code == 422

    appt = await checked_in(client, patient, clinician, "2026-03-23T09:00:00Z", reason="Cough")
    wait = await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    state = wait.json()
    assert state["status"] == "checked_in" and state["queue_position"] == 1
    assert state["clinician_status"] == "offline"  # the clinician has not opened their queue
    assert state["waiting_space_id"] and state["space_id"] is None
    # The calm waiting space is a world space the patient may enter, listed to nobody.
    garden = await client.get(f"/api/spaces/{state['waiting_space_id']}", headers=patient.headers)
    assert garden.status_code == 200 and garden.json()["template"] == "therapy-garden"

    queue = await client.get("/api/care/queue", headers=clinician.headers)
    assert queue.status_code == 200
    entry = next(e for e in queue.json() if e["appointment_id"] == appt["id"])
    assert entry["status"] == "checked_in" and entry["patient_language"] == "es"
    assert entry["device_check"] == DEVICES_OK and entry["reason"] == "Cough"
    assert (await client.get("/api/care/queue", headers=patient.headers)).status_code == 403

    late = await client.put(
        "/api/care/status", json={"status": "online", "running_late_minutes": 10},
        headers=clinician.headers,
    )  # fmt: skip
    assert late.status_code == 204
    state = (
        await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    ).json()
    assert state["clinician_status"] == "online" and state["late_minutes"] == 10
    before_nine.advance(minutes=13)  # 09:03, not admitted yet: three minutes late, or the ten said
    state = (
        await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    ).json()
    assert state["late_minutes"] == 10

    # Strangers get 404 for the wait state and for admitting.
    intruder = await person("clinician")
    assert (
        await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=other.headers)
    ).status_code == 404
    assert (
        await client.post(f"/api/care/appointments/{appt['id']}/admit", headers=intruder.headers)
    ).status_code == 404

    admit = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert admit.status_code == 200, admit.text
    room = admit.json()
    again = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert again.json() == room  # admitting twice answers the same room
    state = (
        await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    ).json()
    assert state["status"] == "in_progress" and state["space_id"] == room["space_id"]
    assert state["encounter_id"] == room["encounter_id"]


async def test_the_consult_room_is_private_to_its_members(
    client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC", buffer_minutes=0)  # back-to-back visits
    patient, other, admin = await person("patient"), await person("patient"), await person("admin")
    colleague, interpreter = await person("clinician"), await person("caregiver")
    appt, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")
    space = room["space_id"]

    for who, status in ((patient, 200), (clinician, 200), (other, 404), (admin, 404),
                        (colleague, 404), (interpreter, 404)):  # fmt: skip
        response = await client.get(f"/api/spaces/{space}", headers=who.headers)
        assert response.status_code == status, who.role
        listed = await client.get("/api/spaces", headers=who.headers)
        assert (space in {s["id"] for s in listed.json()}) == (status == 200), who.role

    # The clinician invites an interpreter and a colleague; a third guest does not fit.
    for guest, role in ((interpreter, "interpreter"), (colleague, "clinician")):
        invited = await client.post(
            f"/api/care/appointments/{appt['id']}/invite",
            json={"account_id": str(guest.id), "role": role},
            headers=clinician.headers,
        )
        assert invited.status_code == 204, invited.text
        assert (await client.get(f"/api/spaces/{space}", headers=guest.headers)).status_code == 200
    wrong_role = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"account_id": str(other.id), "role": "clinician"},
        headers=clinician.headers,
    )
    assert wrong_role.status_code == 422
    by_stranger = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"account_id": str(other.id), "role": "interpreter"},
        headers=other.headers,
    )
    assert by_stranger.status_code == 404
    caregiver = await person("caregiver")
    undelegated = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"account_id": str(caregiver.id), "role": "caregiver"},
        headers=clinician.headers,
    )
    assert undelegated.status_code == 422

    # The interpreter reaches the room and its chat, never the note.
    encounter = room["encounter_id"]
    said = await client.post(
        f"/api/care/encounters/{encounter}/chat",
        json={"body": "Hola, soy la intérprete."},
        headers=interpreter.headers,
    )
    assert said.status_code == 201
    chat = await client.get(f"/api/care/encounters/{encounter}/chat", headers=patient.headers)
    assert [m["body"] for m in chat.json()] == ["Hola, soy la intérprete."]
    assert (
        await client.get(f"/api/care/encounters/{encounter}", headers=interpreter.headers)
    ).status_code == 404
    assert (
        await client.get(f"/api/care/encounters/{encounter}/chat", headers=other.headers)
    ).status_code == 404

    # A patient waiting for this clinician now sees them in another visit.
    before_nine.advance(minutes=10)  # 09:00: the 09:15 visit opens for check-in
    second = await checked_in(client, other, clinician, "2026-03-23T09:15:00Z")
    state = (
        await client.get(f"/api/care/appointments/{second['id']}/wait", headers=other.headers)
    ).json()
    assert state["clinician_status"] == "in_another_visit" and state["queue_position"] == 1
