"""Availability and booking over HTTP: slots in the viewer's zone, booking rules, cancel and
reschedule with notice, caregivers booking under a delegation, the care relationship."""

from __future__ import annotations

from sqlalchemy import select

from careverse.care.models import Appointment, AppointmentBlock
from careverse.identity.models import CareRelationship
from tests.integration.care.support import book
from tests.integration.privacy.support import delegate


async def test_clinicians_and_slots_show_in_the_viewers_time_zone(
    client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("Europe/London")
    patient = await person("patient")
    zone = await client.put(
        "/api/care/preferences", json={"time_zone": "America/New_York"}, headers=patient.headers
    )
    assert zone.status_code == 200
    bad = await client.put(
        "/api/care/preferences", json={"time_zone": "Mars/Olympus"}, headers=patient.headers
    )
    assert bad.status_code == 422

    listed = await client.get("/api/care/clinicians", headers=patient.headers)
    assert listed.status_code == 200
    card = next(c for c in listed.json() if c["id"] == str(clinician.id))
    assert card["languages"] == ["en", "fr"] and card["specialties"] == ["General practice"]
    # Monday 09:00 in London (GMT) is 05:00 in New York (already on EDT).
    assert card["next_free_slot"]["start"] == "2026-03-23T09:00:00Z"
    assert card["next_free_slot"]["start_local"] == "2026-03-23T05:00:00-04:00"

    slots = await client.get(
        f"/api/care/clinicians/{clinician.id}/slots",
        params={
            "start": "2026-03-23T00:00:00Z",
            "end": "2026-03-24T00:00:00Z",
            "visit_type": "new",
        },
        headers=patient.headers,
    )
    assert slots.status_code == 200, slots.text
    body = slots.json()
    assert body["time_zone"] == "America/New_York"
    assert len(body["slots"]) == 31
    assert body["slots"][-1]["end"] == "2026-03-23T17:00:00Z"
    # An explicit zone wins over the preference; and the range is bounded.
    tokyo = await client.get(
        f"/api/care/clinicians/{clinician.id}/slots",
        params={"start": "2026-03-23T00:00:00Z", "end": "2026-03-24T00:00:00Z", "tz": "Asia/Tokyo"},
        headers=patient.headers,
    )
    assert tokyo.json()["slots"][0]["start_local"] == "2026-03-23T18:00:00+09:00"
    too_long = await client.get(
        f"/api/care/clinicians/{clinician.id}/slots",
        params={"start": "2026-03-23T00:00:00Z", "end": "2026-05-23T00:00:00Z"},
        headers=patient.headers,
    )
    assert too_long.status_code == 422


async def test_overrides_add_and_remove_hours(client, person, clinician_with_hours, monday):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    off = await client.post(
        "/api/care/availability/overrides",
        json={"day": "2026-03-23", "kind": "off"},
        headers=clinician.headers,
    )
    assert off.status_code == 201
    extra = await client.post(
        "/api/care/availability/overrides",
        json={"day": "2026-03-28", "kind": "extra", "start": "10:00", "end": "11:00"},
        headers=clinician.headers,
    )
    assert extra.status_code == 201
    slots = await client.get(
        f"/api/care/clinicians/{clinician.id}/slots",
        params={"start": "2026-03-23T00:00:00Z", "end": "2026-03-29T00:00:00Z"},
        headers=patient.headers,
    )
    days = {s["start"][:10] for s in slots.json()["slots"]}
    assert "2026-03-23" not in days and "2026-03-28" in days
    mine = await client.get("/api/care/availability", headers=clinician.headers)
    assert len(mine.json()["overrides"]) == 2 and len(mine.json()["weekly"]) == 5
    assert (await client.get("/api/care/availability", headers=patient.headers)).status_code == 403
    gone = await client.delete(
        f"/api/care/availability/overrides/{off.json()['id']}", headers=clinician.headers
    )
    assert gone.status_code == 204


async def test_booking_rules_and_no_overlap_between_visit_lengths(
    app, client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    amara, jonas = await person("patient"), await person("patient")

    first = await book(
        client, amara, clinician, "2026-03-23T10:00:00Z", visit_type="new", reason="Chest pain"
    )
    assert first.status_code == 201, first.text
    appt = first.json()
    assert appt["status"] == "booked" and appt["reason"] == "Chest pain"
    assert appt["end"]["utc"] == "2026-03-23T10:30:00Z"

    # The same time, and shorter visits that overlap the first or its 5-minute buffer: 409.
    for start in ("2026-03-23T10:00:00Z", "2026-03-23T10:15:00Z", "2026-03-23T10:30:00Z"):
        clash = await book(client, jonas, clinician, start, visit_type="follow-up")
        assert clash.status_code == 409, start
        assert clash.json()["code"] == "slot_taken"
    # A group session (60 min) from 09:15 would run into it too.
    longer = await book(client, jonas, clinician, "2026-03-23T09:15:00Z", visit_type="group")
    assert longer.status_code == 409
    after = await book(client, jonas, clinician, "2026-03-23T10:45:00Z", visit_type="follow-up")
    assert after.status_code == 201

    # Not offered: outside hours, off the grid, in the past, too far ahead, unknown clinician.
    for start, status in (
        ("2026-03-23T18:00:00Z", 422),
        ("2026-03-23T11:05:00Z", 422),
        ("2026-03-20T10:00:00Z", 422),
        ("2027-03-22T10:00:00Z", 422),
    ):
        assert (await book(client, jonas, clinician, start)).status_code == status, start
    stranger = await person("patient")
    assert (await book(client, jonas, stranger, "2026-03-23T12:00:00Z")).status_code == 404
    naive = await client.post(
        "/api/care/appointments",
        json={"clinician_id": str(clinician.id), "start": "2026-03-23T12:00:00"},
        headers=jonas.headers,
    )
    assert naive.status_code == 422
    assert (await book(client, clinician, clinician, "2026-03-23T12:00:00Z")).status_code == 403

    # Free slots no longer offer the booked times.
    slots = await client.get(
        f"/api/care/clinicians/{clinician.id}/slots",
        params={"start": "2026-03-23T09:00:00Z", "end": "2026-03-23T12:00:00Z"},
        headers=jonas.headers,
    )
    starts = [s["start"][11:16] for s in slots.json()["slots"]]
    # On the 15-minute grid: 09:45 would run into 10:00's buffer; 10:00-10:35 and 10:45-11:05
    # (visit and 5-minute buffer) are held, so 11:00 is gone too and 11:15 is the next.
    assert starts == ["09:00", "09:15", "09:30", "11:15", "11:30", "11:45"]

    # Each appointment holds its blocks; the database has exactly these two appointments.
    async with app.state.runtime.db.session() as session:
        rows = (await session.scalars(select(Appointment))).all()
        blocks = (await session.scalars(select(AppointmentBlock))).all()
    assert len(rows) == 2 and len(blocks) == 7 + 4

    # The booking opened a care relationship: the clinician now reaches the patient's record.
    record = await client.get(f"/api/patients/{amara.patient_id}", headers=clinician.headers)
    assert record.status_code == 200
    async with app.state.runtime.db.session() as session:
        kinds = (await session.scalars(select(CareRelationship.kind))).all()
    assert kinds == ["appointment", "appointment"]


async def test_the_reason_is_encrypted_at_rest(app, client, person, clinician_with_hours, monday):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    made = await book(client, patient, clinician, "2026-03-23T10:00:00Z", reason="Lump in breast")
    assert made.status_code == 201
    async with app.state.runtime.db.engine.connect() as conn:
        from sqlalchemy import text

        raw = (await conn.execute(text("SELECT reason FROM appointments"))).scalar_one()
    assert raw.startswith("cv1:") and "Lump" not in raw


async def test_cancel_and_reschedule_with_notice_rules(
    client, person, clinician_with_hours, monday
):
    clinician = await clinician_with_hours("UTC")
    patient, other = await person("patient"), await person("patient")
    soon = (await book(client, patient, clinician, "2026-03-23T09:00:00Z")).json()  # in 2 h
    later = (await book(client, patient, clinician, "2026-03-24T09:00:00Z")).json()
    taken = await book(client, other, clinician, "2026-03-24T11:00:00Z")
    assert taken.status_code == 201
    monday.advance(minutes=10)  # 07:10: the 09:00 visit is 110 minutes away

    late = await client.post(
        f"/api/care/appointments/{soon['id']}/cancel", json={}, headers=patient.headers
    )
    assert late.status_code == 422 and late.json()["code"] == "note_required"
    noted = await client.post(
        f"/api/care/appointments/{soon['id']}/cancel",
        json={"note": "My train is cancelled"},
        headers=patient.headers,
    )
    assert noted.status_code == 200 and noted.json()["status"] == "cancelled"
    again = await client.post(
        f"/api/care/appointments/{soon['id']}/cancel", json={"note": "x"}, headers=patient.headers
    )
    assert again.status_code == 409
    # The cancelled time is free again for someone else.
    assert (await book(client, other, clinician, "2026-03-23T09:00:00Z")).status_code == 201

    # Rescheduling onto a taken time fails and keeps the old time; onto a free one moves it.
    clash = await client.post(
        f"/api/care/appointments/{later['id']}/reschedule",
        json={"start": "2026-03-24T11:00:00Z"},
        headers=patient.headers,
    )
    assert clash.status_code == 409
    kept = await client.get(f"/api/care/appointments/{later['id']}", headers=patient.headers)
    assert kept.json()["start"]["utc"] == "2026-03-24T09:00:00Z"
    moved = await client.post(
        f"/api/care/appointments/{later['id']}/reschedule",
        json={"start": "2026-03-24T10:00:00Z", "visit_type": "new"},
        headers=patient.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"]["utc"] == "2026-03-24T10:00:00Z"
    assert moved.json()["visit_type"] == "new"
    # The old time is free again.
    assert (await book(client, other, clinician, "2026-03-24T09:00:00Z")).status_code == 201
    # Another patient cannot touch it (404), and the clinician may cancel without a note.
    assert (
        await client.post(
            f"/api/care/appointments/{later['id']}/cancel", json={}, headers=other.headers
        )
    ).status_code == 404
    by_clinician = await client.post(
        f"/api/care/appointments/{later['id']}/cancel", json={}, headers=clinician.headers
    )
    assert by_clinician.status_code == 200


async def test_a_caregiver_books_under_a_delegation(client, person, clinician_with_hours, monday):
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient")
    writer, reader, stranger = (
        await person("caregiver"),
        await person("caregiver"),
        await person("caregiver"),
    )
    await delegate(client, patient, writer, ["appointments:write"])
    await delegate(client, patient, reader, ["appointments:read"])
    start = "2026-03-23T10:00:00Z"
    pid = str(patient.patient_id)
    assert (await book(client, stranger, clinician, start, patient_id=pid)).status_code == 404
    assert (await book(client, reader, clinician, start, patient_id=pid)).status_code == 403
    assert (await book(client, writer, clinician, start)).status_code == 422  # for whom?
    made = await book(client, writer, clinician, start, patient_id=pid)
    assert made.status_code == 201, made.text
    assert made.json()["patient_id"] == pid
    # The patient and the reading caregiver see it; the patient also got a notification.
    for who in (patient, reader, writer):
        listed = await client.get("/api/care/appointments", headers=who.headers)
        assert [a["id"] for a in listed.json()] == [made.json()["id"]]
    stranger_list = await client.get("/api/care/appointments", headers=stranger.headers)
    assert stranger_list.json() == []
    schedule = await client.get("/api/care/appointments", headers=clinician.headers)
    assert [a["patient_id"] for a in schedule.json()] == [pid]
    # The patient reads "Your visit"; the caregiver who booked reads of the person, by first name.
    first = patient.name.split()[0]
    told = {}
    for who in (patient, writer):
        got = await client.get("/api/me/notifications", headers=who.headers)
        told[who.email] = [n["body"] for n in got.json()]
    assert told[patient.email][0].startswith("Your video appointment with ")
    assert told[writer.email][0].startswith(f"{first}'s video appointment with ")
    assert all("Your" not in body for body in told[writer.email])
