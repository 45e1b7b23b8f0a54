"""Availability: clinicians set their week, overrides and status; anyone signed in finds clinicians
and their free slots (shown in the viewer's time zone)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots
from careverse.care.interpreters import patient_language, speaks
from careverse.care.models import (
    AvailabilityOverride,
    CarePreferences,
    ClinicianProfile,
    WeeklyHours,
)
from careverse.care.service import (
    calendar_of,
    clinician_account,
    compute_slots,
    parse_zone,
    profile_of,
)
from careverse.identity import directory
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope, require_role
from careverse.kernel.uow import unit_of_work

MAX_RANGE = timedelta(days=31)


@dataclass(frozen=True)
class HoursInput:
    weekday: int
    start: str
    end: str


@dataclass(frozen=True)
class ProfileInput:
    time_zone: str
    buffer_minutes: int
    languages: list[str]
    specialties: list[str]
    weekly: list[HoursInput]


@dataclass(frozen=True)
class ClinicianCard:
    id: uuid.UUID
    name: str
    languages: list[str]
    specialties: list[str]
    time_zone: str
    next_free: slots.Slot | None


def _window(start: str, end: str, field: str) -> tuple[str, str]:
    try:
        a, b = slots.parse_hhmm(start), slots.parse_hhmm(end)
    except ValueError:
        raise InvalidInput("Times look like 09:00, on a 5-minute grid.", field=field) from None
    if a >= b:
        raise InvalidInput("A window must end after it starts.", field=field)
    return start, end


class AvailabilityService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    # ---- the clinician's own settings -----------------------------------------------------

    async def mine(
        self, actor: Actor
    ) -> tuple[ClinicianProfile, list[WeeklyHours], list[AvailabilityOverride]]:
        """The calling clinician's profile, weekly hours and overrides."""
        async with unit_of_work(self.session):
            return await self._mine(actor)

    async def _mine(
        self, actor: Actor
    ) -> tuple[ClinicianProfile, list[WeeklyHours], list[AvailabilityOverride]]:
        require_role(actor, Role.CLINICIAN)
        cal = await calendar_of(self.session, actor.account_id)
        overrides = (
            await self.session.scalars(
                select(AvailabilityOverride)
                .where(AvailabilityOverride.clinician_id == actor.account_id)
                .order_by(AvailabilityOverride.day, AvailabilityOverride.start_time)
            )
        ).all()
        weekly = (
            await self.session.scalars(
                select(WeeklyHours)
                .where(WeeklyHours.clinician_id == actor.account_id)
                .order_by(WeeklyHours.weekday, WeeklyHours.start_time)
            )
        ).all()
        return cal.profile, list(weekly), list(overrides)

    async def set_profile(
        self, actor: Actor, data: ProfileInput
    ) -> tuple[ClinicianProfile, list[WeeklyHours], list[AvailabilityOverride]]:
        """Replace the clinician's time zone, buffer, languages, specialties and weekly hours."""
        async with unit_of_work(self.session):
            await self._set_profile(actor, data)
            return await self._mine(actor)

    async def _set_profile(self, actor: Actor, data: ProfileInput) -> None:
        require_role(actor, Role.CLINICIAN)
        parse_zone(data.time_zone, "time_zone")
        if data.buffer_minutes % 5:
            raise InvalidInput("The buffer is a multiple of 5 minutes.", field="buffer_minutes")
        rows = []
        for i, h in enumerate(data.weekly):
            start, end = _window(h.start, h.end, f"weekly.{i}")
            rows.append(
                WeeklyHours(clinician_id=actor.account_id, weekday=h.weekday, start_time=start,
                            end_time=end)
            )  # fmt: skip
        prof = await self.session.get(ClinicianProfile, actor.account_id)
        if prof is None:
            prof = ClinicianProfile(clinician_id=actor.account_id)
            self.session.add(prof)
        prof.time_zone = data.time_zone
        prof.buffer_minutes = data.buffer_minutes
        prof.languages = " ".join(data.languages)
        prof.specialties = "|".join(data.specialties)
        await self.session.execute(
            delete(WeeklyHours).where(WeeklyHours.clinician_id == actor.account_id)
        )
        self.session.add_all(rows)

    async def add_override(
        self, actor: Actor, day: date, kind: str, start: str | None, end: str | None
    ) -> AvailabilityOverride:
        """Extra hours, or time off, on one local date."""
        require_role(actor, Role.CLINICIAN)
        if (start is None) != (end is None):
            raise InvalidInput("Give both a start and an end, or neither.", field="start")
        if start is not None and end is not None:
            _window(start, end, "start")
        elif kind == "extra":
            raise InvalidInput("Extra hours need a start and an end.", field="start")
        async with unit_of_work(self.session):
            row = AvailabilityOverride(
                clinician_id=actor.account_id, day=day.isoformat(), kind=kind, start_time=start,
                end_time=end,
            )  # fmt: skip
            self.session.add(row)
        return row

    async def remove_override(self, actor: Actor, override_id: uuid.UUID) -> None:
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            row = await self.session.get(AvailabilityOverride, override_id)
            if row is None or row.clinician_id != actor.account_id:
                raise NotFound("Not found.")
            await self.session.delete(row)

    async def set_status(self, actor: Actor, status: str | None, late_minutes: int) -> None:
        """The clinician says they are away/offline (or clears it) and how late they run."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            prof = await self.session.get(ClinicianProfile, actor.account_id)
            if prof is None:
                prof = ClinicianProfile(clinician_id=actor.account_id)
                self.session.add(prof)
            prof.status = status
            prof.running_late_minutes = late_minutes
            prof.last_seen_at = clock.now()

    # ---- preferences of anyone -------------------------------------------------------------

    async def preferences(self, actor: Actor) -> str | None:
        require_full_scope(actor)
        async with unit_of_work(self.session):
            pref = await self.session.get(CarePreferences, actor.account_id)
            return pref.time_zone if pref else None

    async def set_preferences(self, actor: Actor, time_zone: str) -> str:
        require_full_scope(actor)
        parse_zone(time_zone, "time_zone")
        async with unit_of_work(self.session):
            pref = await self.session.get(CarePreferences, actor.account_id)
            if pref is None:
                self.session.add(CarePreferences(account_id=actor.account_id, time_zone=time_zone))
            else:
                pref.time_zone = time_zone
        return time_zone

    # ---- finding a clinician and a time -----------------------------------------------------

    async def clinicians(self, actor: Actor, visit_type: str = "follow-up") -> list[ClinicianCard]:
        """Active clinicians with their languages, specialties and next free slot (2 weeks);
        those who speak a patient's language first (docs/care.md, Interpreters)."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            language = None
            if actor.role is Role.PATIENT and actor.patient_id is not None:
                language = await patient_language(self.session, actor.patient_id)
            return await self._clinicians(visit_type, language)

    async def _clinicians(
        self, visit_type: str, language: str | None = None
    ) -> list[ClinicianCard]:
        now = clock.now()
        cards = []
        for account in await directory.clinicians(self.session):
            prof = await profile_of(self.session, account.id)
            free = await compute_slots(
                self.session, self.settings, account.id, now, now + timedelta(days=14), visit_type
            )
            cards.append(
                ClinicianCard(
                    id=account.id,
                    name=account.display_name,
                    languages=prof.languages.split(),
                    specialties=[s for s in prof.specialties.split("|") if s],
                    time_zone=prof.time_zone,
                    next_free=free[0] if free else None,
                )
            )
        return sorted(
            cards,
            key=lambda c: (not speaks(c.languages, language), c.next_free is None, c.name.lower()),
        )

    async def free_slots(
        self, actor: Actor, clinician_id: uuid.UUID, start: datetime, end: datetime, visit: str
    ) -> list[slots.Slot]:
        require_full_scope(actor)
        if end <= start:
            raise InvalidInput("The end must be after the start.", field="end")
        if end - start > MAX_RANGE:
            raise InvalidInput("Ask for at most 31 days at a time.", field="end")
        async with unit_of_work(self.session):
            await clinician_account(self.session, clinician_id)
            horizon = clock.now() + timedelta(days=self.settings.care_booking_horizon_days)
            free = await compute_slots(self.session, self.settings, clinician_id, start, end, visit)
        return [s for s in free if s.start <= horizon]


# The demo's clinicians work around the clock, every day: whenever the demo is started, and in
# whatever time zone, a new user finds a slot within the hour.
DEMO_HOURS = ("00:00", "24:00")
# What earlier demos seeded (weekdays 09:00-17:00): such hours are widened on the next start.
OLD_DEMO_HOURS = {(d, "09:00", "17:00") for d in range(5)}


async def seed_demo_hours(
    session: AsyncSession, clinician_ids: list[uuid.UUID], time_zone: str = "Europe/London"
) -> None:
    """Demo clinicians work every day, all day (once: profiles set up otherwise are left alone)."""
    start, end = DEMO_HOURS
    async with unit_of_work(session):
        for clinician_id in clinician_ids:
            if await session.get(ClinicianProfile, clinician_id) is not None:
                hours = list(
                    await session.scalars(
                        select(WeeklyHours).where(WeeklyHours.clinician_id == clinician_id)
                    )
                )
                if {(h.weekday, h.start_time, h.end_time) for h in hours} != OLD_DEMO_HOURS:
                    continue
                for h in hours:
                    await session.delete(h)
            else:
                session.add(
                    ClinicianProfile(
                        clinician_id=clinician_id,
                        time_zone=time_zone,
                        buffer_minutes=5,
                        languages="en es",
                        specialties="General practice",
                    )
                )
            session.add_all(
                WeeklyHours(clinician_id=clinician_id, weekday=d, start_time=start, end_time=end)
                for d in range(7)
            )
