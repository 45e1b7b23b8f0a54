"""Wellbeing's FHIR routes (paths relative to ``/fhir``), registered by wellbeing's setup with
``runtime.include_fhir_router``: the Questionnaires, and QuestionnaireResponses created (the
patient's own, scored, crisis path included) and read through the access policy."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.fhir import FHIR_JSON, OUTCOMES, FhirResponse, bundle
from careverse.wellbeing.catalogue import ALL
from careverse.wellbeing.fhir import (
    MAX_BRACKETS,
    Refused,
    parse_response,
    questionnaire,
    questionnaire_response,
)
from careverse.wellbeing.service import WellbeingService

router = APIRouter(tags=["fhir"])

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
MAX_BODY = 64 * 1024
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.rsplit("/", 1)[-1])
    except ValueError:
        raise NotFound("Not found.") from None


async def _body(request: Request) -> object:
    raw = await request.body()
    if len(raw) > MAX_BODY or raw.count(b"[") + raw.count(b"{") > MAX_BRACKETS:
        raise InvalidInput("The body is larger than a questionnaire response.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("The body is not valid JSON.") from None


@router.get("/Questionnaire", responses=OUTCOMES, response_class=FhirResponse)
async def search_questionnaires(actor: CurrentActor, settings: AppSettings) -> JSONResponse:
    """Every instrument as a Questionnaire (PHQ-9, GAD-7, WHO-5, PHQ-2, GAD-2, C-SSRS)."""
    out = [questionnaire(inst, settings.public_url) for inst in ALL.values()]
    return FhirResponse(bundle("searchset", out, settings.public_url))


@router.get("/Questionnaire/{code}", responses=OUTCOMES, response_class=FhirResponse)
async def read_questionnaire(code: str, actor: CurrentActor, settings: AppSettings) -> JSONResponse:
    inst = ALL.get(code)
    if inst is None:
        raise NotFound("Not found.")
    return FhirResponse(questionnaire(inst, settings.public_url))


@router.post(
    "/QuestionnaireResponse",
    status_code=201,
    responses=OUTCOMES,
    response_class=FhirResponse,
    openapi_extra=BODY,
)
async def create_questionnaire_response(
    request: Request,
    actor: CurrentActor,
    session: Session,
    settings: AppSettings,
    accept_language: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Answer a questionnaire (patients, their own); a crisis answer carries the site's crisis
    resources in the ``urn:careverse:wellbeing:crisis-resources`` extension."""
    try:
        code, answers = parse_response(await _body(request), actor.patient_id)
    except Refused as exc:
        raise InvalidInput(str(exc)) from None
    result = await WellbeingService(session, settings).submit(actor, code, answers, accept_language)
    resource = questionnaire_response(result, settings.public_url)
    return FhirResponse(
        resource, status_code=201, headers={"Location": f"/fhir/QuestionnaireResponse/{result.id}"}
    )


@router.get("/QuestionnaireResponse/{response_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_questionnaire_response(
    response_id: str, actor: CurrentActor, session: Session, settings: AppSettings
) -> JSONResponse:
    result = await WellbeingService(session, settings).response(actor, _uuid(response_id))
    return FhirResponse(questionnaire_response(result, settings.public_url))


@router.get("/QuestionnaireResponse", responses=OUTCOMES, response_class=FhirResponse)
async def search_questionnaire_responses(
    actor: CurrentActor,
    session: Session,
    settings: AppSettings,
    patient: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    """A patient's QuestionnaireResponses (``patient=``; a patient's own without it)."""
    patient_id = _uuid(patient) if patient else None
    results = await WellbeingService(session, settings).results(actor, patient_id)
    out = [questionnaire_response(r, settings.public_url) for r in results]
    return FhirResponse(bundle("searchset", out, settings.public_url))
