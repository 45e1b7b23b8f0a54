"""Care's domain events, and the handlers care subscribes to other capabilities' events.

Care publishes (all in the TRANSACTION phase: the world's rows change with care's, or neither):

- :class:`ConsultRoomOpened` — a visit was admitted: the world makes the invite-only consult room
  with the id care chose, its owner (the clinician) and members (the patient, the invitees).
- :class:`ConsultRoomInvited` — someone was invited into a consult room that already exists.
- :class:`ConsultInviteeRemoved` — an invitation into an open consult room ended (the patient or
  the clinician removed the guest, or the delegation a caregiver's invitation rested on was
  revoked): the world takes them off the room's members in the transaction, and every node
  closes their sockets in the room (EVERYWHERE).
- :class:`WaitingRoomNeeded` — the clinic's shared waiting space is needed for the first time.
- :class:`PatientCalled` — the clinician admitted a waiting patient: every node tells the
  patient's (and their guests') open sockets, wherever they wait (EVERYWHERE).
- :class:`ConsultRoomClosed` — the visit ended: every node tells everyone in the room and ends
  their sockets there (EVERYWHERE); care refuses re-entry from then on (``rooms.py``).

Care subscribes :func:`erase_person` to privacy's ``AccountErasureDue``: it deletes care's own rows
of the person explicitly, so nothing relies on foreign-key cascades across capabilities; and
:func:`end_caregiver_invitations` to identity's ``DelegationRevoked`` (TRANSACTION phase).
"""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.models import (
    Addendum,
    Allergy,
    Appointment,
    AppointmentBlock,
    AvailabilityOverride,
    CarePlan,
    CarePlanGoal,
    CarePreferences,
    ClinicianProfile,
    Condition,
    ConsultMessage,
    DecisionChoice,
    DecisionOption,
    Encounter,
    EncounterProblem,
    Invitee,
    MedicationStatement,
    WeeklyHours,
)
from careverse.care.service import may_invite_caregiver
from careverse.identity.events import DelegationRevoked
from careverse.kernel import audit
from careverse.kernel.events import DomainEvent
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue


class ConsultRoomOpened(DomainEvent, frozen=True):
    """A visit was admitted: its private consult room (a world space) is to exist now."""

    space_id: uuid.UUID
    appointment_id: uuid.UUID
    owner_id: uuid.UUID  # the booked clinician
    member_ids: tuple[uuid.UUID, ...]  # the patient's account and the invitees
    name: str  # the room's label ("Consult room"), never a person's name


class ConsultRoomInvited(DomainEvent, frozen=True):
    """Someone was invited into a consult room that is already open."""

    space_id: uuid.UUID
    account_id: uuid.UUID
    by_id: uuid.UUID


class ConsultInviteeRemoved(DomainEvent, frozen=True):
    """Someone is no longer invited into an open consult room: they leave it now."""

    space_id: uuid.UUID
    appointment_id: uuid.UUID
    account_id: uuid.UUID


class WaitingRoomNeeded(DomainEvent, frozen=True):
    """The clinic's shared waiting space is needed and does not exist yet.

    ``owner_id`` (the clinician whose patient needed it first, as before) is beyond the fields
    agreed for issue 10: the world's spaces have a required owner.
    """

    space_id: uuid.UUID
    owner_id: uuid.UUID


class PatientCalled(DomainEvent, frozen=True):
    """The clinician admitted a waiting visit: its people are called into the consult room."""

    space_id: uuid.UUID
    appointment_id: uuid.UUID
    account_ids: tuple[uuid.UUID, ...]  # the patient's account and the guests invited


class ConsultRoomClosed(DomainEvent, frozen=True):
    """The visit of a consult room ended: whoever is in it is told, and their call ends."""

    space_id: uuid.UUID
    appointment_id: uuid.UUID


async def end_caregiver_invitations(event: DelegationRevoked, session: AsyncSession) -> None:
    """A delegation was revoked: the caregiver's invitations into that patient's consults end
    with it, unless another live delegation still lets them in (TRANSACTION phase).

    Access ends with the revocation anyway (invitations are checked against the delegation on
    every request); this removes the invitations themselves, and asks the world to take the
    caregiver out of the rooms that are open, closing their sockets there.
    """
    if await may_invite_caregiver(session, event.caregiver_id, event.patient_id):
        return
    rows = (
        await session.execute(
            select(Invitee, Appointment.space_id)
            .join(Appointment, Appointment.id == Invitee.appointment_id)
            .where(
                Invitee.account_id == event.caregiver_id,
                Invitee.role == "caregiver",
                Appointment.patient_id == event.patient_id,
            )
        )
    ).all()
    by_role = "caregiver" if event.by_id == event.caregiver_id else "patient"
    for invitee, space_id in rows:
        await end_invitation(
            session, invitee, space_id, event.patient_id, reason="delegation-revoked",
            actor_id=event.by_id, actor_role=by_role,
        )  # fmt: skip


async def end_invitation(
    session: AsyncSession,
    invitee: Invitee,
    space_id: uuid.UUID | None,
    patient_id: uuid.UUID,
    *,
    reason: str,
    actor_id: uuid.UUID | None = None,
    actor_role: str | None = None,
) -> bool:
    """Delete one invitation in the caller's unit of work, audit it, and if its room is open
    publish :class:`ConsultInviteeRemoved`. Answers False when another transaction (another
    node's sweep) ended it first, and then does nothing."""
    gone = await session.execute(
        delete(Invitee).where(Invitee.id == invitee.id).execution_options(synchronize_session=False)
    )
    if cast(CursorResult, gone).rowcount != 1:
        return False
    audit.record(
        session, "appointment.uninvite", actor_id=actor_id, actor_role=actor_role,
        patient_id=patient_id, resource_type="Appointment", resource_id=invitee.appointment_id,
        detail={"invitee": str(invitee.account_id), "reason": reason},
    )  # fmt: skip
    if space_id is not None:
        await unit_of_work(session).publish(
            ConsultInviteeRemoved(
                space_id=space_id, appointment_id=invitee.appointment_id,
                account_id=invitee.account_id,
            )
        )  # fmt: skip
    return True


async def erase_person(event: AccountErasureDue, session: AsyncSession) -> None:
    """Delete care's rows of an erased person (TRANSACTION phase, before identity's tombstone).

    The patient's appointments go with everything hanging off them (blocks, invitees,
    encounters with notes, problems, addenda, chat and decisions); the account's own
    preferences, invitations and, for a clinician, booking profile and hours.
    Other patients' visits with an erased clinician stay: they are those patients' records.
    """
    if event.patient_id is not None:
        await _erase_health_record(session, event.patient_id)
        await _erase_visits(session, event.patient_id)
    account_id = event.account_id
    for model, column in (
        (CarePreferences, CarePreferences.account_id),
        (Invitee, Invitee.account_id),
        (WeeklyHours, WeeklyHours.clinician_id),
        (AvailabilityOverride, AvailabilityOverride.clinician_id),
        (ClinicianProfile, ClinicianProfile.clinician_id),
    ):
        await session.execute(
            delete(model).where(column == account_id).execution_options(synchronize_session=False)
        )


async def _erase_visits(session: AsyncSession, patient_id: uuid.UUID) -> None:
    appointments = select(Appointment.id).where(Appointment.patient_id == patient_id)
    encounters = select(Encounter.id).where(
        or_(Encounter.patient_id == patient_id, Encounter.appointment_id.in_(appointments))
    )
    # Children first, in an order no remaining foreign key points back at.
    statements = [
        delete(DecisionChoice).where(DecisionChoice.encounter_id.in_(encounters)),
        delete(DecisionOption).where(DecisionOption.encounter_id.in_(encounters)),
        delete(ConsultMessage).where(ConsultMessage.encounter_id.in_(encounters)),
        delete(Addendum).where(Addendum.encounter_id.in_(encounters)),
        delete(EncounterProblem).where(EncounterProblem.encounter_id.in_(encounters)),
        delete(Encounter).where(Encounter.id.in_(encounters)),
        delete(Invitee).where(Invitee.appointment_id.in_(appointments)),
        delete(AppointmentBlock).where(AppointmentBlock.appointment_id.in_(appointments)),
        delete(Appointment).where(Appointment.patient_id == patient_id),
    ]
    for statement in statements:
        await session.execute(statement.execution_options(synchronize_session=False))


async def _erase_health_record(session: AsyncSession, patient_id: uuid.UUID) -> None:
    """The patient's health record: goals, care plans, conditions, medicines, allergies."""
    for model in (CarePlanGoal, CarePlan, Condition, MedicationStatement, Allergy):
        await session.execute(
            delete(model)
            .where(model.patient_id == patient_id)
            .execution_options(synchronize_session=False)
        )
