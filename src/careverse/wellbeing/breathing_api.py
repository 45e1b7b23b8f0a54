"""Breathing and biofeedback HTTP API: sessions, the resonance finder, the live beat stream."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor, sign_in_check
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.kernel.errors import InvalidInput
from careverse.wellbeing.biofeedback import BeatStreams, beat_events
from careverse.wellbeing.breathing import BreathingService, Session
from careverse.wellbeing.breathing_schemas import (
    BreathingFinishIn,
    BreathingSessionIn,
    BreathingSessionOut,
    BreathingSessionsOut,
    ResonanceIn,
)

router = APIRouter(prefix="/api/wellbeing/breathing", tags=["wellbeing breathing"])
DbSession = Annotated[AsyncSession, Depends(get_session)]


def breathing_service(session: DbSession) -> BreathingService:
    return BreathingService(session)


Breathing = Annotated[BreathingService, Depends(breathing_service)]


def session_out(s: Session) -> BreathingSessionOut:
    return BreathingSessionOut.model_validate(asdict(s))


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=BreathingSessionOut,
    responses=ERRORS,
)
async def start_session(body: BreathingSessionIn, actor: CurrentActor, service: Breathing):
    """Start a breathing session (the signed-in patient's own) with the stress before it."""
    return session_out(
        await service.start(actor, body.mode, body.rate, body.stress_before, body.setting)
    )


@router.post(
    "/sessions/{session_id}/resonance", response_model=BreathingSessionOut, responses=ERRORS
)
async def choose_resonance(
    session_id: uuid.UUID, body: ResonanceIn, actor: CurrentActor, service: Breathing
):
    """The resonance finder: the RR intervals recorded at each paced rate (4.5-7 a minute);
    the rate with the largest heart-rate swing per breath becomes the session's."""
    trials: dict[float, list[float]] = {}
    for trial in body.trials:
        if float(trial.rate) in trials:
            raise InvalidInput("Each paced rate may be given once.", field="trials")
        trials[float(trial.rate)] = [float(v) for v in trial.rr_ms]
    return session_out(await service.resonance(actor, session_id, trials))


@router.post("/sessions/{session_id}/finish", response_model=BreathingSessionOut, responses=ERRORS)
async def finish_session(
    session_id: uuid.UUID, body: BreathingFinishIn, actor: CurrentActor, service: Breathing
):
    """Finish with the stress after it and the RR intervals the page saw (summarised, not kept)."""
    rr = [float(v) for v in body.rr_ms]
    return session_out(await service.finish(actor, session_id, body.stress_after, rr))


@router.get("/sessions", response_model=BreathingSessionsOut, responses=ERRORS)
async def list_sessions(actor: CurrentActor, service: Breathing) -> BreathingSessionsOut:
    """The patient's breathing sessions, newest first."""
    return BreathingSessionsOut(sessions=[session_out(s) for s in await service.sessions(actor)])


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def beat_stream(
    actor: CurrentActor,
    request: Request,
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
) -> StreamingResponse:
    """Server-sent events of the patient's own beats as the monitoring ingest stores them:
    `event: hrv` with the live RMSSD over the last 30 s, heart rate and the new RR intervals;
    `: ping` every 15 s (the sign-in is checked again at each)."""
    patient_id = await BreathingService(session).may_stream(actor)
    await session.close()  # hold no database connection for the life of the stream
    runtime = get_runtime(request)
    still_signed_in = await sign_in_check(request, settings)

    return StreamingResponse(
        beat_events(
            runtime.get(BeatStreams),
            patient_id,
            settings.alert_stream_ping_seconds,
            still_signed_in,
        ),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )
