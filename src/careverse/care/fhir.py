"""Care records as FHIR R4 resources (Schedule, Slot, Appointment, Encounter) and their FHIR
reads, registered under ``/fhir`` by care's setup. Every read passes the same policy and audit as
the care API."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from json import loads as json_decode
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots as slot_math
from careverse.care.booking import BookingService
from careverse.care.models import Appointment, Encounter, EncounterProblem
from careverse.care.service import clinician_account, profile_of, reach
from careverse.identity.deps import CurrentActor
from careverse.identity.directory import display_names
from careverse.identity.relationships import patients_of
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.kernel.errors import DomainError, InvalidInput, NotFound
from careverse.kernel.fhir import FHIR_JSON, OUTCOMES, FhirResponse, bundle, error_response, iso
from careverse.kernel.policy import Actor, Category, decide, require_full_scope
from careverse.kernel.uow import unit_of_work

ACCOUNT_SYSTEM = "urn:careverse:account"  # the same identifiers as every FHIR resource of ours
SERVICE_TYPE = "urn:careverse:visit-type"
APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "checked-in",
    "in_progress": "arrived",
    "completed": "fulfilled",
    "cancelled": "cancelled",
}
V3_ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def _practitioner(clinician_id: uuid.UUID, name: str | None) -> dict:
    ref: dict = {"identifier": {"system": ACCOUNT_SYSTEM, "value": str(clinician_id)}}
    if name:
        ref["display"] = name
    return ref


def _visit(key: str) -> dict:
    visit = slot_math.VISIT_TYPES.get(key)
    return {
        "coding": [{"system": SERVICE_TYPE, "code": key, "display": visit.title if visit else key}]
    }


def schedule(
    clinician_id: uuid.UUID,
    name: str,
    time_zone: str,
    horizon: tuple[datetime, datetime] | None = None,
) -> dict:
    """A clinician's schedule; ``horizon``: when its slots may be booked (planningHorizon)."""
    out: dict = {
        "resourceType": "Schedule",
        "id": str(clinician_id),
        "active": True,
        "serviceType": [_visit(k) for k in slot_math.VISIT_TYPES],
        "actor": [_practitioner(clinician_id, name)],
        "comment": f"Hours kept in {time_zone}",
    }
    if horizon is not None:
        out["planningHorizon"] = {"start": iso(horizon[0]), "end": iso(horizon[1])}
    return out


def booking_horizon(settings: Settings) -> tuple[datetime, datetime]:
    """From now to the furthest a slot may be booked (``care_booking_horizon_days``)."""
    now = clock.now()
    return now, now + timedelta(days=settings.care_booking_horizon_days)


def slot(clinician_id: uuid.UUID, s: slot_math.Slot, visit_type: str) -> dict:
    return {
        "resourceType": "Slot",
        "id": f"{clinician_id}-{s.start:%Y%m%d%H%M}-{visit_type}",
        "serviceType": [_visit(visit_type)],
        "schedule": {"reference": f"Schedule/{clinician_id}"},
        "status": "free",
        "start": iso(s.start),
        "end": iso(s.end),
    }


def version_of(a: Appointment) -> str:
    """An appointment's FHIR versionId: its iCalendar SEQUENCE (bumped by every reschedule and
    cancellation), plus one so the first version is 1."""
    return str(a.sequence + 1)


def appointment(a: Appointment, clinician_name: str | None) -> dict:
    participants = [
        {"actor": {"reference": f"Patient/{a.patient_id}"}, "status": "accepted"},
        {"actor": _practitioner(a.clinician_id, clinician_name), "status": "accepted"},
    ]
    out: dict = {
        "resourceType": "Appointment",
        "id": str(a.id),
        "status": APPOINTMENT_STATUS.get(a.status, "booked"),
        "serviceType": [_visit(a.visit_type)],
        "appointmentType": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v2-0276",
                    "code": "FOLLOWUP" if a.visit_type == "follow-up" else "ROUTINE",
                }
            ]
        },
        "start": iso(a.start_at),
        "end": iso(a.end_at),
        "minutesDuration": int((a.end_at - a.start_at).total_seconds() // 60),
        "created": iso(a.created_at),
        "participant": participants,
    }
    if a.reason:
        out["comment"] = a.reason
    out["meta"] = {"versionId": version_of(a)}
    if a.status == "cancelled" and a.cancelled_at:
        out["cancelationReason"] = {"text": "Cancelled"}
    return out


def encounter(e: Encounter, clinician_name: str | None, problems: list[EncounterProblem]) -> dict:
    out: dict = {
        "resourceType": "Encounter",
        "id": str(e.id),
        "status": "finished" if e.status == "finished" else "in-progress",
        "class": {"system": V3_ACT, "code": "VR", "display": "virtual"},
        "subject": {"reference": f"Patient/{e.patient_id}"},
        "participant": [{"individual": _practitioner(e.clinician_id, clinician_name)}],
        "appointment": [{"reference": f"Appointment/{e.appointment_id}"}],
        "period": {"start": iso(e.started_at)},
    }
    if e.ended_at:
        out["period"]["end"] = iso(e.ended_at)
    reasons = []
    for p in problems:
        concept: dict = {"text": p.text}
        if p.system and p.code:
            concept["coding"] = [{"system": p.system, "code": p.code}]
        reasons.append(concept)
    if reasons:
        out["reasonCode"] = reasons
    return out


class CareFhir:
    """The FHIR reads of care records."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings
        self.base = settings.public_url.rstrip("/")

    async def schedule(self, actor: Actor, clinician_id: uuid.UUID) -> dict:
        require_full_scope(actor)
        async with unit_of_work(self.session):
            account = await clinician_account(self.session, clinician_id)
            prof = await profile_of(self.session, clinician_id)
        return schedule(
            account.id, account.display_name, prof.time_zone, booking_horizon(self.settings)
        )

    async def appointment(self, actor: Actor, appointment_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            access = await reach(self.session, actor, appointment_id)
            names = await display_names(self.session, {access.appointment.clinician_id})
        return appointment(access.appointment, names.get(access.appointment.clinician_id))

    async def _visible(self, actor: Actor, patient_id: uuid.UUID | None) -> list[uuid.UUID]:
        """Patients whose records the caller may search (audited), optionally just one."""
        require_full_scope(actor)
        candidates = await patients_of(self.session, actor)
        if patient_id is not None:
            candidates = [p for p in candidates if p == patient_id]
        shown = []
        for pid in candidates:
            grant, _ = await decide(self.session, actor, pid, Category.APPOINTMENTS, False)
            if grant is not None:
                audit.record(
                    self.session, "appointments.read", actor=actor, patient_id=pid,
                    purpose=grant.purpose.value, resource_type="Bundle",
                    detail={"basis": grant.basis.value, "via": "fhir-search"},
                )  # fmt: skip
                shown.append(pid)
        return shown

    async def appointments(self, actor: Actor, patient_id: uuid.UUID | None) -> dict:
        async with unit_of_work(self.session):
            shown = await self._visible(actor, patient_id)
            rows = []
            if shown:
                rows = (
                    await self.session.scalars(
                        select(Appointment)
                        .where(Appointment.patient_id.in_(shown))
                        .order_by(Appointment.start_at)
                        .limit(500)
                    )
                ).all()
            names = await display_names(self.session, {a.clinician_id for a in rows})
        return bundle(
            "searchset", [appointment(a, names.get(a.clinician_id)) for a in rows], self.base
        )

    async def _encounter(self, e: Encounter) -> dict:
        problems = (
            await self.session.scalars(
                select(EncounterProblem).where(EncounterProblem.encounter_id == e.id)
            )
        ).all()
        names = await display_names(self.session, {e.clinician_id})
        return encounter(e, names.get(e.clinician_id), list(problems))

    async def encounter(self, actor: Actor, encounter_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            e = await self.session.get(Encounter, encounter_id)
            if e is None:
                raise NotFound("Not found.")
            await reach(
                self.session, actor, e.appointment_id, category=Category.CONSULTS,
                resource_type="Encounter",
            )  # fmt: skip
            return await self._encounter(e)

    async def encounters(self, actor: Actor, patient_id: uuid.UUID | None) -> dict:
        require_full_scope(actor)
        async with unit_of_work(self.session):
            out = await self._encounters(actor, patient_id)
        return bundle("searchset", out, self.base)

    async def _encounters(self, actor: Actor, patient_id: uuid.UUID | None) -> list[dict]:
        candidates = await patients_of(self.session, actor)
        if patient_id is not None:
            candidates = [p for p in candidates if p == patient_id]
        out = []
        for pid in candidates:
            grant, _ = await decide(self.session, actor, pid, Category.CONSULTS, False)
            if grant is None:
                continue
            audit.record(
                self.session, "consults.read", actor=actor, patient_id=pid,
                purpose=grant.purpose.value, resource_type="Bundle",
                detail={"basis": grant.basis.value, "via": "fhir-search"},
            )  # fmt: skip
            rows = await self.session.scalars(select(Encounter).where(Encounter.patient_id == pid))
            out += [await self._encounter(e) for e in rows.all()]
        return out


# ---- the routes, registered under /fhir by care's setup (runtime.include_fhir_router) -------

router = APIRouter(tags=["fhir"])


def _care_fhir(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> CareFhir:
    return CareFhir(session, settings)


CareFhirDep = Annotated[CareFhir, Depends(_care_fhir)]


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.rsplit("/", 1)[-1])
    except ValueError:
        raise NotFound("Not found.") from None


def _out(resource: dict) -> JSONResponse:
    return FhirResponse(resource)


@router.get("/Schedule/{schedule_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_schedule(schedule_id: str, actor: CurrentActor, care: CareFhirDep) -> JSONResponse:
    return _out(await care.schedule(actor, _id(schedule_id)))


@router.get("/Appointment/{appointment_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_appointment(
    appointment_id: str, actor: CurrentActor, care: CareFhirDep
) -> JSONResponse:
    resource = await care.appointment(actor, _id(appointment_id))
    return FhirResponse(resource, headers={"ETag": f'W/"{resource["meta"]["versionId"]}"'})


@router.get("/Encounter/{encounter_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_encounter(encounter_id: str, actor: CurrentActor, care: CareFhirDep) -> JSONResponse:
    return _out(await care.encounter(actor, _id(encounter_id)))


# ---- PUT /Appointment/{id}: the one change FHIR clients may make (cancel), If-Match checked ----

PRECONDITIONS = {
    412: {"description": "If-Match names an older version (OperationOutcome)"},
    428: {"description": "If-Match is required (OperationOutcome)"},
}


class PreconditionRequired(DomainError):
    status_code = 428
    code = "precondition_required"


def _if_match(value: str | None) -> str:
    if not value:
        raise PreconditionRequired("If-Match is required to update.")
    return value.strip().removeprefix("W/").strip('"')


@router.put(
    "/Appointment/{appointment_id}",
    responses={**OUTCOMES, **PRECONDITIONS},
    response_class=FhirResponse,
    openapi_extra={"requestBody": {"required": True, "content": {FHIR_JSON: {"schema": {}}}}},
)
async def update_appointment(
    appointment_id: str,
    request: Request,
    actor: CurrentActor,
    care: CareFhirDep,
    if_match: Annotated[str | None, Header(max_length=100)] = None,
) -> JSONResponse:
    """Cancel an appointment by PUTting it with ``status: cancelled`` (the same rules as the care
    API's cancel: who may, the late-cancel note from ``cancelationReason.text``). Any other
    change answers 422. ``If-Match: W/"<versionId>"`` is required (428) and checked (412)."""
    target = _id(appointment_id)
    try:
        body = json_decode(await request.body())
    except (ValueError, RecursionError):
        raise InvalidInput("The body is not valid JSON.") from None
    if not isinstance(body, dict) or body.get("resourceType") != "Appointment":
        raise InvalidInput("Expected an Appointment.")
    if body.get("id") != str(target):
        raise InvalidInput("The Appointment's id must be the one in the URL.")
    wanted = _if_match(if_match)
    current = await care.appointment(actor, target)
    if wanted != current["meta"]["versionId"]:
        return error_response(412, "The appointment has changed since that version.")
    status = body.get("status")
    if status == current["status"]:
        return FhirResponse(current, headers={"ETag": f'W/"{current["meta"]["versionId"]}"'})
    if status != "cancelled":
        raise InvalidInput("Only cancelling an appointment (status cancelled) is supported.")
    reason = body.get("cancelationReason")
    note = reason.get("text") if isinstance(reason, dict) else None
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        raise InvalidInput("cancelationReason.text must be text of at most 1000 characters.")
    booking = BookingService(care.session, care.settings, get_runtime(request).mailer)
    await booking.cancel(actor, target, note)
    updated = await care.appointment(actor, target)
    return FhirResponse(updated, headers={"ETag": f'W/"{updated["meta"]["versionId"]}"'})
