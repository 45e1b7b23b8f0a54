"""Care API: clinicians and their free slots, a clinician's availability and status, and
everyone's care preferences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Response, status
from pydantic import AwareDatetime

from careverse.care import slots as slot_math
from careverse.care.api.common import Care, TzParam, slot_out
from careverse.care.availability import HoursInput, ProfileInput
from careverse.care.schemas import (
    AvailabilityIn,
    AvailabilityOut,
    ClinicianOut,
    HoursIn,
    OverrideIn,
    OverrideOut,
    PreferencesIn,
    PreferencesOut,
    SlotsOut,
    StatusIn,
    VisitTypeKey,
)
from careverse.care.service import viewer_zone
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel import clock

if TYPE_CHECKING:
    from careverse.care.models import AvailabilityOverride, ClinicianProfile, WeeklyHours

router = APIRouter(prefix="/api", tags=["care"])


@router.get("/care/clinicians", response_model=list[ClinicianOut], responses=ERRORS)
async def list_clinicians(
    actor: CurrentActor, care: Care, tz: TzParam = None, visit_type: VisitTypeKey = "follow-up"
) -> list[ClinicianOut]:
    """Clinicians with their languages, specialties and next free slot (in the viewer's zone)."""
    zone = await viewer_zone(care.session, actor, tz)
    cards = await care.availability.clinicians(actor, visit_type)
    return [
        ClinicianOut(
            id=c.id,
            name=c.name,
            languages=c.languages,
            specialties=c.specialties,
            time_zone=c.time_zone,
            next_free_slot=slot_out(c.next_free, zone, visit_type) if c.next_free else None,
        )
        for c in cards
    ]


@router.get("/care/clinicians/{clinician_id}/slots", response_model=SlotsOut, responses=ERRORS)
async def list_slots(
    clinician_id: uuid.UUID,
    actor: CurrentActor,
    care: Care,
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
    visit_type: VisitTypeKey = "follow-up",
    tz: TzParam = None,
) -> SlotsOut:
    """Free slots between ``start`` and ``end`` (default: 7 days); computed, never stored."""
    zone = await viewer_zone(care.session, actor, tz)
    start = start or clock.now()
    end = end or start + timedelta(days=7)
    free = await care.availability.free_slots(actor, clinician_id, start, end, visit_type)
    return SlotsOut(
        clinician_id=clinician_id, visit_type=visit_type, time_zone=zone.key,
        slots=[slot_out(s, zone, visit_type) for s in free],
    )  # fmt: skip


def availability_out(
    prof: ClinicianProfile,
    weekly: Sequence[WeeklyHours],
    overrides: Sequence[AvailabilityOverride],
) -> AvailabilityOut:
    """A clinician's profile, weekly hours and overrides as the API shows them."""
    return AvailabilityOut(
        time_zone=prof.time_zone, buffer_minutes=prof.buffer_minutes,
        languages=(prof.languages or "").split(),
        specialties=[s for s in (prof.specialties or "").split("|") if s],
        weekly=[HoursIn(weekday=w.weekday, start=w.start_time, end=w.end_time) for w in weekly],
        overrides=[
            OverrideOut(id=o.id, day=o.day, kind=o.kind, start=o.start_time, end=o.end_time)
            for o in overrides
        ],
        visit_types={k: v.minutes for k, v in slot_math.VISIT_TYPES.items()},
    )  # fmt: skip


@router.get("/care/availability", response_model=AvailabilityOut, responses=ERRORS)
async def my_availability(actor: CurrentActor, care: Care) -> AvailabilityOut:
    """The calling clinician's time zone, buffer, weekly hours and overrides."""
    return availability_out(*await care.availability.mine(actor))


@router.put("/care/availability", response_model=AvailabilityOut, responses=ERRORS)
async def set_availability(
    body: AvailabilityIn, actor: CurrentActor, care: Care
) -> AvailabilityOut:
    """Replace the calling clinician's profile and weekly hours (local times in ``time_zone``)."""
    data = ProfileInput(
        time_zone=body.time_zone, buffer_minutes=body.buffer_minutes, languages=body.languages,
        specialties=body.specialties,
        weekly=[HoursInput(h.weekday, h.start, h.end) for h in body.weekly],
    )  # fmt: skip
    return availability_out(*await care.availability.set_profile(actor, data))


@router.post(
    "/care/availability/overrides",
    status_code=status.HTTP_201_CREATED,
    response_model=OverrideOut,
    responses=ERRORS,
)
async def add_override(body: OverrideIn, actor: CurrentActor, care: Care) -> OverrideOut:
    """Extra hours, or time off (a whole day when no times are given), on one local date."""
    o = await care.availability.add_override(actor, body.day, body.kind, body.start, body.end)
    return OverrideOut(id=o.id, day=o.day, kind=o.kind, start=o.start_time, end=o.end_time)


@router.delete(
    "/care/availability/overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def remove_override(override_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    await care.availability.remove_override(actor, override_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/care/status", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def set_status(body: StatusIn, actor: CurrentActor, care: Care) -> Response:
    """The clinician's status as waiting patients see it, and how many minutes late they run."""
    manual = None if body.status == "online" else body.status
    await care.availability.set_status(actor, manual, body.running_late_minutes)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/care/preferences", response_model=PreferencesOut, responses=ERRORS)
async def get_preferences(actor: CurrentActor, care: Care) -> PreferencesOut:
    """The caller's time zone for care times (none: UTC, or the ``tz`` each request gives)."""
    return PreferencesOut(time_zone=await care.availability.preferences(actor))


@router.put("/care/preferences", response_model=PreferencesOut, responses=ERRORS)
async def set_preferences(body: PreferencesIn, actor: CurrentActor, care: Care) -> PreferencesOut:
    return PreferencesOut(time_zone=await care.availability.set_preferences(actor, body.time_zone))
