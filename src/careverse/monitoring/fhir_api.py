"""FHIR routes of monitoring, included into the /fhir router by careverse.fhir.api:
POST /fhir/Observation, GET /fhir/Observation/{id}, and batch/transaction Bundles (POST /fhir)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir.resources import FHIR_JSON, operation_outcome
from careverse.identity.deps import any_actor, bearer, current_actor, identity_service
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, authorize
from careverse.monitoring import ingest
from careverse.monitoring.events import ReadingListeners
from careverse.monitoring.fhir import observation, observation_item
from careverse.monitoring.models import Device, Reading
from careverse.monitoring.service import (
    CREDENTIAL_PREFIX,
    MonitoringService,
    device_for_credential,
    received_now,
)

router = APIRouter(tags=["fhir"])
MAX_ENTRIES = 1000
_OUTCOME = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
RESPONSES = {
    s: {"description": d, **_OUTCOME}
    for s, d in (
        (401, "Not signed in"), (403, "Not allowed"), (404, "Not found"), (422, "Invalid"),
    )
}  # fmt: skip
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


async def _writer(request: Request, session: AsyncSession, settings: Settings, token: str | None):
    if token and token.startswith(CREDENTIAL_PREFIX + "_"):
        return await device_for_credential(session, token)
    return await current_actor(
        await any_actor(request, identity_service(session, settings, request), token)
    )


async def _json(request: Request) -> object:
    import msgspec

    try:
        return msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        raise InvalidInput("The body is not valid JSON.") from None


async def _store(
    session: AsyncSession, writer, items: list[ingest.Item], *, atomic: bool, listeners
) -> dict[int, list[Reading]]:
    """Store the items; answers the stored rows of each stored or duplicate item by index."""
    received = received_now()
    service = MonitoringService(session, listeners)
    if isinstance(writer, Device):
        for item in items:
            if item.reason is None and item.patient_id not in (None, writer.patient_id):
                item.reason, item.values = "a device writes only to its own patient", []
            item.patient_id = writer.patient_id
        if atomic and any(i.reason for i in items):
            return {}
        await service.ingest_as_device(writer, items, received, channel="fhir")
    else:
        for item in items:
            if item.reason is None and item.patient_id is None:
                item.reason, item.values = "subject (Patient/<id>) is required", []
        await service.ingest_many(writer, items, received, atomic=atomic)
    keys = [
        (i.patient_id, v.source_id, v.code)
        for i in items
        if i.status in ("stored", "duplicate")
        for v in i.values
    ]
    rows: dict[tuple, Reading] = {}
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        found = await session.scalars(
            select(Reading).where(
                tuple_(Reading.patient_id, Reading.source_id, Reading.code).in_(chunk)
            )
        )
        rows.update({(r.patient_id, r.source_id, r.code): r for r in found})
    await session.commit()
    return {
        i.index: [rows[k] for v in i.values if (k := (i.patient_id, v.source_id, v.code)) in rows]
        for i in items
        if i.status in ("stored", "duplicate")
    }


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
    responses=RESPONSES,
    response_class=FhirResponse,
    openapi_extra=BODY,
)
async def create_observation(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
    token: Annotated[str | None, Depends(bearer)],
) -> JSONResponse:
    """Store a vital-signs Observation (from a device credential or a signed-in user)."""
    writer = await _writer(request, session, settings, token)
    item = observation_item(await _json(request), 0, clock.now())
    stored = await _store(
        session, writer, [item], atomic=True, listeners=get_runtime(request).find(ReadingListeners)
    )
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
    observation_id: str,
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
    token: Annotated[str | None, Depends(bearer)],
) -> JSONResponse:
    """One stored reading as an Observation."""
    actor: Actor = await current_actor(
        await any_actor(request, identity_service(session, settings, request), token)
    )
    reading = (
        await session.get(Reading, int(observation_id))
        if observation_id.isdigit() and len(observation_id) < 19
        else None
    )
    if reading is None:
        raise NotFound("Not found.")
    await authorize(
        session, actor, reading.patient_id, Category.VITALS, resource_type="Observation",
        resource_id=reading.id,
    )  # fmt: skip
    await session.commit()
    return FhirResponse(observation(reading))


async def post_bundle(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
    token: Annotated[str | None, Depends(bearer)],
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
    stored = await _store(
        session, writer, items, atomic=atomic, listeners=get_runtime(request).find(ReadingListeners)
    )
    failed = [i for i in items if i.reason]
    if atomic and failed:
        await session.rollback()
        first = failed[0]
        return FhirResponse(
            operation_outcome("invalid", f"entry {first.index}: {first.reason}; nothing stored"),
            422,
        )
    if isinstance(writer, Device):
        pass  # audited by ingest_as_device
    else:
        audit.record(
            session, "fhir.bundle", actor=writer, resource_type="Bundle",
            detail={"type": kind, "entries": len(items), "failed": len(failed)},
        )  # fmt: skip
        await session.commit()
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
