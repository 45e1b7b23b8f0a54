"""FHIR search of Consent on the kernel's toolkit (status, category, scope, date, _id,
_lastUpdated). It takes the place of privacy's first ``patient``-only search
(:func:`~careverse.kernel.fhir_search_http.supersede`); ``patient`` stays required (a search with
no parameters answers 422 as before). Access: ``Category.RECORD``, as the consents API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import InvalidInput
from careverse.kernel.fhir import FhirResponse
from careverse.kernel.fhir_search import COMMON, DATE, TOKEN, Param, Spec, parse, search
from careverse.kernel.fhir_search_http import is_lenient, parameters, register, supersede
from careverse.kernel.policy import Category
from careverse.privacy.fhir import consents_section
from careverse.privacy.fhir import router as privacy_router

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


def codings(element: object) -> list[tuple[str | None, str | None]]:
    items = element if isinstance(element, list) else [element]
    return [
        (c.get("system"), c.get("code"))
        for item in items
        if isinstance(item, dict)
        for c in item.get("coding") or []
    ]


CONSENT = Spec(
    type="Consent",
    category=Category.RECORD,
    params=(
        Param("status", TOKEN, "active, inactive …", lambda r: [(None, r.get("status"))]),
        Param("category", TOKEN, "http://loinc.org|59284-0", lambda r: codings(r.get("category"))),
        Param("scope", TOKEN, "treatment, research, patient-privacy",
              lambda r: codings(r.get("scope"))),
        Param("purpose", TOKEN, "urn:careverse:purpose|<purpose>",
              lambda r: [(p.get("system"), p.get("code"))
                         for p in r.get("provision", {}).get("purpose", [])]),
        Param("date", DATE, "When it was given: prefix + date", lambda r: [r.get("dateTime")]),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("dateTime")},
    default_sort="-date",
)  # fmt: skip


async def search_consents(
    request: Request, actor: CurrentActor, session: Session, settings: AppSettings
) -> JSONResponse:
    """One patient's Consents (GET, or POST a form to ``_search``)."""
    pairs = await parameters(request)
    if not pairs:
        raise InvalidInput("Give the patient.", field="patient")
    query = parse(CONSENT, pairs, is_lenient(request))
    return FhirResponse(await search(session, actor, query, consents_section, settings.public_url))


supersede(privacy_router, {"/Consent"})
register(router, CONSENT, search_consents)
