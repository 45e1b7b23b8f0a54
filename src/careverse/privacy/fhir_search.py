"""FHIR search of Consent and AuditEvent on the kernel's toolkit.

- Consent: status, category, scope, purpose, date, _id, _lastUpdated; ``patient`` required (a
  search with no parameters answers 422 as before). Access: ``Category.RECORD``, as the
  consents API.
- AuditEvent: a patient's trail (``patient`` or ``entity``, required), for the patient themself
  and admins (anyone else: 404, audited as a refusal), by ``date`` (recorded, prefixes),
  ``agent`` (the account), ``action`` (C, R, U, E), ``subtype`` (``urn:careverse:audit-action``),
  ``outcome``, ``_id`` and ``_lastUpdated`` (an audit row never changes: its recorded time).
  The newest :data:`AUDIT_LIMIT` events of the patient are searched.
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
from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    REFERENCE,
    TOKEN,
    Param,
    Query,
    Spec,
    meta_updated,
    parse,
    search,
    search_all,
)
from careverse.kernel.fhir_search_http import is_lenient, parameters, register
from careverse.kernel.policy import Actor, Category
from careverse.privacy.fhir import audit_event, consents_section
from careverse.privacy.service import PrivacyService

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


register(router, CONSENT, search_consents)

AUDIT_LIMIT = 2000


def _agents(r: dict) -> list[str]:
    return [a["who"]["identifier"]["value"] for a in r.get("agent", []) if "identifier" in a["who"]]


AUDIT_EVENT = Spec(
    type="AuditEvent",
    category=Category.RECORD,
    params=(
        Param("date", DATE, "When it was recorded: prefix + date", lambda r: [r.get("recorded")]),
        Param("agent", REFERENCE, "Who acted: <account id> (any type)", _agents),
        Param("action", TOKEN, "C, R, U, D, E", lambda r: [(None, r.get("action"))]),
        Param("subtype", TOKEN, "urn:careverse:audit-action|<action>",
              lambda r: [(s.get("system"), s.get("code")) for s in r.get("subtype", [])]),
        Param("outcome", TOKEN, "0 (success), 4, 8", lambda r: [(None, r.get("outcome"))]),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("recorded"), "_id": lambda r: r["id"].zfill(20)},
    default_sort="-date",
    patient_params=("patient", "entity"),
)  # fmt: skip


def audit_events(settings: Settings):
    async def load(session: AsyncSession, actor: Actor, query: Query) -> list[dict]:
        """The patient's newest audit events (their own trail, or an admin's read; else 404)."""
        rows, names = await PrivacyService(session, settings).audit_trail(
            actor, str(query.patient_id), limit=AUDIT_LIMIT
        )
        return [
            meta_updated(audit_event(r, names.get(r.actor_id) if r.actor_id else None), r.at)
            for r in rows
        ]

    return load


async def search_audit_events(
    request: Request, actor: CurrentActor, session: Session, settings: AppSettings
) -> JSONResponse:
    """Who did what with a patient's record (GET, or POST a form): for the patient, and admins."""
    pairs = await parameters(request)
    if not pairs:
        raise InvalidInput("Give the patient.", field="patient")
    query = parse(AUDIT_EVENT, pairs, is_lenient(request))
    return FhirResponse(
        await search_all(session, actor, query, audit_events(settings), settings.public_url)
    )


register(router, AUDIT_EVENT, search_audit_events)
