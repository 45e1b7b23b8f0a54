"""FHIR routes of monitoring (paths relative to ``/fhir``): POST /Observation,
GET /Observation/{id}, GET /Observation (search: :mod:`careverse.monitoring.fhir_search`), and
batch/transaction Bundles of Observations (POST ``""``, i.e. /fhir).

:func:`fhir_router` is what monitoring's setup registers with ``runtime.include_fhir_router``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import any_actor, bearer, current_actor, identity_service
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import DomainError, InvalidInput
from careverse.kernel.fhir import FHIR_JSON, OUTCOMES, FhirResponse, operation_outcome
from careverse.kernel.policy import Actor
from careverse.monitoring import fhir_search, fhir_search_records, ingest, json_input
from careverse.monitoring.fhir import observation, observation_item
from careverse.monitoring.models import Device, Reading
from careverse.monitoring.service import CREDENTIAL_PREFIX, MonitoringService, device_for_credential

__all__ = ["BODY", "RESPONSES", "FhirResponse", "fhir_router", "post_bundle", "router"]

router = APIRouter(tags=["fhir"])  # Observation create and read
MAX_ENTRIES = 1000
RESPONSES = OUTCOMES
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Token = Annotated[str | None, Depends(bearer)]


async def _writer(
    request: Request, session: AsyncSession, settings: Settings, token: str | None
) -> Device | Actor:
    if token and token.startswith(CREDENTIAL_PREFIX + "_"):
        return await device_for_credential(session, token)
    return await current_actor(
        await any_actor(request, identity_service(session, settings, request), token)
    )


async def _json(request: Request) -> object:
    try:
        return json_input.decode(await request.body())
    except msgspec.DecodeError:
        raise InvalidInput("The body is not valid JSON.") from None


def _check_if_none_exist(condition: str, resource: object) -> None:
    """Only ``identifier=[system|]value`` naming the Observation's own dedupe key is supported."""
    name, _, wanted = condition.partition("=")
    if name.strip() != "identifier" or not wanted or "&" in wanted:
        raise DomainError("If-None-Exist supports only identifier=<system>|<value>.")
    identifiers = resource.get("identifier") if isinstance(resource, dict) else None
    first = next((i for i in identifiers or [] if isinstance(i, dict) and i.get("value")), None)
    if first is None:
        raise DomainError("If-None-Exist names an identifier the Observation does not carry.")
    system, bar, value = wanted.rpartition("|")
    if value != str(first["value"]) or (bar and system != first.get("system", "")):
        raise DomainError("If-None-Exist must name the Observation's first identifier.")


def stored_observation(rows: list[Reading]) -> dict:
    """The first row as an Observation, with a panel's or an SpO2's other values as components."""
    resource = observation(rows[0])
    if len(rows) > 1:
        resource["component"] = [
            {"code": observation(r)["code"], "valueQuantity": observation(r)["valueQuantity"]}
            for r in rows[1:]
        ]
    return resource


@router.post(
    "/Observation",
    status_code=201,
    responses={400: {"description": "Unsupported If-None-Exist (OperationOutcome)"}, **RESPONSES},
    response_class=FhirResponse,
    openapi_extra=BODY,
)
async def create_observation(
    request: Request,
    session: Session,
    settings: AppSettings,
    token: Token,
    if_none_exist: Annotated[str | None, Header(max_length=300)] = None,
) -> JSONResponse:
    """Store a vital-signs Observation (from a device credential or a signed-in user).

    Conditional create: ``If-None-Exist: identifier=<system>|<value>`` naming the Observation's
    (first) identifier, which is ingest's dedupe key: a second POST stores nothing and answers
    200 with the stored Observation."""
    writer = await _writer(request, session, settings, token)
    resource = await _json(request)
    if if_none_exist is not None:
        _check_if_none_exist(if_none_exist, resource)
    item = observation_item(resource, 0, clock.now())
    stored = await MonitoringService(session).ingest_observations(writer, [item], atomic=True)
    if item.reason is not None or 0 not in stored or not stored[0]:
        return FhirResponse(operation_outcome("invalid", item.reason or "not stored"), 422)
    resource = stored_observation(stored[0])
    return FhirResponse(
        resource,
        status_code=201 if item.status == "stored" else 200,
        headers={"Location": f"/fhir/Observation/{resource['id']}"},
    )


@router.get("/Observation/{observation_id}", responses=RESPONSES, response_class=FhirResponse)
async def read_observation(
    observation_id: str, request: Request, session: Session, settings: AppSettings, token: Token
) -> JSONResponse:
    """One stored reading as an Observation."""
    actor: Actor = await current_actor(
        await any_actor(request, identity_service(session, settings, request), token)
    )
    reading_id = (
        int(observation_id) if observation_id.isdigit() and len(observation_id) < 19 else None
    )
    return FhirResponse(observation(await MonitoringService(session).reading(actor, reading_id)))


async def post_bundle(
    request: Request, session: Session, settings: AppSettings, token: Token
) -> JSONResponse:
    """A batch (each entry answered on its own) or transaction (all or nothing) of Observations."""
    writer = await _writer(request, session, settings, token)
    bundle = await _json(request)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidInput("Expected a Bundle.")
    kind = bundle.get("type")
    if kind not in ("batch", "transaction"):
        raise InvalidInput("Bundle type must be batch or transaction.")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise InvalidInput(f"A Bundle holds at most {MAX_ENTRIES} entries.")
    now = clock.now()
    items = []
    for index, entry in enumerate(entries):
        req = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(req, dict) or req.get("method") != "POST" or str(
            req.get("url", "")
        ).split("?")[0] not in ("Observation", "/Observation"):  # fmt: skip
            items.append(ingest.Item(index, reason="only POST Observation entries are supported"))
            continue
        items.append(observation_item(entry.get("resource"), index, now))
    atomic = kind == "transaction"
    stored = await MonitoringService(session).ingest_observations(
        writer, items, atomic=atomic, bundle=kind
    )
    failed = [i for i in items if i.reason]
    if atomic and failed:
        first = failed[0]
        return FhirResponse(
            operation_outcome("invalid", f"entry {first.index}: {first.reason}; nothing stored"),
            422,
        )
    out = []
    for item in items:
        if item.reason or item.index not in stored or not stored[item.index]:
            out.append(
                {
                    "response": {
                        "status": "422 Unprocessable Entity",
                        "outcome": operation_outcome("invalid", item.reason or "not stored"),
                    }
                }
            )
            continue
        resource = stored_observation(stored[item.index])
        out.append(
            {
                "fullUrl": f"{str(request.base_url).rstrip('/')}/fhir/Observation/{resource['id']}",
                "resource": resource,
                "response": {
                    "status": "201 Created" if item.status == "stored" else "200 OK",
                    "location": f"Observation/{resource['id']}",
                },
            }
        )
    return FhirResponse(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": f"{kind}-response",
            "entry": out,
        }
    )


def fhir_router() -> APIRouter:
    """Monitoring's FHIR routes, relative to ``/fhir``: Observation create and read, and Bundles
    at the base (mount with a prefix: FastAPI refuses an empty path without one)."""
    routes = APIRouter(tags=["fhir"])
    routes.include_router(router)
    routes.include_router(fhir_search.router)  # GET /Observation, POST /Observation/_search
    routes.include_router(fhir_search_records.router)  # Device and Flag: search and read
    routes.add_api_route(
        "", post_bundle, methods=["POST"], responses=RESPONSES, response_class=FhirResponse,
        openapi_extra=BODY,
    )  # fmt: skip
    return routes
