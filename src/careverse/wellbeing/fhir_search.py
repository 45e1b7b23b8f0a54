"""FHIR search of QuestionnaireResponse on the kernel's toolkit (questionnaire, status,
authored, _id, _lastUpdated). It takes the place of wellbeing's first search
(:func:`~careverse.kernel.fhir_search_http.supersede`); with no parameters at all it still
answers a patient's own. Access: ``Category.WELLBEING``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.fhir import FhirResponse, bundle
from careverse.kernel.fhir_search import COMMON, DATE, REFERENCE, TOKEN, Param, Spec, parse, search
from careverse.kernel.fhir_search_http import is_lenient, parameters, register, supersede
from careverse.kernel.policy import Actor, Category
from careverse.wellbeing.fhir import questionnaire_response
from careverse.wellbeing.fhir_api import router as wellbeing_router
from careverse.wellbeing.service import WellbeingService, patient_responses, result_of

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])

QUESTIONNAIRE_RESPONSE = Spec(
    type="QuestionnaireResponse",
    category=Category.WELLBEING,
    params=(
        Param("questionnaire", REFERENCE, "The Questionnaire's canonical URL or id",
              lambda r: [r.get("questionnaire", "")]),
        Param("status", TOKEN, "completed", lambda r: [(None, r.get("status"))]),
        Param("authored", DATE, "When it was answered: prefix + date",
              lambda r: [r.get("authored")]),
        *COMMON,
    ),
    sorts={"authored": lambda r: r.get("authored")},
    default_sort="-authored",
)  # fmt: skip


async def search_questionnaire_responses(
    request: Request, actor: CurrentActor, session: Session, settings: AppSettings
) -> JSONResponse:
    """One patient's QuestionnaireResponses (GET, or POST a form to ``_search``); with no
    parameters, a patient's own."""
    base = settings.public_url
    pairs = await parameters(request)
    if not pairs:
        results = await WellbeingService(session, settings).results(actor, None)
        return FhirResponse(
            bundle("searchset", [questionnaire_response(r, base) for r in results], base)
        )

    async def load(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
        rows = await patient_responses(session, patient_id, None)
        return [questionnaire_response(result_of(r), base) for r in rows]

    query = parse(QUESTIONNAIRE_RESPONSE, pairs, is_lenient(request))
    return FhirResponse(await search(session, actor, query, load, base))


supersede(wellbeing_router, {"/QuestionnaireResponse"})
register(router, QUESTIONNAIRE_RESPONSE, search_questionnaire_responses)
