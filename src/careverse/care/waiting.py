"""The virtual waiting room: check-in with a device check, the patient's wait state and the
clinician's queue (admitting into the consult room is in rooms.py).

Waiting happens in one shared, calm space of the clinic (a therapy garden) that nobody sees
listed. Care asks the world for it once, with :class:`~careverse.care.events.WaitingRoomNeeded`,
and keeps its id in ``care_waiting_rooms``. Only people waiting there may enter it — a patient
with a checked-in visit, a guest invited into one — and the clinic's clinicians; the world asks
:func:`waiting_garden_entry` at every entry, and shows waiting people by first name only.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.events import WaitingRoomNeeded
from careverse.care.models import (
    Appointment,
    ClinicianProfile,
    Encounter,
    Invitee,
    WaitingRoom,
)
from careverse.care.service import invitation_holds, profile_of, reach
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden
from careverse.kernel.policy import Actor, Category, Role, decide, require_role
from careverse.kernel.uow import unit_of_work

ONLINE_SECONDS = 120  # a clinician whose queue screen polled this recently is online


async def waiting_garden_entry(
    session: AsyncSession, actor: Actor, space_id: uuid.UUID
) -> str | None:
    """Who the caller is in the clinic's waiting garden: ``None`` when the space is not the
    garden (not care's to decide), ``"clinician"`` for the clinic's clinicians, ``"waiting"``
    for a patient with a checked-in visit or a guest invited into one (the world shows them by
    first name only), ``"barred"`` for anyone else (the world answers 404)."""
    garden = await session.scalar(
        select(WaitingRoom.space_id).where(WaitingRoom.space_id == space_id)
    )
    if garden is None:
        return None
    if actor.role is Role.CLINICIAN:
        return "clinician"
    if actor.role is Role.PATIENT and actor.patient_id is not None:
        mine = await session.scalar(
            select(Appointment.id)
            .where(Appointment.patient_id == actor.patient_id, Appointment.status == "checked_in")
            .limit(1)
        )
        if mine is not None:
            return "waiting"
    invited = await session.execute(
        select(Invitee, Appointment.patient_id)
        .join(Appointment, Appointment.id == Invitee.appointment_id)
        .where(Invitee.account_id == actor.account_id, Appointment.status == "checked_in")
    )
    for invitee, patient_id in invited.all():
        if await invitation_holds(session, invitee, patient_id):
            return "waiting"
    return "barred"


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
            # The clash was on this very key, so the other node's row is committed and there.
            assert row is not None
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
