"""Exposure therapy HTTP API (``/api/wellbeing/exposure/...``): hierarchies, sessions, commands,
and the live stream of a patient's session changes (server-sent events)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor, sign_in_check
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.wellbeing.exposure_events import ExposureStreams, exposure_events
from careverse.wellbeing.exposure_schemas import (
    ControlIn,
    ExposureSessionOut,
    ExposureSessionsOut,
    ExposureStartIn,
    HierarchiesOut,
    HierarchyIn,
    HierarchyOut,
    SsqIn,
    SudsIn,
)
from careverse.wellbeing.exposure_service import ExposureService

router = APIRouter(prefix="/api/wellbeing/exposure", tags=["wellbeing"])
Session = Annotated[AsyncSession, Depends(get_session)]


def exposure_service(session: Session) -> ExposureService:
    return ExposureService(session)


Exposure = Annotated[ExposureService, Depends(exposure_service)]


def _steps(body: HierarchyIn) -> list[dict]:
    return [s.model_dump() for s in body.steps]


@router.post(
    "/patients/{patient_id}/hierarchies",
    status_code=status.HTTP_201_CREATED,
    response_model=HierarchyOut,
    responses=ERRORS,
)
async def create_hierarchy(
    patient_id: uuid.UUID, body: HierarchyIn, actor: CurrentActor, service: Exposure
) -> HierarchyOut:
    """The therapist writes a fear hierarchy (10-15 steps once ``ready``)."""
    view = await service.create_hierarchy(actor, patient_id, body.title, _steps(body), body.ready)
    return HierarchyOut.model_validate(view)


@router.put("/hierarchies/{hierarchy_id}", response_model=HierarchyOut, responses=ERRORS)
async def update_hierarchy(
    hierarchy_id: uuid.UUID, body: HierarchyIn, actor: CurrentActor, service: Exposure
) -> HierarchyOut:
    view = await service.update_hierarchy(actor, hierarchy_id, body.title, _steps(body), body.ready)
    return HierarchyOut.model_validate(view)


@router.get("/patients/{patient_id}/hierarchies", response_model=HierarchiesOut, responses=ERRORS)
async def patient_hierarchies(
    patient_id: uuid.UUID, actor: CurrentActor, service: Exposure
) -> HierarchiesOut:
    found = await service.hierarchies(actor, patient_id)
    return HierarchiesOut.model_validate({"hierarchies": found})


@router.get("/me/hierarchies", response_model=HierarchiesOut, responses=ERRORS)
async def my_hierarchies(actor: CurrentActor, service: Exposure) -> HierarchiesOut:
    return HierarchiesOut.model_validate({"hierarchies": await service.hierarchies(actor, None)})


@router.get("/patients/{patient_id}/sessions", response_model=ExposureSessionsOut, responses=ERRORS)
async def patient_sessions(
    patient_id: uuid.UUID, actor: CurrentActor, service: Exposure
) -> ExposureSessionsOut:
    """A patient's sessions, oldest first: SUDS within and between sessions, adherence."""
    return ExposureSessionsOut.model_validate(
        {"sessions": await service.sessions(actor, patient_id)}
    )


@router.get("/me/sessions", response_model=ExposureSessionsOut, responses=ERRORS)
async def my_sessions(actor: CurrentActor, service: Exposure) -> ExposureSessionsOut:
    return ExposureSessionsOut.model_validate({"sessions": await service.sessions(actor, None)})


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=ExposureSessionOut,
    responses=ERRORS,
)
async def start_session(
    body: ExposureStartIn, actor: CurrentActor, service: Exposure
) -> ExposureSessionOut:
    view = await service.start(actor, body.hierarchy_id, body.step, body.intensity)
    return ExposureSessionOut.model_validate(view)


@router.get("/sessions/{session_id}", response_model=ExposureSessionOut, responses=ERRORS)
async def get_session_view(
    session_id: uuid.UUID, actor: CurrentActor, service: Exposure
) -> ExposureSessionOut:
    return ExposureSessionOut.model_validate(await service.get(actor, session_id))


@router.post("/sessions/{session_id}/suds", response_model=ExposureSessionOut, responses=ERRORS)
async def rate(
    session_id: uuid.UUID, body: SudsIn, actor: CurrentActor, service: Exposure
) -> ExposureSessionOut:
    """The patient's SUDS (0-100) before, during (every minute) or after the exposure."""
    return ExposureSessionOut.model_validate(
        await service.rate(actor, session_id, body.phase, body.value)
    )


@router.post("/sessions/{session_id}/control", response_model=ExposureSessionOut, responses=ERRORS)
async def control(
    session_id: uuid.UUID, body: ControlIn, actor: CurrentActor, service: Exposure
) -> ExposureSessionOut:
    """``intensity`` (the therapist), ``pause``, ``resume``, ``stop`` (either)."""
    view = await service.control(actor, session_id, body.action, body.value)
    return ExposureSessionOut.model_validate(view)


@router.post("/sessions/{session_id}/ssq", response_model=ExposureSessionOut, responses=ERRORS)
async def ssq(
    session_id: uuid.UUID, body: SsqIn, actor: CurrentActor, service: Exposure
) -> ExposureSessionOut:
    """The simulator sickness questionnaire after the session (16 items, 0-3)."""
    return ExposureSessionOut.model_validate(
        await service.answer_ssq(actor, session_id, body.answers)
    )


@router.get(
    "/patients/{patient_id}/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    patient_id: uuid.UUID,
    actor: CurrentActor,
    request: Request,
    service: Exposure,
    session: Session,
    settings: Annotated[Settings, Depends(get_settings)],
) -> StreamingResponse:
    """Server-sent events: ``event: exposure`` (session id and kind of change) as the patient's
    sessions change; the page then reads the session. The patient and their therapist."""
    await service.may_watch(actor, patient_id)
    await session.close()  # hold no database connection for the life of the stream
    runtime = get_runtime(request)
    still_allowed = await sign_in_check(request, settings)

    return StreamingResponse(
        exposure_events(
            runtime.get(ExposureStreams),
            patient_id,
            settings.alert_stream_ping_seconds,
            still_allowed,
        ),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )
