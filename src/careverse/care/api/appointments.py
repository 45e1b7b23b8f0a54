"""Care API: booking, listing, cancelling and rescheduling appointments, and the calendar file."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Response, status
from pydantic import AwareDatetime

from careverse.care.api.common import Care, TzParam, when
from careverse.care.booking import AppointmentView
from careverse.care.schemas import (
    AppointmentIn,
    AppointmentOut,
    CancelIn,
    InviteeOut,
    RescheduleIn,
)
from careverse.care.service import viewer_zone
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings

router = APIRouter(prefix="/api", tags=["care"])


def appointment_out(v: AppointmentView, settings: Settings) -> AppointmentOut:
    a = v.appointment
    return AppointmentOut(
        id=a.id, clinician_id=a.clinician_id, clinician_name=v.clinician_name,
        patient_id=a.patient_id, patient_name=v.patient_name, patient_language=v.patient_language,
        visit_type=a.visit_type, start=when(a.start_at, v.tz), end=when(a.end_at, v.tz),
        time_zone=v.tz.key, status=a.status, reason=a.reason if v.show_reason else None,
        checked_in_at=a.checked_in_at, reminder_minutes=a.reminder_minutes,
        check_in_opens=a.start_at - timedelta(minutes=settings.care_check_in_minutes),
        space_id=a.space_id if a.status == "in_progress" else None,
        invitees=[InviteeOut(account_id=i, name=n, role=r) for i, n, r in v.invitees],
    )  # fmt: skip


@router.post(
    "/care/appointments",
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentOut,
    responses=ERRORS,
)
async def book(body: AppointmentIn, actor: CurrentActor, care: Care, tz: TzParam = None):
    """Book a free slot (409 when it was just taken). Caregivers give ``patient_id``."""
    zone = await viewer_zone(care.session, actor, tz)
    appt = await care.booking.book(
        actor, body.clinician_id, body.start, body.visit_type, body.reason, body.patient_id,
        reminder_minutes=body.reminder_minutes, interpreter=body.interpreter,
    )  # fmt: skip
    return appointment_out(await care.booking.view(appt, zone), care.settings)


@router.get("/care/appointments", response_model=list[AppointmentOut], responses=ERRORS)
async def list_appointments(
    actor: CurrentActor,
    care: Care,
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
    past: bool = False,
    tz: TzParam = None,
) -> list[AppointmentOut]:
    """The caller's appointments (a clinician's: their schedule), upcoming unless asked."""
    zone = await viewer_zone(care.session, actor, tz)
    views = await care.booking.list(actor, zone, start, end, past)
    return [appointment_out(v, care.settings) for v in views]


@router.get("/care/appointments/{appointment_id}", response_model=AppointmentOut, responses=ERRORS)
async def get_appointment(
    appointment_id: uuid.UUID, actor: CurrentActor, care: Care, tz: TzParam = None
) -> AppointmentOut:
    zone = await viewer_zone(care.session, actor, tz)
    return appointment_out(await care.booking.get(actor, appointment_id, zone), care.settings)


@router.post(
    "/care/appointments/{appointment_id}/cancel", response_model=AppointmentOut, responses=ERRORS
)
async def cancel(
    appointment_id: uuid.UUID, body: CancelIn, actor: CurrentActor, care: Care, tz: TzParam = None
) -> AppointmentOut:
    """Cancel; late patient cancellations need a note (422 ``note_required``)."""
    zone = await viewer_zone(care.session, actor, tz)
    appt = await care.booking.cancel(actor, appointment_id, body.note)
    return appointment_out(await care.booking.view(appt, zone), care.settings)


@router.post(
    "/care/appointments/{appointment_id}/reschedule",
    response_model=AppointmentOut,
    responses=ERRORS,
)
async def reschedule(
    appointment_id: uuid.UUID,
    body: RescheduleIn,
    actor: CurrentActor,
    care: Care,
    tz: TzParam = None,
) -> AppointmentOut:
    """Move to another free slot (409 when it was just taken; the old time is kept then)."""
    zone = await viewer_zone(care.session, actor, tz)
    appt = await care.booking.reschedule(
        actor, appointment_id, body.start, body.visit_type, body.note
    )
    return appointment_out(await care.booking.view(appt, zone), care.settings)


@router.get(
    "/care/appointments/{appointment_id}/calendar.ics",
    responses={**ERRORS, 200: {"content": {"text/calendar": {}}}},
    response_class=Response,
)
async def calendar_file(appointment_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    """The appointment as an iCalendar file for the patient's calendar."""
    text = await care.booking.calendar(actor, appointment_id)
    return Response(
        text.encode(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="careverse-appointment.ics"'},
    )
