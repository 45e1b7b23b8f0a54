"""The FHIR R4 API (``/fhir``): every capability's FHIR routes, plus fhir's own.

Capabilities register their FHIR routers with ``runtime.include_fhir_router`` (paths relative to
``/fhir``); :func:`compose` mounts them, then fhir's own routes: the CapabilityStatement (read
from the routes actually served) and ``$everything`` (read from ``runtime.patient_record``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from careverse.fhir.capabilities import PREFIX
from careverse.fhir.service import FhirService, parse_id
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import RuntimeDep, SessionDep, SettingsDep
from careverse.kernel.fhir import OUTCOMES, FhirResponse

router = APIRouter(tags=["fhir"])  # fhir's own routes, relative to /fhir


def fhir_service(session: SessionDep, settings: SettingsDep) -> FhirService:
    return FhirService(session, settings)


Fhir = Annotated[FhirService, Depends(fhir_service)]


@router.get("/metadata", response_class=FhirResponse)
async def metadata(request: Request, service: Fhir) -> FhirResponse:
    """The CapabilityStatement: what this server supports (read from the routes it serves)."""
    return FhirResponse(service.metadata(request.app.openapi()["paths"]))


EVERYTHING_DOC = [
    {"name": "_since", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Only resources changed at or after this instant (`2026-11-20T10:00:00Z`)"},
    {"name": "_type", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Only these resource types, comma-separated (`Observation,Condition`)"},
    {"name": "_count", "in": "query", "required": False, "schema": {"type": "integer"},
     "description": "Page size (default and most: 10,000); `next` links page through the rest"},
    {"name": "_cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "In `next` links only"},
]  # fmt: skip


@router.get(
    "/Patient/{patient_id}/$everything",
    responses={400: {"description": "Unsupported parameters (OperationOutcome)"}, **OUTCOMES},
    response_class=FhirResponse,
    openapi_extra={"parameters": EVERYTHING_DOC},
)
async def patient_everything(
    patient_id: str, request: Request, actor: CurrentActor, service: Fhir, runtime: RuntimeDep
) -> FhirResponse:
    """Everything the caller may see about one patient, as a searchset Bundle (paged)."""
    return FhirResponse(
        await service.everything(
            actor,
            parse_id(patient_id),
            runtime.patient_record,
            list(request.query_params.multi_items()),
        )
    )


def compose(capability_routers: Iterable[APIRouter]) -> APIRouter:
    """The ``/fhir`` router: each capability's FHIR routes, in registration order, then fhir's."""
    composed = APIRouter()
    for part in (*capability_routers, router):
        # The prefix goes on each include (not on ``composed``) so a capability may route the
        # server's root itself (``POST /fhir``: batch and transaction Bundles).
        composed.include_router(part, prefix=PREFIX)
    return composed
