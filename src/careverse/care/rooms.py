"""Consult rooms: admitting a waiting patient into a private room, who is in it, and inviting
people (a caregiver, an interpreter, a colleague) into it.

The consult room is a world space (template ``consult-room``, access ``invite``, unlisted), but
care does not make it: care chooses its id and publishes
:class:`~careverse.care.events.ConsultRoomOpened` (and ``ConsultRoomInvited`` for a guest invited
later) in its unit of work, and the world makes the space and its members in the same
transaction (world/events.py). Only its members (the clinician, the patient and the people
invited) may enter it or see it listed, and the world asks :func:`consult_rooms_barring` at
every entry and listing: a caregiver whose delegation was revoked or has expired is no longer
let in.

Removing a guest (the clinician or the patient), or the revocation of the delegation a caregiver
was invited on (care/events.py), publishes :class:`~careverse.care.events.ConsultInviteeRemoved`:
the world takes them off the room's members and every node closes their sockets in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.events import (
    ConsultInviteeRemoved,
    ConsultRoomInvited,
    ConsultRoomOpened,
    PatientCalled,
)
from careverse.care.models import Appointment, Encounter, Invitee
from careverse.care.service import invitation_holds, invitee_of, may_invite_caregiver, reach
from careverse.identity import directory
from careverse.identity.directory import AccountBrief
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, require_role
from careverse.kernel.uow import UnitOfWork, unit_of_work

INVITE_ROLES = {"caregiver": Role.CAREGIVER, "clinician": Role.CLINICIAN, "interpreter": None}
MAX_INVITEES = 2  # a consult room holds four people
ROOM_NAME = "Consult room"
ENDED_STATUSES = ("completed", "cancelled")


@dataclass(frozen=True)
class Room:
    """Which visit a consult room belongs to, as one of its participants sees it."""

    encounter_id: uuid.UUID | None
    appointment_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    preferred_language: str | None
    role_in_room: str  # clinician|patient|caregiver|interpreter|guest-clinician
    status: str


async def consult_rooms_barring(
    session: AsyncSession, actor: Actor, space_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these spaces are consult rooms the caller may not be in now.

    A consult room admits the visit's clinician, the patient, and guests whose invitation still
    holds; spaces that are no consult room are not care's to bar. The world asks at every entry
    and listing, so a caregiver whose delegation has expired is refused although nothing told
    the world (expiry publishes no event). Once the visit has ended the room is closed to all
    but its clinician (:func:`ended_consult_rooms` tells which, for a clear refusal). One query
    for the rooms, one more per guest's room.
    """
    if not space_ids:
        return set()
    rooms = await session.scalars(select(Appointment).where(Appointment.space_id.in_(space_ids)))
    barred: set[uuid.UUID] = set()
    for appt in rooms.all():
        if appt.space_id is None or actor.account_id == appt.clinician_id:
            continue
        if appt.status in ENDED_STATUSES:
            barred.add(appt.space_id)
            continue
        if actor.role is Role.PATIENT and actor.patient_id == appt.patient_id:
            continue
        if await invitee_of(session, appt, actor.account_id) is None:
            barred.add(appt.space_id)
    return barred


async def ended_consult_rooms(
    session: AsyncSession, space_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these spaces are consult rooms whose visit has ended (closed to its people)."""
    if not space_ids:
        return set()
    rows = await session.scalars(
        select(Appointment.space_id).where(
            Appointment.space_id.in_(space_ids), Appointment.status.in_(ENDED_STATUSES)
        )
    )
    return {space_id for space_id in rows.all() if space_id is not None}


class RoomService:
    """Admission into the consult room, its participants, and invitations into it."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def admit(self, actor: Actor, appointment_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
        """Open the private consult room and the encounter; answers (space id, encounter id).

        Admitting again answers the same room (and makes it if an earlier attempt died half-way).
        """
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session) as uow:
            access = await reach(self.session, actor, appointment_id, category=Category.CONSULTS)
            appt = access.appointment
            if not access.as_clinician:
                raise NotFound("Not found.")
            if appt.status in ("booked", "checked_in"):
                await self._start_visit(actor, appt)
            if appt.status != "in_progress":
                raise Conflict("This visit is not open.", code="not_open")
            if appt.space_id is None:
                await self._open_room(uow, appt)
            space_id = appt.space_id
            assert space_id is not None
            # Every admission (again included) calls the patient, wherever they wait.
            await uow.publish(
                PatientCalled(
                    space_id=space_id, appointment_id=appt.id,
                    account_ids=tuple(await self._people(appt)),
                )
            )  # fmt: skip
            encounter_id = await self.session.scalar(
                select(Encounter.id).where(Encounter.appointment_id == appt.id)
            )
        # Both exist: _open_room linked a room (ours or a concurrent admission's), and a visit
        # is "in_progress" only through _start_visit, which opens its encounter in the same
        # transaction.
        assert space_id is not None and encounter_id is not None
        return space_id, encounter_id

    async def _start_visit(self, actor: Actor, appt: Appointment) -> None:
        """Claim the visit (one admission wins) and open its encounter."""
        now = clock.now()
        claimed = await self.session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id, Appointment.status.in_(("booked", "checked_in")))
            .values(status="in_progress", admitted_at=now)
        )
        if cast(CursorResult, claimed).rowcount == 1:
            encounter = Encounter(
                id=uuid.uuid4(), appointment_id=appt.id, clinician_id=appt.clinician_id,
                patient_id=appt.patient_id, status="in-progress", started_at=now,
            )  # fmt: skip
            self.session.add(encounter)
            audit.record(
                self.session, "encounter.create", actor=actor, patient_id=appt.patient_id,
                resource_type="Encounter", resource_id=encounter.id,
            )  # fmt: skip
        await self.session.refresh(appt)

    async def _people(self, appt: Appointment) -> list[uuid.UUID]:
        """The patient's account, then the guests whose invitation holds, in invitation order."""
        patient = await directory.patient(self.session, appt.patient_id)
        members = [patient.account_id] if patient and patient.account_id else []
        invitees = await self.session.scalars(
            select(Invitee).where(Invitee.appointment_id == appt.id).order_by(Invitee.created_at)
        )
        members += [
            i.account_id
            for i in invitees.all()
            if await invitation_holds(self.session, i, appt.patient_id)
        ]
        return members

    async def _open_room(self, uow: UnitOfWork, appt: Appointment) -> None:
        """Ask the world for the consult room (it is made in this transaction) and link it."""
        members = await self._people(appt)
        space_id = uuid.uuid4()
        await uow.publish(
            ConsultRoomOpened(
                space_id=space_id, appointment_id=appt.id, owner_id=appt.clinician_id,
                member_ids=tuple(members), name=ROOM_NAME,
            )
        )  # fmt: skip
        await self.session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id, Appointment.space_id.is_(None))
            .values(space_id=space_id)
        )
        await self.session.refresh(appt)

    async def room(self, actor: Actor, space_id: uuid.UUID) -> Room:
        """The visit a consult room belongs to; 404 unless the caller is in it (the booked
        clinician, the patient themselves, or an invitee)."""
        async with unit_of_work(self.session):
            return await self._room(actor, space_id)

    async def _room(self, actor: Actor, space_id: uuid.UUID) -> Room:
        appt = await self.session.scalar(
            select(Appointment).where(Appointment.space_id == space_id)
        )
        if appt is None:
            raise NotFound("Not found.")
        invitee = await invitee_of(self.session, appt, actor.account_id)
        if actor.role is Role.CLINICIAN and appt.clinician_id == actor.account_id:
            role = "clinician"
        elif actor.role is Role.PATIENT and actor.patient_id == appt.patient_id:
            role = "patient"
        elif invitee is not None:
            role = "guest-clinician" if invitee.role == "clinician" else invitee.role
        else:
            raise NotFound("Not found.")
        # Audited like any other reach of the visit (the invitee's basis is the invitation).
        await reach(self.session, actor, appt.id, category=Category.CONSULTS, invitees=True)
        patient = await directory.patient(self.session, appt.patient_id)
        encounter = await self.session.scalar(
            select(Encounter.id).where(Encounter.appointment_id == appt.id)
        )
        return Room(
            encounter_id=encounter, appointment_id=appt.id, patient_id=appt.patient_id,
            patient_name=patient.name if patient else "",
            preferred_language=patient.preferred_language if patient else None,
            role_in_room=role, status=appt.status,
        )  # fmt: skip

    async def _unfit_guest(
        self, guest: AccountBrief | None, role: str, appt: Appointment
    ) -> str | None:
        """Why this account cannot be invited in this role, or None."""
        if guest is None or not guest.is_active or guest.id == appt.clinician_id:
            return "No such person to invite."
        wanted = INVITE_ROLES[role]
        if wanted is not None and guest.role is not wanted:
            return f"That account is not a {role}."
        if role == "interpreter" and guest.role in (Role.PATIENT, Role.RESEARCHER):
            return "That account cannot interpret."
        if role == "caregiver" and not await may_invite_caregiver(
            self.session, guest.id, appt.patient_id
        ):
            return "Only a caregiver the patient has delegated to can be invited."
        return None

    async def invite(
        self,
        actor: Actor,
        appointment_id: uuid.UUID,
        account_id: uuid.UUID | None,
        role: str,
        email: str | None = None,
    ) -> Invitee:
        """The clinician (or the patient) invites a caregiver, an interpreter or a colleague."""
        async with unit_of_work(self.session) as uow:
            appt = await self._hosted(actor, appointment_id)
            if appt.status not in ("booked", "checked_in", "in_progress"):
                raise Conflict("This visit is not open.", code="not_open")
            if role not in INVITE_ROLES:
                raise InvalidInput(
                    "Invite a caregiver, an interpreter or a clinician.", field="role"
                )
            guest = await self._guest(appt, account_id, role, email)
            found = await self._add_invitee(actor, appt, guest, role)
            if appt.space_id is not None:  # the room is open: the world lets them in now
                await uow.publish(
                    ConsultRoomInvited(
                        space_id=appt.space_id, account_id=guest.id, by_id=actor.account_id
                    )
                )
            return found

    async def uninvite(
        self, actor: Actor, appointment_id: uuid.UUID, account_id: uuid.UUID
    ) -> None:
        """The clinician (or the patient) takes a guest off the visit: their invitation ends,
        and if the room is open the world lets them out of it now (404 for no such guest)."""
        async with unit_of_work(self.session) as uow:
            appt = await self._hosted(actor, appointment_id)
            invitee = await self.session.scalar(
                select(Invitee).where(
                    Invitee.appointment_id == appt.id, Invitee.account_id == account_id
                )
            )
            if invitee is None:
                raise NotFound("Not found.")
            await self.session.delete(invitee)
            audit.record(
                self.session, "appointment.uninvite", actor=actor, patient_id=appt.patient_id,
                resource_type="Appointment", resource_id=appt.id,
                detail={"invitee": str(account_id), "role": invitee.role},
            )  # fmt: skip
            if appt.space_id is not None:
                await uow.publish(
                    ConsultInviteeRemoved(
                        space_id=appt.space_id, appointment_id=appt.id, account_id=account_id
                    )
                )

    async def _hosted(self, actor: Actor, appointment_id: uuid.UUID) -> Appointment:
        """The appointment, when the caller hosts its consult: its clinician or the patient."""
        access = await reach(self.session, actor, appointment_id, category=Category.CONSULTS)
        appt = access.appointment
        patient_self = actor.role is Role.PATIENT and actor.patient_id == appt.patient_id
        if not (access.as_clinician or patient_self):
            raise NotFound("Not found.")
        return appt

    async def _guest(
        self, appt: Appointment, account_id: uuid.UUID | None, role: str, email: str | None
    ) -> AccountBrief:
        """The account to invite, or 422 saying why not."""
        by_email = account_id is None and bool(email)
        if by_email:
            guest = await directory.account_by_email(self.session, email or "")
        else:
            guest = await directory.account(self.session, account_id) if account_id else None
        problem = await self._unfit_guest(guest, role, appt)
        if problem is not None:
            # By e-mail, one answer for every refusal: the form does not tell who has an account.
            raise InvalidInput(
                "We could not invite that person: check the e-mail address and whom you invite "
                "(a caregiver needs access from the patient)."
                if by_email
                else problem,
                field="email" if by_email else "account_id",
            )
        assert guest is not None
        return guest

    async def add_invitee(
        self, actor: Actor, appt: Appointment, guest: AccountBrief, role: str
    ) -> Invitee:
        """Invite a guest chosen by care itself (an interpreter from the pool, at booking), in
        the caller's unit of work; 422 when the account cannot take that role."""
        problem = await self._unfit_guest(guest, role, appt)
        if problem is not None:
            raise InvalidInput(problem, field="account_id")
        return await self._add_invitee(actor, appt, guest, role)

    async def _add_invitee(
        self, actor: Actor, appt: Appointment, guest: AccountBrief, role: str
    ) -> Invitee:
        existing = (
            await self.session.scalars(select(Invitee).where(Invitee.appointment_id == appt.id))
        ).all()
        found = next((i for i in existing if i.account_id == guest.id), None)
        if found is None and len(existing) >= MAX_INVITEES:
            raise Conflict("The consult room is full.", code="room_full")
        if found is None:
            found = Invitee(
                appointment_id=appt.id, account_id=guest.id, role=role,
                invited_by=actor.account_id,
            )  # fmt: skip
            self.session.add(found)
        found.role = role
        audit.record(
            self.session, "appointment.invite", actor=actor, patient_id=appt.patient_id,
            resource_type="Appointment", resource_id=appt.id,
            detail={"invitee": str(guest.id), "role": role},
        )  # fmt: skip
        return found
