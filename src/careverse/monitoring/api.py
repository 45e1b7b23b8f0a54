"""Monitoring ingest HTTP API: devices, pairing, readings in, vitals out."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor, any_actor, bearer, current_actor, identity_service
from careverse.kernel.config import Settings
from careverse.kernel.deps import client_address, get_session, get_settings
from careverse.kernel.errors import InvalidInput
from careverse.monitoring import ingest
from careverse.monitoring.models import Device
from careverse.monitoring.schemas import (
    BatchIn,
    BatchOut,
    DeviceIn,
    DeviceOut,
    LatestOut,
    PairIn,
    PairingCodeOut,
    PairOut,
    VitalsOut,
)
from careverse.monitoring.service import (
    CREDENTIAL_PREFIX,
    MonitoringService,
    device_for_credential,
    received_now,
)

router = APIRouter(prefix="/api/monitoring", tags=["monitoring"])


def monitoring_service(session: Annotated[AsyncSession, Depends(get_session)]) -> MonitoringService:
    return MonitoringService(session)


Monitoring = Annotated[MonitoringService, Depends(monitoring_service)]


def device_out(d: Device) -> DeviceOut:
    return DeviceOut(
        id=d.id, patient_id=d.patient_id, kind=d.kind, label=d.label, status=d.status,
        created_at=d.created_at, paired_at=d.paired_at, revoked_at=d.revoked_at,
    )  # fmt: skip


@router.post(
    "/devices", status_code=status.HTTP_201_CREATED, response_model=DeviceOut, responses=ERRORS
)
async def register_device(body: DeviceIn, actor: CurrentActor, service: Monitoring) -> DeviceOut:
    """Register a device for a patient (the patient, a caregiver who may write, their clinician)."""
    return device_out(await service.register_device(actor, body.patient_id, body.kind, body.label))


@router.get("/patients/{patient_id}/devices", response_model=list[DeviceOut], responses=ERRORS)
async def list_devices(
    patient_id: uuid.UUID, actor: CurrentActor, service: Monitoring
) -> list[DeviceOut]:
    """A patient's devices."""
    return [device_out(d) for d in await service.devices(actor, patient_id)]


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def revoke_device(device_id: uuid.UUID, actor: CurrentActor, service: Monitoring) -> Response:
    """Revoke a device: its credential stops working at once."""
    await service.revoke_device(actor, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/devices/{device_id}/pairing-code",
    status_code=status.HTTP_201_CREATED,
    response_model=PairingCodeOut,
    responses=ERRORS,
)
async def pairing_code(
    device_id: uuid.UUID, actor: CurrentActor, service: Monitoring
) -> PairingCodeOut:
    """A short-lived code (10 minutes) the patient types into, or shows to, the device."""
    code, expires_at = await service.pairing_code(actor, device_id)
    return PairingCodeOut(code=code, expires_at=expires_at)


@router.post("/pair", response_model=PairOut, responses=ERRORS)
async def pair(body: PairIn, request: Request, service: Monitoring) -> PairOut:
    """A device exchanges a pairing code for its credential (shown once; stored hashed)."""
    paired = await service.pair(body.code, client_address(request))
    return PairOut(device_id=paired.device_id, credential=paired.credential)


@router.post(
    "/readings",
    response_model=BatchOut,
    responses={**ERRORS, 422: {"description": "Not a batch, or no patient named"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BatchIn.model_json_schema()}},
        }
    },
)
async def post_readings(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
    service: Monitoring,
    token: Annotated[str | None, Depends(bearer)],
) -> JSONResponse:
    """A batch of Open mHealth data points, from a device (its credential as the bearer token)
    or from a signed-in user (with ``patient_id``). Each item answers stored, duplicate or
    rejected with the reason; the answer comes only after the good items are committed."""
    received = received_now()
    body = await request.body()
    if token and token.startswith(CREDENTIAL_PREFIX + "_"):
        device = await device_for_credential(session, token)
        envelope = ingest.decode_envelope(body)
        if envelope.patient_id is not None and envelope.patient_id != device.patient_id:
            raise InvalidInput("A device writes only to its own patient.", field="patient_id")
        items = ingest.parse_batch(envelope.data_points)
        outcome = await service.ingest_as_device(device, items, received)
    else:
        actor = await current_actor(
            await any_actor(request, identity_service(session, settings, request), token)
        )
        envelope = ingest.decode_envelope(body)
        if envelope.patient_id is None:
            raise InvalidInput("patient_id is required.", field="patient_id")
        items = ingest.parse_batch(envelope.data_points)
        outcome = await service.ingest_as_user(actor, envelope.patient_id, items, received)
    return JSONResponse(outcome.as_json())


@router.get("/patients/{patient_id}/vitals", response_model=VitalsOut, responses=ERRORS)
async def vitals(
    patient_id: uuid.UUID,
    actor: CurrentActor,
    service: Monitoring,
    code: Annotated[str, Query(max_length=16)],
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
    buckets: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> dict:
    """One code's values over a time range, downsampled in the database (min/max/mean/n)."""
    return await service.vitals(actor, patient_id, code, start, end, buckets)


@router.get("/patients/{patient_id}/readings/latest", response_model=LatestOut, responses=ERRORS)
async def latest(patient_id: uuid.UUID, actor: CurrentActor, service: Monitoring) -> dict:
    """The newest value of each code."""
    return await service.latest(actor, patient_id)
