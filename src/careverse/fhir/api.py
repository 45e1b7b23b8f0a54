"""The FHIR R4 facade (``/fhir``): application/fhir+json in, OperationOutcome on errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import fhir as care_fhir
from careverse.fhir.resources import FHIR_JSON
from careverse.fhir.service import FhirService, parse_id
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.monitoring import fhir_api as monitoring_fhir

router = APIRouter(prefix="/fhir", tags=["fhir"])
router.include_router(care_fhir.router)  # Schedule, Slot, Appointment, Encounter
router.include_router(monitoring_fhir.router)  # Observation create/read
router.add_api_route(  # batch/transaction Bundles of Observations
    "", monitoring_fhir.post_bundle, methods=["POST"], responses=monitoring_fhir.RESPONSES,
    response_class=monitoring_fhir.FhirResponse, openapi_extra=monitoring_fhir.BODY,
)  # fmt: skip


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


_OUTCOME = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
OUTCOMES = {
    401: {"description": "Not signed in (OperationOutcome)", **_OUTCOME},
    403: {"description": "Not allowed (OperationOutcome)", **_OUTCOME},
    404: {"description": "Not found, or not yours to see (OperationOutcome)", **_OUTCOME},
    422: {"description": "Invalid parameters (OperationOutcome)", **_OUTCOME},
}


def fhir_service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> FhirService:
    return FhirService(session, settings)


Fhir = Annotated[FhirService, Depends(fhir_service)]


def fhir_json(resource: dict, status_code: int = 200) -> FhirResponse:
    return FhirResponse(resource, status_code=status_code)


@router.get("/metadata", response_class=FhirResponse)
async def metadata(request: Request, service: Fhir) -> JSONResponse:
    """The CapabilityStatement: what this server supports (read from the routes it serves)."""
    return fhir_json(service.metadata(request.app.openapi()["paths"]))


@router.get("/Patient", responses=OUTCOMES, response_class=FhirResponse)
async def search_patients(
    actor: CurrentActor,
    service: Fhir,
    name: Annotated[str | None, Query(max_length=200)] = None,
    birthdate: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    identifier: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """Search patients, only among those the caller may see."""
    return fhir_json(await service.search_patients(actor, name, birthdate, identifier))


@router.get("/Patient/{patient_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_patient(patient_id: str, actor: CurrentActor, service: Fhir) -> JSONResponse:
    """One patient."""
    return fhir_json(await service.read_patient(actor, patient_id))


@router.get("/Patient/{patient_id}/$everything", responses=OUTCOMES, response_class=FhirResponse)
async def patient_everything(patient_id: str, actor: CurrentActor, service: Fhir) -> JSONResponse:
    """Everything the caller may see about one patient, as a Bundle."""
    return fhir_json(await service.everything(actor, parse_id(patient_id)))


@router.get("/Consent", responses=OUTCOMES, response_class=FhirResponse)
async def search_consents(
    actor: CurrentActor, service: Fhir, patient: Annotated[str, Query(max_length=100)]
) -> JSONResponse:
    """A patient's consents (``patient=<id>`` or ``patient=Patient/<id>``)."""
    return fhir_json(await service.consents(actor, patient.removeprefix("Patient/")))


@router.get("/AuditEvent", responses=OUTCOMES, response_class=FhirResponse)
async def search_audit_events(
    actor: CurrentActor, service: Fhir, patient: Annotated[str, Query(max_length=100)]
) -> JSONResponse:
    """Who did what with a patient's record: for the patient, and for admins."""
    return fhir_json(await service.audit_events(actor, patient.removeprefix("Patient/")))
