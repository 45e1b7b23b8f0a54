"""Care's part of an erasure: its handler of ``AccountErasureDue`` deletes the person's care rows
itself (no reliance on foreign-key cascades), in the publisher's transaction."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from careverse.care.events import erase_person
from careverse.care.models import (
    Addendum,
    Appointment,
    AppointmentBlock,
    AvailabilityOverride,
    CarePreferences,
    ClinicianProfile,
    ConsultMessage,
    DecisionChoice,
    DecisionOption,
    Encounter,
    EncounterProblem,
    Invitee,
    WeeklyHours,
)
from careverse.kernel.events import Phase
from careverse.kernel.uow import unit_of_work
from careverse.messaging.models import Notification  # the inbox moved to messaging
from careverse.privacy.events import AccountErasureDue
from careverse.privacy.service import PrivacyService
from tests.integration.care.support import BEFORE_NINE, admitted, book
from tests.integration.privacy.support import delegate

NINE = "2026-03-23T09:00:00Z"
TEN = "2026-03-23T10:00:00Z"
ELEVEN = "2026-03-23T11:00:00Z"


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def visit_with_everything(client, patient, clinician, caregiver) -> dict:
    """An admitted visit with a signed note, a problem, an addendum, chat, options and a choice,
    a caregiver invited in, and the patient's time-zone preference."""
    await delegate(client, patient, caregiver, ["appointments:read"])
    appt, room = await admitted(client, patient, clinician, NINE)
    encounter = f"/api/care/encounters/{room['encounter_id']}"

    async def ok(method: str, url: str, who, body: dict | None = None) -> dict | None:
        answer = await client.request(method, url, json=body, headers=who.headers)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    await ok(
        "POST", f"/api/care/appointments/{appt['id']}/invite", clinician,
        {"role": "caregiver", "account_id": str(caregiver.id)},
    )  # fmt: skip
    await ok("PUT", f"{encounter}/note", clinician, {"assessment": "Better."})
    await ok("POST", f"{encounter}/problems", clinician, {"text": "Cough"})
    option = await ok(
        "POST", f"{encounter}/options", clinician,
        {"name": "Rest", "benefits": "Simple", "risks": "Slow"},
    )  # fmt: skip
    await ok("PUT", f"{encounter}/decision", patient, {"option_id": option["id"]})
    await ok("POST", f"{encounter}/chat", patient, {"body": "Hello"})
    await ok("POST", f"{encounter}/sign", clinician)
    await ok("POST", f"{encounter}/addenda", clinician, {"text": "Later"})
    await ok("PUT", "/api/care/preferences", patient, {"time_zone": "Europe/Lisbon"})
    return appt


async def counts(app, column_of: dict) -> dict[str, int]:
    """How many rows each model has where its column equals the value given."""
    out = {}
    async with app.state.runtime.db.session() as session:
        for model, (column, value) in column_of.items():
            query = select(func.count()).select_from(model)
            if isinstance(value, list):
                query = query.where(column.in_(value))
            else:
                query = query.where(column == value)
            out[model.__name__] = await session.scalar(query)
    return out


async def erase(app, event: AccountErasureDue) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(event)


async def test_the_handler_is_subscribed_in_the_transaction(app):
    catalogue = app.state.runtime.events.catalogue()
    assert "transaction: careverse.care.events.erase_person" in catalogue["AccountErasureDue"]


async def test_a_patients_care_rows_go_and_other_patients_stay(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, other, caregiver = await person(), await person(), await person("caregiver")
    appt = await visit_with_everything(client, patient, clinician, caregiver)
    kept = await book(client, other, clinician, TEN)
    assert kept.status_code == 201, kept.text
    async with app.state.runtime.db.session() as session:
        encounter_id = await session.scalar(
            select(Encounter.id).where(Encounter.appointment_id == uuid.UUID(appt["id"]))
        )
    appointment_ids = [uuid.UUID(appt["id"])]
    of_patient = {
        Appointment: (Appointment.patient_id, patient.patient_id),
        AppointmentBlock: (AppointmentBlock.appointment_id, appointment_ids),
        Invitee: (Invitee.appointment_id, appointment_ids),
        Encounter: (Encounter.patient_id, patient.patient_id),
        EncounterProblem: (EncounterProblem.encounter_id, encounter_id),
        Addendum: (Addendum.encounter_id, encounter_id),
        ConsultMessage: (ConsultMessage.encounter_id, encounter_id),
        DecisionOption: (DecisionOption.encounter_id, encounter_id),
        DecisionChoice: (DecisionChoice.encounter_id, encounter_id),
        Notification: (Notification.account_id, patient.id),
        CarePreferences: (CarePreferences.account_id, patient.id),
    }
    before = await counts(app, of_patient)
    assert all(before.values()), before  # there is something of each kind to erase

    await erase(app, AccountErasureDue(account_id=patient.id, patient_id=patient.patient_id))

    after = await counts(app, of_patient)
    assert not any(after.values()), after
    # The clinician's notices of this patient's visit went with the visit, not the others.
    clinician_notes = await counts(
        app, {Notification: (Notification.patient_id, patient.patient_id)}
    )
    assert clinician_notes == {"Notification": 0}
    others = await counts(
        app,
        {
            Appointment: (Appointment.patient_id, other.patient_id),
            AppointmentBlock: (AppointmentBlock.appointment_id, [uuid.UUID(kept.json()["id"])]),
            Notification: (Notification.account_id, other.id),
            ClinicianProfile: (ClinicianProfile.clinician_id, clinician.id),
        },
    )
    assert all(others.values()), others


async def test_a_clinicians_profile_and_hours_go_and_their_patients_visits_stay(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person()
    made = await client.post(
        "/api/care/availability/overrides",
        json={"day": "2026-03-24", "kind": "off"},
        headers=clinician.headers,
    )
    assert made.status_code == 201, made.text
    booked = await book(client, patient, clinician, TEN)
    assert booked.status_code == 201, booked.text
    own = {
        ClinicianProfile: (ClinicianProfile.clinician_id, clinician.id),
        WeeklyHours: (WeeklyHours.clinician_id, clinician.id),
        AvailabilityOverride: (AvailabilityOverride.clinician_id, clinician.id),
        Notification: (Notification.account_id, clinician.id),
    }
    assert all((await counts(app, own)).values())

    await erase(app, AccountErasureDue(account_id=clinician.id, patient_id=None))

    assert not any((await counts(app, own)).values())
    theirs = {
        Appointment: (Appointment.patient_id, patient.patient_id),
        Notification: (Notification.account_id, patient.id),
    }
    assert all((await counts(app, theirs)).values())


async def test_a_failure_later_in_the_erasure_keeps_every_care_row(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person()
    assert (await book(client, patient, clinician, ELEVEN)).status_code == 201

    async def fails(event, session) -> None:
        raise RuntimeError("a later handler fails")

    events = app.state.runtime.events
    events.subscribe(AccountErasureDue, fails, phase=Phase.TRANSACTION)
    try:
        with pytest.raises(RuntimeError):
            await erase(
                app, AccountErasureDue(account_id=patient.id, patient_id=patient.patient_id)
            )
    finally:
        events.unsubscribe(AccountErasureDue, fails)
    left = await counts(app, {Appointment: (Appointment.patient_id, patient.patient_id)})
    assert left == {"Appointment": 1}


async def test_erasing_someone_without_care_rows_is_a_no_op(app, person):
    someone = await person("researcher")
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        await erase_person(AccountErasureDue(account_id=someone.id, patient_id=None), session)


async def test_an_erasure_carried_out_by_privacy_takes_the_visits_with_it(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person()
    appt, _ = await admitted(client, patient, clinician, NINE)
    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    before_nine.advance(days=app.state.runtime.settings.erasure_grace_days + 1)
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
    left = await counts(
        app,
        {
            Appointment: (Appointment.id, uuid.UUID(appt["id"])),
            Encounter: (Encounter.appointment_id, uuid.UUID(appt["id"])),
            Notification: (Notification.account_id, patient.id),
        },
    )
    assert not any(left.values()), left
