"""Care: shared look-ups and access rules of the care capability's services. No HTTP here.

Access: a patient reaches their own appointments and encounters, a caregiver those of the patients
who delegated the matching scope, the booked clinician those of their own visits (through the care
relationship the booking opened); all through :func:`careverse.kernel.policy.authorize`. People
invited into a consult (caregiver, interpreter, second clinician) reach only its room and chat.
A caregiver's invitation rests on the patient's delegation: it holds only while a live delegation
grants them the patient's appointments or consults, checked on every access (see
:func:`invitation_holds`), so revocation and expiry act on the next request. Everyone else gets 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots
from careverse.care.models import (
    Appointment,
    AppointmentBlock,
    AvailabilityOverride,
    CarePreferences,
    ClinicianProfile,
    Invitee,
    WeeklyHours,
)
from careverse.identity import directory
from careverse.identity.directory import AccountBrief
from careverse.identity.relationships import delegation_fact
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Grant, Role, authorize, require_full_scope

UTC = ZoneInfo("UTC")
PATIENT_SIDE = (Role.PATIENT, Role.CAREGIVER)


@overload
def parse_zone(name: str, field: str = "tz") -> ZoneInfo: ...
@overload
def parse_zone(name: None, field: str = "tz") -> None: ...
@overload
def parse_zone(name: str | None, field: str = "tz") -> ZoneInfo | None: ...
def parse_zone(name: str | None, field: str = "tz") -> ZoneInfo | None:
    """The IANA zone ``name`` (None when not given); an unknown name is invalid input."""
    if name is None:
        return None
    try:
        return slots.zone(name)
    except ValueError:
        raise InvalidInput(
            "Unknown time zone; use an IANA name such as Europe/London.", field=field
        ) from None


async def clinician_account(session: AsyncSession, clinician_id: uuid.UUID) -> AccountBrief:
    """An active clinician's brief, or 404."""
    account = await directory.active_clinician(session, clinician_id)
    if account is None:
        raise NotFound("No such clinician.")
    return account


async def profile_of(session: AsyncSession, clinician_id: uuid.UUID) -> ClinicianProfile:
    """A clinician's profile, or an unsaved default one."""
    prof = await session.get(ClinicianProfile, clinician_id)
    if prof is None:
        prof = ClinicianProfile(
            clinician_id=clinician_id, time_zone="UTC", buffer_minutes=5, languages="",
            specialties="", status=None, running_late_minutes=0,
        )  # fmt: skip
    return prof


async def viewer_zone(session: AsyncSession, actor: Actor | None, asked: str | None) -> ZoneInfo:
    """The zone times are shown in: the one asked for, the viewer's preference, or UTC."""
    if asked:
        return parse_zone(asked)
    if actor is not None:
        pref = await session.get(CarePreferences, actor.account_id)
        if pref is not None:
            return slots.zone(pref.time_zone)
    return UTC


async def zone_of_account(session: AsyncSession, account_id: uuid.UUID) -> ZoneInfo:
    pref = await session.get(CarePreferences, account_id)
    return slots.zone(pref.time_zone) if pref else UTC


@dataclass(frozen=True)
class Calendar:
    """What slot computation needs to know about one clinician."""

    profile: ClinicianProfile
    weekly: dict[int, list[slots.Hours]]
    overrides: list[slots.Override]

    @property
    def tz(self) -> ZoneInfo:
        return slots.zone(self.profile.time_zone)


async def calendar_of(session: AsyncSession, clinician_id: uuid.UUID) -> Calendar:
    prof = await profile_of(session, clinician_id)
    weekly: dict[int, list[slots.Hours]] = {}
    for row in await session.scalars(
        select(WeeklyHours).where(WeeklyHours.clinician_id == clinician_id)
    ):
        weekly.setdefault(row.weekday, []).append(
            slots.Hours(slots.parse_hhmm(row.start_time), slots.parse_hhmm(row.end_time))
        )
    overrides = [
        slots.Override(
            datetime.fromisoformat(o.day).date(),
            o.kind,
            slots.parse_hhmm(o.start_time) if o.start_time else None,
            slots.parse_hhmm(o.end_time) if o.end_time else None,
        )
        for o in await session.scalars(
            select(AvailabilityOverride).where(AvailabilityOverride.clinician_id == clinician_id)
        )
    ]
    return Calendar(prof, weekly, overrides)


async def taken_blocks(
    session: AsyncSession, clinician_id: uuid.UUID, start: datetime, end: datetime
) -> set[datetime]:
    rows = await session.scalars(
        select(AppointmentBlock.block_start).where(
            AppointmentBlock.clinician_id == clinician_id,
            AppointmentBlock.block_start >= start - timedelta(hours=3),
            AppointmentBlock.block_start < end + timedelta(hours=3),
        )
    )
    return set(rows.all())


async def compute_slots(
    session: AsyncSession,
    settings: Settings,
    clinician_id: uuid.UUID,
    start: datetime,
    end: datetime,
    visit_type: str,
    *,
    include_taken: bool = False,
) -> list[slots.Slot]:
    """The free slots of a clinician between two instants (or every offered slot, taken or not)."""
    visit = slots.VISIT_TYPES[visit_type]
    cal = await calendar_of(session, clinician_id)
    spans = slots.windows(cal.weekly, cal.overrides, cal.tz, start, end)
    taken = set() if include_taken else await taken_blocks(session, clinician_id, start, end)
    return slots.free_slots(
        spans, taken, visit.minutes, cal.profile.buffer_minutes, settings.care_slot_step_minutes,
        not_before=max(start, clock.now()), before=end,
    )  # fmt: skip


# ---- access to appointments -----------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """How the caller reaches an appointment."""

    appointment: Appointment
    as_clinician: bool  # the booked clinician
    as_invitee: bool  # invited into the room only
    grant: Grant | None


# A caregiver may be invited into a patient's consult, and stays invited, while a delegation of
# the patient grants them any of these.
INVITATION_SCOPES = frozenset(
    f"{category.value}:{mode}"
    for category in (Category.APPOINTMENTS, Category.CONSULTS)
    for mode in ("read", "write")
)


async def may_invite_caregiver(
    session: AsyncSession, caregiver_id: uuid.UUID, patient_id: uuid.UUID
) -> bool:
    """Whether a live, unexpired delegation of the patient lets this caregiver into a consult."""
    delegation = await delegation_fact(session, caregiver_id, patient_id)
    return delegation is not None and not delegation.scopes.isdisjoint(INVITATION_SCOPES)


async def invitation_holds(session: AsyncSession, invitee: Invitee, patient_id: uuid.UUID) -> bool:
    """Whether an invitation still lets its guest in. Interpreters and clinicians are invited
    for themselves; a caregiver only for as long as the patient's delegation lasts."""
    if invitee.role != "caregiver":
        return True
    return await may_invite_caregiver(session, invitee.account_id, patient_id)


async def invitee_of(
    session: AsyncSession, appt: Appointment, account_id: uuid.UUID
) -> Invitee | None:
    """The account's invitation into the appointment's consult, if it still holds."""
    invitee = await session.scalar(
        select(Invitee).where(Invitee.appointment_id == appt.id, Invitee.account_id == account_id)
    )
    if invitee is None or not await invitation_holds(session, invitee, appt.patient_id):
        return None
    return invitee


async def reach(
    session: AsyncSession,
    actor: Actor,
    appointment_id: uuid.UUID,
    *,
    category: Category = Category.APPOINTMENTS,
    write: bool = False,
    invitees: bool = False,
    resource_type: str = "Appointment",
) -> Access:
    """Load an appointment the caller may reach (audited), or raise 404 (403 for read-only)."""
    require_full_scope(actor)
    appt = await session.get(Appointment, appointment_id)
    if appt is None:
        raise NotFound("Not found.")
    as_clinician = actor.role is Role.CLINICIAN and appt.clinician_id == actor.account_id
    own = as_clinician or (actor.role is Role.PATIENT and actor.patient_id == appt.patient_id)
    # A lapsed invitation is no invitation: the caller goes to the policy like anyone else.
    if invitees and not own and await invitee_of(session, appt, actor.account_id):
        audit.record(
            session, f"{category.value}.{'write' if write else 'read'}", actor=actor,
            patient_id=appt.patient_id, resource_type=resource_type, resource_id=appointment_id,
            purpose="treatment", detail={"basis": "consult-invitee"},
        )  # fmt: skip
        return Access(appt, False, True, None)
    # The policy decides (and audits) everyone else: the patient, their caregivers, their care team.
    grant = await authorize(
        session, actor, appt.patient_id, category, write=write,
        resource_type=resource_type, resource_id=appointment_id,
    )  # fmt: skip
    return Access(appt, as_clinician, False, grant)
