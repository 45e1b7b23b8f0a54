"""Care API: the waiting room (check-in, wait state, the clinician's queue) and the consult
room (admit, invite and remove guests, who is in it).

The waiting view polls ``GET /api/care/appointments/{id}/wait`` (every ``poll_seconds``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from careverse.care.api.common import Care, TzParam, when
from careverse.care.schemas import (
    AdmitOut,
    CheckInIn,
    InviteIn,
    QueueEntryOut,
    RoomOut,
    WaitStateOut,
)
from careverse.care.service import viewer_zone
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor

router = APIRouter(prefix="/api", tags=["care"])


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
    space_id, encounter_id = await care.rooms.admit(actor, appointment_id)
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
    await care.rooms.invite(actor, appointment_id, body.account_id, body.role, body.email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/care/appointments/{appointment_id}/invitees/{account_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
)
async def remove_invitee(
    appointment_id: uuid.UUID, account_id: uuid.UUID, actor: CurrentActor, care: Care
) -> Response:
    """Take a guest off the visit (the clinician or the patient): they leave the consult room at
    once, on every node. 404 for someone who is not invited."""
    await care.rooms.uninvite(actor, appointment_id, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/care/rooms/{space_id}", response_model=RoomOut, responses=ERRORS)
async def room(space_id: uuid.UUID, actor: CurrentActor, care: Care) -> RoomOut:
    """Which visit a consult room (a world space) belongs to; 404 unless the caller is in it."""
    return RoomOut(**vars(await care.rooms.room(actor, space_id)))
