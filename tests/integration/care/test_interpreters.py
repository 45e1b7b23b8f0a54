"""Interpreters: a Spanish-speaking patient books an English-speaking clinician; the booking
screen's offer says an interpreter is needed and free; booking with one invites an available
Spanish interpreter, who is let into the consult room; none free is 409 and nothing is booked.
Clinicians who speak the patient's language are listed first. The pool is the admin's."""

from __future__ import annotations

from tests.integration.care.support import book, checked_in
from tests.integration.care.test_consult_room import NINE, before_nine

__all__ = ["before_nine"]
TEN = "2026-03-23T10:00:00Z"


async def put(client, who, interpreter, languages, available=True):
    return await client.put(
        f"/api/care/interpreters/{interpreter.id}",
        json={"languages": languages, "available": available},
        headers=who.headers,
    )


async def spanish_patient(client, person, name="Lucía Gómez"):
    patient = await person("patient", name=name)
    done = await client.patch(
        "/api/me", json={"preferred_language": "es-ES"}, headers=patient.headers
    )
    assert done.status_code == 200, done.text
    return patient


async def offer(client, who, clinician, **params):
    answer = await client.get(
        "/api/care/interpreter-offer",
        params={"clinician_id": str(clinician.id), **params},
        headers=who.headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_spanish_speaking_patient_books_with_an_interpreter_who_enters_the_room(
    client, person, clinician_with_hours, before_nine
):
    english = await clinician_with_hours("UTC", name="Dr. Lena Park")  # speaks en, fr
    spanish = await clinician_with_hours("UTC", name="Dr. Sofía Ruiz", languages=["es"])
    admin = await person("admin")
    maria, pierre, off_duty = (
        await person("clinician", name="María Interpreter"),
        await person("clinician", name="Pierre Interpreter"),
        await person("clinician", name="Off Duty Interpreter"),
    )
    assert (await put(client, admin, off_duty, ["es"], available=False)).status_code == 200
    assert (await put(client, admin, pierre, ["fr"])).status_code == 200
    assert (await put(client, admin, maria, ["es", "en"])).status_code == 200
    patient = await spanish_patient(client, person)

    # Clinicians who speak the patient's language come first.
    listed = await client.get("/api/care/clinicians", headers=patient.headers)
    names = [c["name"] for c in listed.json()]
    assert names.index("Dr. Sofía Ruiz") < names.index("Dr. Lena Park")

    # The offer: needed with the English-speaking clinician, and one is free; not with Sofía.
    window = {"start": NINE, "end": "2026-03-23T09:20:00Z"}
    assert await offer(client, patient, english, **window) == {
        "language": "es-ES", "clinician_speaks": False, "needed": True, "available": True,
    }  # fmt: skip
    assert (await offer(client, patient, spanish))["needed"] is False

    appt = await checked_in(client, patient, english, NINE, interpreter=True)
    admit = await client.post(f"/api/care/appointments/{appt['id']}/admit", headers=english.headers)
    assert admit.status_code == 200, admit.text
    space = admit.json()["space_id"]

    # María (Spanish, available) was invited and may enter; the others may not.
    room = await client.get(f"/api/care/rooms/{space}", headers=maria.headers)
    assert room.status_code == 200, room.text
    assert room.json()["role_in_room"] == "interpreter"
    entered = await client.get(f"/api/spaces/{space}", headers=maria.headers)
    assert entered.status_code == 200, entered.text
    for other in (pierre, off_duty):
        assert (await client.get(f"/api/spaces/{space}", headers=other.headers)).status_code == 404

    # María is busy at nine: a second Spanish patient cannot have one then (409, nothing
    # booked), and the offer says so; at ten she is free again.
    second = await spanish_patient(client, person, name="Jorge Díaz")
    other = await clinician_with_hours("UTC", name="Dr. Ada Byrne")
    assert (await offer(client, second, other, **window))["available"] is False
    refused = await book(client, second, other, NINE, interpreter=True)
    assert refused.status_code == 409 and refused.json()["code"] == "no_interpreter"
    mine = await client.get("/api/care/appointments", headers=second.headers)
    assert mine.json() == []
    later = await book(client, second, other, TEN, interpreter=True)
    assert later.status_code == 201, later.text


async def test_the_pool_is_the_administrators(client, person, clinician_with_hours, before_nine):
    admin, interpreter, patient = await person("admin"), await person("clinician"), await person()
    clinician = await clinician_with_hours("UTC")
    # Only an administrator adds someone; an interpreter cannot add themselves.
    assert (await put(client, interpreter, interpreter, ["es"])).status_code == 404
    assert (await put(client, clinician, interpreter, ["es"])).status_code == 403
    assert (await put(client, admin, patient, ["es"])).status_code == 422  # cannot interpret
    for bad in ([], ["not a language!"], ["es"] * 21):
        assert (await put(client, admin, interpreter, bad)).status_code == 422, bad
    assert (await put(client, admin, interpreter, ["es", "ar"])).status_code == 200
    # Once in, they set their own availability.
    own = await put(client, interpreter, interpreter, ["es", "ar"], available=False)
    assert own.status_code == 200 and own.json()["available"] is False
    seen = await client.get(
        "/api/care/interpreters", params={"language": "ar-EG"}, headers=clinician.headers
    )
    assert [m["account_id"] for m in seen.json()] == [str(interpreter.id)]
    assert (await client.get("/api/care/interpreters", headers=patient.headers)).status_code == 403
    # A patient's own offer; with nobody free and no language, nothing is needed.
    assert (await offer(client, patient, clinician))["needed"] is False
    gone = await client.delete(f"/api/care/interpreters/{interpreter.id}", headers=admin.headers)
    assert gone.status_code == 204
    assert (await client.get("/api/care/interpreters", headers=admin.headers)).json() == []
    # Booking with an interpreter when the patient has no language: 409, nothing booked.
    refused = await book(client, patient, clinician, NINE, interpreter=True)
    assert refused.status_code == 409 and refused.json()["code"] == "no_interpreter"
    # Someone the patient did not delegate to gets no offer about them.
    caregiver = await person("caregiver")
    answer = await client.get(
        "/api/care/interpreter-offer",
        params={"clinician_id": str(clinician.id), "patient_id": str(patient.patient_id)},
        headers=caregiver.headers,
    )
    assert answer.status_code == 404
