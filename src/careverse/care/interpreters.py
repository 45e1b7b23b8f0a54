"""Interpreters and mixed-language care: the pool, the booking's interpreter offer, and the
interpreter invited into the consult room when a visit is booked with one.

- **The pool** (``care_interpreters``): an administrator adds any account that is no patient nor
  researcher (usually a clinician account used by a staff or agency interpreter) with the
  languages it interprets; the interpreter (or an administrator) sets ``available``.
- **The offer**: the patient's language is their record's ``preferred_language``, else their
  account's. When the chosen clinician speaks it (the profile's ``languages``; ``es-MX`` matches
  ``es``) no interpreter is needed; otherwise the booking screen offers one and says whether one
  is free at that time.
- **Booking with an interpreter**: in the booking's own transaction an available interpreter of
  the language, free at that time (no other live visit of theirs overlaps), is invited into the
  visit's consult room (rooms.py's invitations, role ``interpreter``): they are let into the room
  like any guest. None free: 409 ``no_interpreter`` and nothing is booked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.interpreter_models import Interpreter
from careverse.care.models import Appointment, Invitee
from careverse.care.rooms import RoomService
from careverse.care.service import profile_of
from careverse.identity import directory
from careverse.identity.directory import AccountBrief
from careverse.kernel import audit
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue

LIVE = ("booked", "checked_in", "in_progress")
UNFIT = (Role.PATIENT, Role.RESEARCHER)


def base(tag: str | None) -> str | None:
    """The language subtag, lower case (``es-MX`` → ``es``)."""
    return tag.replace("_", "-").split("-")[0].lower() if tag else None


def speaks(languages: Iterable[str], tag: str | None) -> bool:
    wanted = base(tag)
    return wanted is not None and any(base(lang) == wanted for lang in languages)


@dataclass(frozen=True)
class PoolMember:
    account_id: uuid.UUID
    name: str
    languages: list[str]
    available: bool


@dataclass(frozen=True)
class Offer:
    language: str | None  # the patient's
    clinician_speaks: bool
    needed: bool  # an interpreter is worth offering
    available: bool  # one is free at the asked time (or at all, without a time)


async def patient_language(session: AsyncSession, patient_id: uuid.UUID) -> str | None:
    patient = await directory.patient(session, patient_id)
    if patient is None:
        return None
    if patient.preferred_language:
        return patient.preferred_language
    account = await directory.account(session, patient.account_id) if patient.account_id else None
    return account.preferred_language if account else None


async def free_interpreters(
    session: AsyncSession, language: str, start: datetime | None, end: datetime | None
) -> list[AccountBrief]:
    """Available, active interpreters of the language, free between start and end."""
    found = []
    rows = await session.scalars(
        select(Interpreter).where(Interpreter.available.is_(True)).order_by(Interpreter.created_at)
    )
    for row in rows.all():
        if not speaks(row.languages.split(), language):
            continue
        account = await directory.account(session, row.account_id)
        if account is None or not account.is_active or account.role in UNFIT:
            continue
        if start is not None and end is not None:
            busy = await session.scalar(
                select(Appointment.id)
                .join(Invitee, Invitee.appointment_id == Appointment.id)
                .where(
                    Invitee.account_id == row.account_id, Appointment.status.in_(LIVE),
                    Appointment.start_at < end, Appointment.end_at > start,
                )
                .limit(1)
            )  # fmt: skip
            if busy is not None:
                continue
        found.append(account)
    return found


async def invite_interpreter(session: AsyncSession, actor: Actor, appt: Appointment) -> Invitee:
    """Invite a free interpreter of the patient's language into the visit (in the caller's unit
    of work: the booking's). 409 ``no_interpreter`` when none is free."""
    language = await patient_language(session, appt.patient_id)
    free = (
        await free_interpreters(session, language, appt.start_at, appt.end_at) if language else []
    )
    if not free:
        raise Conflict("No interpreter is free at that time.", code="no_interpreter")
    # The room is not open yet at booking: admission lets the invitee in (rooms.py).
    return await RoomService(session).add_invitee(actor, appt, free[0], "interpreter")


class InterpreterService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def put(
        self, actor: Actor, account_id: uuid.UUID, languages: list[str], available: bool
    ) -> PoolMember:
        """An administrator adds or changes a pool member; the interpreter may change their own
        availability (and languages)."""
        if actor.account_id != account_id:
            require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            account = await directory.account(self.session, account_id)
            if account is None or not account.is_active:
                raise NotFound("Not found.")
            if account.role in UNFIT:
                raise InvalidInput("That account cannot interpret.", field="account_id")
            row = await self.session.get(Interpreter, account_id)
            if row is None:
                if actor.account_id == account_id and actor.role is not Role.ADMIN:
                    raise NotFound("Not found.")  # joining the pool is an administrator's act
                row = Interpreter(account_id=account_id)
                self.session.add(row)
            row.languages = " ".join(dict.fromkeys(languages))
            row.available = available
            audit.record(
                self.session, "interpreter.put", actor=actor, resource_type="Interpreter",
                resource_id=account_id,
            )  # fmt: skip
            return PoolMember(account_id, account.display_name, languages, available)

    async def remove(self, actor: Actor, account_id: uuid.UUID) -> None:
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            row = await self.session.get(Interpreter, account_id)
            if row is None:
                raise NotFound("Not found.")
            await self.session.delete(row)
            audit.record(
                self.session, "interpreter.remove", actor=actor, resource_type="Interpreter",
                resource_id=account_id,
            )  # fmt: skip

    async def pool(self, actor: Actor, language: str | None = None) -> list[PoolMember]:
        """The pool, or those who interpret a language (administrators and clinicians)."""
        require_role(actor, Role.ADMIN, Role.CLINICIAN)
        async with unit_of_work(self.session):
            rows = (
                await self.session.scalars(select(Interpreter).order_by(Interpreter.created_at))
            ).all()
            names = await directory.display_names(self.session, {r.account_id for r in rows})
        return [
            PoolMember(r.account_id, names.get(r.account_id, ""), r.languages.split(), r.available)
            for r in rows
            if language is None or speaks(r.languages.split(), language)
        ]

    async def offer(
        self,
        actor: Actor,
        clinician_id: uuid.UUID,
        patient_id: uuid.UUID | None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Offer:
        """Whether booking this clinician for this patient needs an interpreter, and if one is
        free (the booking screen's offer). The caller must be allowed to book for the patient."""
        require_role(actor, Role.PATIENT, Role.CAREGIVER)
        if actor.role is Role.PATIENT:
            patient_id = actor.patient_id
        if patient_id is None:
            raise InvalidInput("Say whom you book for.", field="patient_id")
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.APPOINTMENTS, write=True,
                resource_type="Appointment",
            )  # fmt: skip
            if await directory.active_clinician(self.session, clinician_id) is None:
                raise NotFound("Not found.")
            language = await patient_language(self.session, patient_id)
            profile = await profile_of(self.session, clinician_id)
            clinician_speaks = speaks(profile.languages.split(), language)
            needed = language is not None and not clinician_speaks
            free = []
            if needed and language is not None:
                free = await free_interpreters(self.session, language, start, end)
        return Offer(language, clinician_speaks, needed, bool(free))


async def erase_person(event: AccountErasureDue, session: AsyncSession) -> None:
    """An erased account leaves the pool (TRANSACTION)."""
    await session.execute(delete(Interpreter).where(Interpreter.account_id == event.account_id))
