"""Care HTTP API (``/api/care/...`` and ``/api/me/notifications``): thin, no domain logic.

The waiting view polls ``GET /api/care/appointments/{id}/wait`` (every ``poll_seconds``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots as slot_math
from careverse.care.availability import AvailabilityService, HoursInput, ProfileInput
from careverse.care.booking import AppointmentView, BookingService
from careverse.care.encounters import EncounterService, EncounterView, NoteInput
from careverse.care.notifications import NotificationService
from careverse.care.schemas import (
    AddendumIn,
    AddendumOut,
    AdmitOut,
    AppointmentIn,
    AppointmentOut,
    AvailabilityIn,
    AvailabilityOut,
    CancelIn,
    ChatIn,
    ChatOut,
    CheckInIn,
    ChoiceIn,
    ChoiceOut,
    ClinicianOut,
    EncounterOut,
    HoursIn,
    InviteIn,
    NoteIn,
    NotificationOut,
    OptionIn,
    OptionOut,
    OverrideIn,
    OverrideOut,
    PreferencesIn,
    PreferencesOut,
    ProblemIn,
    ProblemOut,
    QueueEntryOut,
    RescheduleIn,
    RoomOut,
    SlotOut,
    SlotsOut,
    StatusIn,
    SummaryOut,
    VisitTypeKey,
    WaitStateOut,
    When,
)
from careverse.care.service import viewer_zone
from careverse.care.waiting import WaitingService
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings

router = APIRouter(prefix="/api", tags=["care"])
TzParam = Annotated[str | None, Query(max_length=64, description="IANA zone to show times in")]


class Services:
    """The care services over one request's session."""

    def __init__(
        self,
        request: Request,
        session: Annotated[AsyncSession, Depends(get_session)],
        settings: Annotated[Settings, Depends(get_settings)],
    ):
        self.session = session
        self.availability = AvailabilityService(session, settings)
        self.booking = BookingService(session, settings, get_runtime(request).mailer)
        self.waiting = WaitingService(session, settings)
        self.encounters = EncounterService(session)
        self.notifications = NotificationService(session)
        self.settings = settings


Care = Annotated[Services, Depends(Services)]


def when(value: datetime, tz: ZoneInfo) -> When:
    local, label = slot_math.render(value, tz)
    return When(utc=value, local=local, label=label)


def slot_out(s: slot_math.Slot, tz: ZoneInfo, visit_type: str) -> SlotOut:
    local, label = slot_math.render(s.start, tz)
    return SlotOut(start=s.start, end=s.end, start_local=local, label=label, visit_type=visit_type)


def appointment_out(v: AppointmentView, settings: Settings) -> AppointmentOut:
    a = v.appointment
    return AppointmentOut(
        id=a.id, clinician_id=a.clinician_id, clinician_name=v.clinician_name,
        patient_id=a.patient_id, patient_name=v.patient_name, patient_language=v.patient_language,
        visit_type=a.visit_type, start=when(a.start_at, v.tz), end=when(a.end_at, v.tz),
        time_zone=v.tz.key, status=a.status, reason=a.reason if v.show_reason else None,
        checked_in_at=a.checked_in_at,
        check_in_opens=a.start_at - timedelta(minutes=settings.care_check_in_minutes),
        space_id=a.space_id if a.status == "in_progress" else None,
        invitees=[{"account_id": i, "name": n, "role": r} for i, n, r in v.invitees],
    )  # fmt: skip


def option_out(o) -> OptionOut:
    return OptionOut(id=o.id, name=o.name, benefits=o.benefits, risks=o.risks)


def choice_out(c) -> ChoiceOut | None:
    if c is None:
        return None
    return ChoiceOut(what_matters=c.what_matters, option_id=c.option_id, recorded_at=c.recorded_at)


def problem_out(p) -> ProblemOut:
    return ProblemOut(id=p.id, text=p.text, plain_text=p.plain_text, system=p.system, code=p.code)


def encounter_out(v: EncounterView) -> EncounterOut:
    e, note = v.encounter, v.show_note
    return EncounterOut(
        id=e.id, appointment_id=e.appointment_id, patient_id=e.patient_id,
        patient_name=v.patient_name, patient_language=v.patient_language,
        clinician_id=e.clinician_id, clinician_name=v.clinician_name, status=e.status,
        started_at=e.started_at, ended_at=e.ended_at,
        space_id=v.appointment.space_id if v.appointment.status == "in_progress" else None,
        subjective=e.subjective if note else None, objective=e.objective if note else None,
        assessment=e.assessment if note else None, plan=e.plan if note else None,
        follow_up=e.follow_up if note else None,
        patient_summary=e.patient_summary if note else None,
        problems=[problem_out(p) for p in v.problems] if note else [],
        signed_at=e.signed_at, signed_by_name=v.signer_name,
        addenda=[
            AddendumOut(id=a.id, text=a.text, author_id=a.author_id, author_name=name,
                        signed_at=a.signed_at)
            for a, name in v.addenda
        ] if note else [],
        options=[option_out(o) for o in v.options], choice=choice_out(v.choice),
        editable=v.editable,
    )  # fmt: skip


# ---- clinicians, slots, availability ----------------------------------------------------------


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


def availability_out(prof, weekly, overrides) -> AvailabilityOut:
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


# ---- appointments ---------------------------------------------------------------------------


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
        actor, body.clinician_id, body.start, body.visit_type, body.reason, body.patient_id
    )
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


# ---- waiting room ---------------------------------------------------------------------------


def wait_out(w) -> WaitStateOut:
    return WaitStateOut(**vars(w))


@router.post(
    "/care/appointments/{appointment_id}/check-in", response_model=WaitStateOut, responses=ERRORS
)
async def check_in(
    appointment_id: uuid.UUID, body: CheckInIn, actor: CurrentActor, care: Care
) -> WaitStateOut:
    """Check in (from 15 minutes before) with the result of the device check."""
    device = body.device_check.model_dump()
    return wait_out(await care.waiting.check_in(actor, appointment_id, device))


@router.get(
    "/care/appointments/{appointment_id}/wait", response_model=WaitStateOut, responses=ERRORS
)
async def wait_state(appointment_id: uuid.UUID, actor: CurrentActor, care: Care) -> WaitStateOut:
    """What the waiting patient sees: the clinician's status, lateness, place in the queue, and
    the consult room's id once admitted. Poll it every ``poll_seconds``."""
    return wait_out(await care.waiting.wait_state(actor, appointment_id))


@router.get("/care/queue", response_model=list[QueueEntryOut], responses=ERRORS)
async def queue(actor: CurrentActor, care: Care, tz: TzParam = None) -> list[QueueEntryOut]:
    """The calling clinician's visits of today: in progress, checked in (in order), booked."""
    zone = await viewer_zone(care.session, actor, tz)
    entries = await care.waiting.queue(actor)
    return [
        QueueEntryOut(
            appointment_id=e.appointment.id,
            patient_id=e.appointment.patient_id,
            patient_name=e.patient_name,
            patient_language=e.patient_language,
            visit_type=e.appointment.visit_type,
            start=when(e.appointment.start_at, zone),
            status=e.appointment.status,
            reason=e.appointment.reason,
            waiting_minutes=e.waiting_minutes,
            device_check=e.device_check,
            space_id=e.appointment.space_id,
            encounter_id=e.encounter_id,
        )
        for e in entries
    ]


@router.post("/care/appointments/{appointment_id}/admit", response_model=AdmitOut, responses=ERRORS)
async def admit(appointment_id: uuid.UUID, actor: CurrentActor, care: Care) -> AdmitOut:
    """Admit the patient: opens the private consult room (a world space) and the encounter."""
    space_id, encounter_id = await care.waiting.admit(actor, appointment_id)
    return AdmitOut(space_id=space_id, encounter_id=encounter_id)


@router.post(
    "/care/appointments/{appointment_id}/invite",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def invite(
    appointment_id: uuid.UUID, body: InviteIn, actor: CurrentActor, care: Care
) -> Response:
    """Invite a caregiver (with a delegation), an interpreter or a colleague into the room
    (by account id or by the e-mail address they sign in with)."""
    await care.waiting.invite(actor, appointment_id, body.account_id, body.role, body.email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/care/rooms/{space_id}", response_model=RoomOut, responses=ERRORS)
async def room(space_id: uuid.UUID, actor: CurrentActor, care: Care) -> RoomOut:
    """Which visit a consult room (a world space) belongs to; 404 unless the caller is in it."""
    return RoomOut(**vars(await care.waiting.room(actor, space_id)))


# ---- encounters -----------------------------------------------------------------------------


@router.get("/care/encounters/{encounter_id}", response_model=EncounterOut, responses=ERRORS)
async def get_encounter(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> EncounterOut:
    """The encounter; the note shows to the patient once signed."""
    return encounter_out(await care.encounters.view(actor, encounter_id))


@router.put("/care/encounters/{encounter_id}/note", response_model=EncounterOut, responses=ERRORS)
async def write_note(
    encounter_id: uuid.UUID, body: NoteIn, actor: CurrentActor, care: Care
) -> EncounterOut:
    """Change the unsigned SOAP note (409 ``note_signed`` once signed)."""
    note = NoteInput(**body.model_dump(exclude_unset=True))
    return encounter_out(await care.encounters.write_note(actor, encounter_id, note))


@router.post(
    "/care/encounters/{encounter_id}/problems",
    status_code=status.HTTP_201_CREATED,
    response_model=ProblemOut,
    responses=ERRORS,
)
async def add_problem(
    encounter_id: uuid.UUID, body: ProblemIn, actor: CurrentActor, care: Care
) -> ProblemOut:
    """A problem in free text, optionally coded (SNOMED CT or ICD-10)."""
    p = await care.encounters.add_problem(
        actor, encounter_id, body.text, body.system, body.code, body.plain_text
    )
    return problem_out(p)


@router.delete(
    "/care/encounters/{encounter_id}/problems/{problem_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def remove_problem(
    encounter_id: uuid.UUID, problem_id: uuid.UUID, actor: CurrentActor, care: Care
) -> Response:
    await care.encounters.remove_problem(actor, encounter_id, problem_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/care/encounters/{encounter_id}/sign", response_model=EncounterOut, responses=ERRORS)
async def sign(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> EncounterOut:
    """Sign and lock the note."""
    return encounter_out(await care.encounters.sign(actor, encounter_id))


@router.post(
    "/care/encounters/{encounter_id}/addenda",
    status_code=status.HTTP_201_CREATED,
    response_model=AddendumOut,
    responses=ERRORS,
)
async def add_addendum(
    encounter_id: uuid.UUID, body: AddendumIn, actor: CurrentActor, care: Care
) -> AddendumOut:
    """A signed addendum to a signed note."""
    a, name = await care.encounters.add_addendum(actor, encounter_id, body.text)
    return AddendumOut(
        id=a.id, text=a.text, author_id=a.author_id, author_name=name,
        signed_at=a.signed_at,
    )  # fmt: skip


@router.post(
    "/care/encounters/{encounter_id}/finish",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def finish(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    """End the visit."""
    await care.encounters.finish(actor, encounter_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/care/encounters/{encounter_id}/summary", response_model=SummaryOut, responses=ERRORS)
async def summary(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> SummaryOut:
    """The patient's visit summary in plain words."""
    s = await care.encounters.summary(actor, encounter_id)
    return SummaryOut(
        encounter_id=s.encounter_id, clinician_name=s.clinician_name, date=s.date,
        summary=s.summary, follow_up=s.follow_up, problems=s.problems,
        options=[option_out(o) for o in s.options], choice=choice_out(s.choice), signed=s.signed,
    )  # fmt: skip


@router.get("/care/encounters/{encounter_id}/chat", response_model=list[ChatOut], responses=ERRORS)
async def read_chat(encounter_id: uuid.UUID, actor: CurrentActor, care: Care) -> list[ChatOut]:
    """The consult's chat, kept with the encounter."""
    return [
        ChatOut(id=m.id, author_id=m.author_id, author_name=name, body=m.body, at=m.created_at)
        for m, name in await care.encounters.chat(actor, encounter_id)
    ]


@router.post(
    "/care/encounters/{encounter_id}/chat",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=ERRORS,
)
async def post_chat(
    encounter_id: uuid.UUID, body: ChatIn, actor: CurrentActor, care: Care
) -> ChatOut:
    """Append a chat message to the consult (the client also sends it through the room)."""
    m = await care.encounters.say(actor, encounter_id, body.body)
    return ChatOut(id=m.id, author_id=m.author_id, author_name="", body=m.body, at=m.created_at)


@router.post(
    "/care/encounters/{encounter_id}/options",
    status_code=status.HTTP_201_CREATED,
    response_model=OptionOut,
    responses=ERRORS,
)
async def add_option(
    encounter_id: uuid.UUID, body: OptionIn, actor: CurrentActor, care: Care
) -> OptionOut:
    """The clinician presents an option (name, benefits, risks) for a shared decision."""
    o = await care.encounters.add_option(actor, encounter_id, body.name, body.benefits, body.risks)
    return option_out(o)


@router.put("/care/encounters/{encounter_id}/decision", response_model=ChoiceOut, responses=ERRORS)
async def record_decision(
    encounter_id: uuid.UUID, body: ChoiceIn, actor: CurrentActor, care: Care
) -> ChoiceOut:
    """The patient records what matters to them and their choice."""
    c = await care.encounters.decide(actor, encounter_id, body.what_matters, body.option_id)
    return choice_out(c)


# ---- notifications --------------------------------------------------------------------------


@router.get("/me/notifications", response_model=list[NotificationOut], responses=ERRORS)
async def my_notifications(
    actor: CurrentActor, care: Care, unread: bool = False
) -> list[NotificationOut]:
    """The caller's in-app notifications, newest first."""
    return [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            appointment_id=n.appointment_id,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in await care.notifications.mine(actor, unread)
    ]


@router.post(
    "/me/notifications/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def mark_read(notification_id: uuid.UUID, actor: CurrentActor, care: Care) -> Response:
    await care.notifications.mark_read(actor, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/notifications/read", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def mark_all_read(actor: CurrentActor, care: Care) -> Response:
    await care.notifications.mark_read(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
