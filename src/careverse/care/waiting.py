"""The virtual waiting room: check-in with a device check, the patient's wait state, the
clinician's queue, admitting into a private consult room, and inviting people into it.

The consult room is a world space (template ``consult-room``, access ``invite``, unlisted): care
chooses its id and publishes :class:`~careverse.care.events.ConsultRoomOpened` (and
``ConsultRoomInvited`` for later guests) in its unit of work, and the world makes the space and its
members in the same transaction. Only its members (the clinician, the patient and the people
invited) may enter it or see it listed. Waiting happens in one shared, calm space of the clinic (a
therapy garden, asked for with ``WaitingRoomNeeded``) that any signed-in person may enter but
nobody sees listed.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.events import ConsultRoomInvited, ConsultRoomOpened, WaitingRoomNeeded
from careverse.care.models import Appointment, ClinicianProfile, Encounter, Invitee, WaitingRoom
from careverse.care.service import invitee_of, profile_of, reach
from careverse.identity import directory
from careverse.identity.directory import AccountBrief
from careverse.identity.relationships import delegation_fact
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, decide, require_role
from careverse.kernel.uow import UnitOfWork, unit_of_work

ONLINE_SECONDS = 120  # a clinician whose queue screen polled this recently is online
INVITE_ROLES = {"caregiver": Role.CAREGIVER, "clinician": Role.CLINICIAN, "interpreter": None}
MAX_INVITEES = 2  # a consult room holds four people


@dataclass(frozen=True)
class WaitState:
    appointment_id: uuid.UUID
    status: str
    start: datetime
    clinician_name: str
    clinician_status: str  # online|in_another_visit|away|offline
    late_minutes: int
    queue_position: int | None
    queue_length: int
    waiting_space_id: uuid.UUID | None
    space_id: uuid.UUID | None
    encounter_id: uuid.UUID | None


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


@dataclass(frozen=True)
class QueueEntry:
    appointment: Appointment
    patient_name: str
    patient_language: str | None
    waiting_minutes: int | None
    device_check: dict | None
    encounter_id: uuid.UUID | None


class WaitingService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def waiting_space(self, clinician_id: uuid.UUID) -> uuid.UUID:
        """The clinic's shared waiting garden, made the first time someone needs it.

        Its own unit of work: call it outside any other (a clash with another node making it
        at the same moment rolls back only this, and answers theirs).
        """
        row = await self.session.get(WaitingRoom, "default")
        if row is not None:
            return row.space_id
        space_id = uuid.uuid4()
        try:
            async with unit_of_work(self.session) as uow:
                await uow.publish(WaitingRoomNeeded(space_id=space_id, owner_id=clinician_id))
                self.session.add(WaitingRoom(key="default", space_id=space_id))
                await self.session.flush()  # a clash shows here, inside the unit of work
        except IntegrityError:  # another node made it at the same moment: use theirs
            row = await self.session.get(WaitingRoom, "default")
            return row.space_id
        return space_id

    # ---- the patient's side ----------------------------------------------------------------

    async def check_in(self, actor: Actor, appointment_id: uuid.UUID, device: dict) -> WaitState:
        """The patient (or their caregiver) checks in with the result of the device check."""
        async with unit_of_work(self.session):
            appt = await self._check_in(actor, appointment_id, device)
        return await self._state(appt)

    async def _check_in(self, actor: Actor, appointment_id: uuid.UUID, device: dict) -> Appointment:
        access = await reach(self.session, actor, appointment_id, write=True)
        appt = access.appointment
        if actor.role not in (Role.PATIENT, Role.CAREGIVER):
            raise Forbidden("The patient checks in.")
        now = clock.now()
        if appt.status not in ("booked", "checked_in"):
            raise Conflict("This appointment is not open for check-in.", code="not_open")
        opens = appt.start_at - timedelta(minutes=self.settings.care_check_in_minutes)
        if now < opens:
            raise Conflict(
                f"Check-in opens {self.settings.care_check_in_minutes} minutes before the visit.",
                code="too_early",
            )
        if now >= appt.end_at:
            raise Conflict("This appointment's time has passed.", code="too_late")
        appt.device_check = json.dumps(device, sort_keys=True)
        if appt.status == "booked":
            appt.status = "checked_in"
            appt.checked_in_at = now
        audit.record(
            self.session, "appointment.check-in", actor=actor, patient_id=appt.patient_id,
            resource_type="Appointment", resource_id=appt.id,
        )  # fmt: skip
        return appt

    async def wait_state(self, actor: Actor, appointment_id: uuid.UUID) -> WaitState:
        """What the waiting patient sees (see :class:`WaitState`)."""
        async with unit_of_work(self.session):
            access = await reach(self.session, actor, appointment_id, invitees=True)
        return await self._state(access.appointment)

    async def _state(self, appt: Appointment) -> WaitState:
        """Read after the caller's unit of work: it may make the waiting space (its own)."""
        now = clock.now()
        prof = await profile_of(self.session, appt.clinician_id)
        busy = await self.session.scalar(
            select(Appointment.id)
            .where(
                Appointment.clinician_id == appt.clinician_id,
                Appointment.status == "in_progress",
                Appointment.id != appt.id,
            )
            .limit(1)
        )
        if busy is not None:
            status = "in_another_visit"
        elif prof.status in ("away", "offline"):
            status = prof.status
        elif prof.last_seen_at and now - prof.last_seen_at <= timedelta(seconds=ONLINE_SECONDS):
            status = "online"
        else:
            status = "offline"
        late = 0
        if appt.status in ("booked", "checked_in"):
            overdue = math.ceil((now - appt.start_at).total_seconds() / 60)
            late = max(prof.running_late_minutes or 0, overdue, 0)
        queue = (
            await self.session.scalars(
                select(Appointment.id)
                .where(
                    Appointment.clinician_id == appt.clinician_id,
                    Appointment.status == "checked_in",
                )
                .order_by(Appointment.start_at, Appointment.checked_in_at)
            )
        ).all()
        position = queue.index(appt.id) + 1 if appt.id in queue else None
        waiting = None
        if appt.status == "checked_in":
            waiting = await self.waiting_space(appt.clinician_id)
        encounter = await self.session.scalar(
            select(Encounter.id).where(Encounter.appointment_id == appt.id)
        )
        names = await directory.display_names(self.session, {appt.clinician_id})
        return WaitState(
            appointment_id=appt.id, status=appt.status, start=appt.start_at,
            clinician_name=names.get(appt.clinician_id, ""), clinician_status=status,
            late_minutes=late, queue_position=position, queue_length=len(queue),
            waiting_space_id=waiting,
            space_id=appt.space_id if appt.status == "in_progress" else None,
            encounter_id=encounter,
        )  # fmt: skip

    # ---- the clinician's side ---------------------------------------------------------------

    async def queue(self, actor: Actor) -> list[QueueEntry]:
        """Today's open visits of the calling clinician, checked-in ones first in start order."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            return await self._queue(actor)

    async def _queue(self, actor: Actor) -> list[QueueEntry]:
        now = clock.now()
        prof = await self.session.get(ClinicianProfile, actor.account_id)
        if prof is None:
            prof = ClinicianProfile(clinician_id=actor.account_id)
            self.session.add(prof)
        prof.last_seen_at = now
        rows = (
            await self.session.scalars(
                select(Appointment)
                .where(
                    Appointment.clinician_id == actor.account_id,
                    Appointment.status.in_(("booked", "checked_in", "in_progress")),
                    Appointment.start_at < now + timedelta(hours=24),
                    Appointment.end_at > now - timedelta(hours=12),
                )
                .order_by(Appointment.start_at)
            )
        ).all()
        order = {"in_progress": 0, "checked_in": 1, "booked": 2}
        out = []
        for appt in sorted(rows, key=lambda a: (order[a.status], a.start_at)):
            grant, _ = await decide(
                self.session, actor, appt.patient_id, Category.APPOINTMENTS, False
            )
            if grant is None:
                continue
            audit.record(
                self.session, "appointments.read", actor=actor, patient_id=appt.patient_id,
                purpose=grant.purpose.value, resource_type="Appointment", resource_id=appt.id,
                detail={"basis": grant.basis.value, "via": "queue"},
            )  # fmt: skip
            patient = await directory.patient(self.session, appt.patient_id)
            encounter = await self.session.scalar(
                select(Encounter.id).where(Encounter.appointment_id == appt.id)
            )
            waited = None
            if appt.status == "checked_in" and appt.checked_in_at:
                waited = int((now - appt.checked_in_at).total_seconds() // 60)
            out.append(
                QueueEntry(
                    appt,
                    patient.name if patient else "",
                    patient.preferred_language if patient else None,
                    waited,
                    json.loads(appt.device_check) if appt.device_check else None,
                    encounter,
                )
            )
        return out

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
            encounter_id = await self.session.scalar(
                select(Encounter.id).where(Encounter.appointment_id == appt.id)
            )
            return appt.space_id, encounter_id

    async def _start_visit(self, actor: Actor, appt: Appointment) -> None:
        """Claim the visit (one admission wins) and open its encounter."""
        now = clock.now()
        claimed = await self.session.execute(
            update(Appointment)
            .where(Appointment.id == appt.id, Appointment.status.in_(("booked", "checked_in")))
            .values(status="in_progress", admitted_at=now)
        )
        if claimed.rowcount == 1:
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

    async def _open_room(self, uow: UnitOfWork, appt: Appointment) -> None:
        """Ask the world for the consult room (it is made in this transaction) and link it."""
        patient = await directory.patient(self.session, appt.patient_id)
        members = [patient.account_id] if patient and patient.account_id else []
        members += (
            await self.session.scalars(
                select(Invitee.account_id)
                .where(Invitee.appointment_id == appt.id)
                .order_by(Invitee.created_at)
            )
        ).all()
        space_id = uuid.uuid4()
        await uow.publish(
            ConsultRoomOpened(
                space_id=space_id, appointment_id=appt.id, owner_id=appt.clinician_id,
                member_ids=tuple(members), name="Consult room",
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
        invitee = await invitee_of(self.session, appt.id, actor.account_id)
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
        if (
            role == "caregiver"
            and await delegation_fact(self.session, guest.id, appt.patient_id) is None
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
            access = await reach(self.session, actor, appointment_id, category=Category.CONSULTS)
            appt = access.appointment
            patient_self = actor.role is Role.PATIENT and actor.patient_id == appt.patient_id
            if not (access.as_clinician or patient_self):
                raise NotFound("Not found.")
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
