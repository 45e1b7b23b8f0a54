"""Booking: book, list, cancel and reschedule appointments; the patient's calendar file.

No double booking, by construction: an appointment and the 5-minute blocks of its time (buffer
included) are inserted in one transaction, and ``appointment_blocks`` has the primary key
(clinician, block start). Of two bookings that overlap by even one block, the database lets one
commit; the other gets an IntegrityError, answered as 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import ics, slots
from careverse.care.interpreters import invite_interpreter
from careverse.care.models import Appointment, AppointmentBlock, Invitee
from careverse.care.notifications import Outbox, announce
from careverse.care.service import (
    PATIENT_SIDE,
    clinician_account,
    compute_slots,
    profile_of,
    reach,
)
from careverse.identity import directory
from careverse.identity.relationships import RelationshipService, patients_of
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.mail import Mailer
from careverse.kernel.policy import (
    Actor,
    Category,
    Role,
    authorize,
    decide,
    require_full_scope,
)
from careverse.kernel.uow import unit_of_work

OPEN = ("booked", "checked_in")
LIVE = ("booked", "checked_in", "in_progress")


@dataclass(frozen=True)
class AppointmentView:
    appointment: Appointment
    clinician_name: str
    patient_name: str
    patient_language: str | None
    show_reason: bool
    tz: ZoneInfo
    invitees: list[tuple[uuid.UUID, str, str]]  # (account, name, role)


def _taken() -> Conflict:
    return Conflict("That time was just taken; please choose another.", code="slot_taken")


class BookingService:
    def __init__(self, session: AsyncSession, settings: Settings, mailer: Mailer | None = None):
        self.session = session
        self.settings = settings
        self.outbox = Outbox(mailer)

    # ---- views -----------------------------------------------------------------------------

    async def view(
        self, appt: Appointment, tz: ZoneInfo, *, show_reason: bool = True
    ) -> AppointmentView:
        """An appointment with the names shown beside it (the caller has reached it already)."""
        names = await directory.display_names(self.session, {appt.clinician_id})
        patient = await directory.patient(self.session, appt.patient_id)
        invitees = (
            await self.session.scalars(
                select(Invitee)
                .where(Invitee.appointment_id == appt.id)
                .order_by(Invitee.created_at)
            )
        ).all()
        invitee_names = await directory.display_names(
            self.session, {i.account_id for i in invitees}
        )
        return AppointmentView(
            appt, names.get(appt.clinician_id, ""), patient.name if patient else "",
            patient.preferred_language if patient else None, show_reason, tz,
            [(i.account_id, invitee_names.get(i.account_id, ""), i.role) for i in invitees],
        )  # fmt: skip

    # ---- booking ---------------------------------------------------------------------------

    async def _patient_for(self, actor: Actor, patient_id: uuid.UUID | None) -> uuid.UUID:
        require_full_scope(actor)
        if actor.role is Role.PATIENT:
            if actor.patient_id is None:
                raise Conflict("Your account has no patient record.", code="no_patient_record")
            if patient_id not in (None, actor.patient_id):
                raise NotFound("Not found.")
            return actor.patient_id
        if actor.role is Role.CAREGIVER:
            if patient_id is None:
                raise InvalidInput("Say whom you book for.", field="patient_id")
            return patient_id
        raise Forbidden("Patients, and caregivers for them, book appointments.")

    async def _check_offered(
        self, clinician_id: uuid.UUID, start: datetime, visit_type: str
    ) -> slots.VisitType:
        visit = slots.VISIT_TYPES.get(visit_type)
        if visit is None:
            raise InvalidInput(
                f"Choose a visit type: {', '.join(slots.VISIT_TYPES)}.", field="visit_type"
            )
        now = clock.now()
        if start <= now:
            raise InvalidInput("Choose a time in the future.", field="start")
        if start > now + timedelta(days=self.settings.care_booking_horizon_days):
            raise InvalidInput("That is too far ahead to book.", field="start")
        offered = await compute_slots(
            self.session, self.settings, clinician_id, start - timedelta(hours=1),
            start + timedelta(minutes=visit.minutes + 1), visit_type, include_taken=True,
        )  # fmt: skip
        if not any(s.start == start for s in offered):
            raise InvalidInput("That time is not one of the clinician's slots.", field="start")
        return visit

    async def _claim(self, appt: Appointment, buffer_minutes: int, minutes: int) -> None:
        """Insert the appointment's blocks; a clash with any other appointment's block is 409."""
        self.session.add_all(
            AppointmentBlock(clinician_id=appt.clinician_id, block_start=b, appointment_id=appt.id)
            for b in slots.blocks(appt.start_at, minutes, buffer_minutes)
        )
        try:
            await self.session.flush()
        except IntegrityError:  # the unit of work rolls the whole booking back
            raise _taken() from None

    async def book(
        self,
        actor: Actor,
        clinician_id: uuid.UUID,
        start: datetime,
        visit_type: str,
        reason: str | None,
        patient_id: uuid.UUID | None = None,
        reminder_minutes: int | None = None,
        interpreter: bool = False,
    ) -> Appointment:
        """Book a free slot for oneself, or (a caregiver) for a patient who delegated it.

        A clash with another booking is 409 ``slot_taken`` and nothing is written. With
        ``interpreter`` a free interpreter of the patient's language is invited into the visit
        (interpreters.py), or 409 ``no_interpreter`` and nothing is written."""
        async with unit_of_work(self.session):
            patient_id = await self._patient_for(actor, patient_id)
            await authorize(
                self.session, actor, patient_id, Category.APPOINTMENTS, write=True,
                resource_type="Appointment",
            )  # fmt: skip
            clinician = await clinician_account(self.session, clinician_id)
            start = start.astimezone(UTC)
            visit = await self._check_offered(clinician_id, start, visit_type)
            prof = await profile_of(self.session, clinician_id)
            appt = Appointment(
                id=uuid.uuid4(), clinician_id=clinician_id, patient_id=patient_id,
                booked_by=actor.account_id, visit_type=visit.key, start_at=start,
                end_at=start + timedelta(minutes=visit.minutes), status="booked", reason=reason,
                reminder_minutes=reminder_minutes,
                sequence=0,
            )  # fmt: skip
            self.session.add(appt)
            await self._claim(appt, prof.buffer_minutes, visit.minutes)
            if interpreter:
                await invite_interpreter(self.session, actor, appt)
            audit.record(
                self.session, "appointment.create", actor=actor, patient_id=patient_id,
                resource_type="Appointment", resource_id=appt.id,
                detail={"clinician_id": str(clinician_id), "visit_type": visit.key},
            )  # fmt: skip
            await self._announce(appt, "appointment.booked", clinician.display_name, actor)
            # The care relationship the policy needs, in the booking's transaction.
            await RelationshipService(self.session).create(
                clinician_id, patient_id, "appointment", source_id=str(appt.id),
                starts_at=clock.now(),
                ends_at=appt.end_at + timedelta(days=self.settings.care_relationship_days),
                by=actor,
            )  # fmt: skip
        await self.outbox.send()
        return appt

    async def _announce(
        self, appt: Appointment, kind: str, clinician_name: str, actor: Actor | None
    ) -> None:
        await announce(
            self.session, self.outbox, self.settings.public_url, appt, kind, clinician_name, actor
        )

    async def send_reminder(self, appointment_id: uuid.UUID) -> None:
        """Remind the patient of a visit that starts soon (the caller has claimed the reminder)."""
        async with unit_of_work(self.session):
            appt = await self.session.get(Appointment, appointment_id)
            if appt is None:
                return
            names = await directory.display_names(self.session, {appt.clinician_id})
            await self._announce(
                appt, "appointment.reminder", names.get(appt.clinician_id, ""), None
            )
            appt.reminder_sent_at = clock.now()
        await self.outbox.send()

    # ---- reading ---------------------------------------------------------------------------

    async def get(self, actor: Actor, appointment_id: uuid.UUID, tz: ZoneInfo) -> AppointmentView:
        async with unit_of_work(self.session):
            access = await reach(self.session, actor, appointment_id, invitees=True)
            return await self.view(access.appointment, tz, show_reason=not access.as_invitee)

    async def list(
        self,
        actor: Actor,
        tz: ZoneInfo,
        start: datetime | None = None,
        end: datetime | None = None,
        include_past: bool = False,
    ) -> list[AppointmentView]:
        """The caller's appointments: a patient's own, a caregiver's patients', a clinician's."""
        async with unit_of_work(self.session):
            return await self._list(actor, tz, start, end, include_past)

    async def _list(
        self,
        actor: Actor,
        tz: ZoneInfo,
        start: datetime | None,
        end: datetime | None,
        include_past: bool,
    ) -> list[AppointmentView]:
        require_full_scope(actor)
        query = select(Appointment).order_by(Appointment.start_at)
        if actor.role is Role.CLINICIAN:
            query = query.where(Appointment.clinician_id == actor.account_id)
        elif actor.role in PATIENT_SIDE:
            mine = await patients_of(self.session, actor)
            if not mine:
                return []
            query = query.where(Appointment.patient_id.in_(mine))
        else:
            return []
        if start is not None:
            query = query.where(Appointment.end_at > start)
        elif not include_past:
            query = query.where(
                or_(Appointment.end_at > clock.now(), Appointment.status == "in_progress")
            )
        if end is not None:
            query = query.where(Appointment.start_at < end)
        rows = (await self.session.scalars(query.limit(500))).all()
        out, decided = [], {}
        for appt in rows:
            if appt.patient_id not in decided:
                grant, _ = await decide(
                    self.session, actor, appt.patient_id, Category.APPOINTMENTS, False
                )
                decided[appt.patient_id] = grant
                if grant is not None:
                    audit.record(
                        self.session, "appointments.read", actor=actor, patient_id=appt.patient_id,
                        purpose=grant.purpose.value, resource_type="Appointment",
                        detail={"basis": grant.basis.value, "via": "list"},
                    )  # fmt: skip
            if decided[appt.patient_id] is not None:
                out.append(await self.view(appt, tz))
        return out

    # ---- changes ---------------------------------------------------------------------------

    def _needs_note(self, actor: Actor, appt: Appointment, note: str | None) -> None:
        notice = timedelta(hours=self.settings.care_cancel_notice_hours)
        late = appt.start_at - clock.now() < notice
        if actor.role in PATIENT_SIDE and late and not note:
            raise InvalidInput(
                f"Within {self.settings.care_cancel_notice_hours:g} hours of the visit, "
                "please add a note for the clinician.",
                field="note", code="note_required",
            )  # fmt: skip

    async def _changeable(self, actor: Actor, appointment_id: uuid.UUID) -> Appointment:
        access = await reach(self.session, actor, appointment_id, write=True)
        appt = access.appointment
        if actor.role is Role.CLINICIAN and not access.as_clinician:
            raise Forbidden("Only the booked clinician changes this appointment.")
        if appt.status not in OPEN:
            raise Conflict("This appointment can no longer be changed.", code="not_changeable")
        if appt.start_at <= clock.now():
            raise Conflict("This appointment has already started.", code="not_changeable")
        return appt

    async def cancel(
        self, actor: Actor, appointment_id: uuid.UUID, note: str | None
    ) -> Appointment:
        """Cancel an open appointment; its time is free again."""
        async with unit_of_work(self.session):
            appt = await self._changeable(actor, appointment_id)
            self._needs_note(actor, appt, note)
            appt.status = "cancelled"
            appt.cancelled_at = clock.now()
            appt.cancelled_by = actor.account_id
            appt.change_note = note
            appt.sequence += 1
            await self.session.execute(
                delete(AppointmentBlock).where(AppointmentBlock.appointment_id == appt.id)
            )
            audit.record(
                self.session, "appointment.cancel", actor=actor, patient_id=appt.patient_id,
                resource_type="Appointment", resource_id=appt.id,
            )  # fmt: skip
            await self._announce(appt, "appointment.cancelled", await self._name(appt), actor)
            # The relationship this booking opened ends with it; assignments and other visits
            # keep their own rows, so the clinician still reaches a patient they otherwise see.
            await RelationshipService(self.session).end_by_source(
                "appointment", str(appt.id), by=actor
            )
        await self.outbox.send()
        return appt

    async def _name(self, appt: Appointment) -> str:
        """The booked clinician's display name."""
        names = await directory.display_names(self.session, {appt.clinician_id})
        return names.get(appt.clinician_id, "")

    async def reschedule(
        self,
        actor: Actor,
        appointment_id: uuid.UUID,
        start: datetime,
        visit_type: str | None,
        note: str | None,
    ) -> Appointment:
        """Move an appointment to another free slot; if that slot was just taken, nothing moves."""
        async with unit_of_work(self.session):
            appt = await self._move(actor, appointment_id, start, visit_type, note)
        await self.outbox.send()
        return appt

    async def _move(
        self,
        actor: Actor,
        appointment_id: uuid.UUID,
        start: datetime,
        visit_type: str | None,
        note: str | None,
    ) -> Appointment:
        appt = await self._changeable(actor, appointment_id)
        self._needs_note(actor, appt, note)
        start = start.astimezone(UTC)
        visit = await self._check_offered(appt.clinician_id, start, visit_type or appt.visit_type)
        prof = await profile_of(self.session, appt.clinician_id)
        await self.session.execute(
            delete(AppointmentBlock).where(AppointmentBlock.appointment_id == appt.id)
        )
        previous_end = appt.end_at
        appt.start_at, appt.end_at = start, start + timedelta(minutes=visit.minutes)
        appt.visit_type = visit.key
        appt.status = "booked"
        appt.checked_in_at = None
        appt.change_note = note
        appt.sequence += 1
        appt.reminder_claimed_at = appt.reminder_sent_at = None
        await self._claim(appt, prof.buffer_minutes, visit.minutes)
        audit.record(
            self.session, "appointment.reschedule", actor=actor, patient_id=appt.patient_id,
            resource_type="Appointment", resource_id=appt.id,
        )  # fmt: skip
        await self._announce(appt, "appointment.changed", await self._name(appt), actor)
        if appt.end_at > previous_end:
            await RelationshipService(self.session).create(
                appt.clinician_id, appt.patient_id, "appointment", source_id=str(appt.id),
                ends_at=appt.end_at + timedelta(days=self.settings.care_relationship_days),
                by=actor,
            )  # fmt: skip
        return appt

    async def calendar(self, actor: Actor, appointment_id: uuid.UUID) -> str:
        """The appointment as an iCalendar file (no reason in it)."""
        async with unit_of_work(self.session):
            access = await reach(self.session, actor, appointment_id, invitees=True)
            appt = access.appointment
            names = await directory.display_names(self.session, {appt.clinician_id})
        base = self.settings.public_url.rstrip("/")
        visit = slots.VISIT_TYPES[appt.visit_type]
        return ics.appointment_calendar(
            uid=f"{appt.id}@careverse", start=appt.start_at, end=appt.end_at, now=clock.now(),
            summary=f"Video appointment with {names.get(appt.clinician_id, 'your clinician')}",
            description=f"{visit.title} in Careverse. Join from {base}/care/appointments/{appt.id}",
            url=f"{base}/care/appointments/{appt.id}", sequence=appt.sequence,
            cancelled=appt.status == "cancelled",
        )  # fmt: skip
