"""The authoring screen's API: educators' scenario drafts and the live preview."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.training import authoring
from careverse.training.models import ScenarioDraft
from careverse.training.scenarios.runner import RunResult
from careverse.training.schemas import (
    ScenarioDraftBriefOut,
    ScenarioDraftIn,
    ScenarioDraftOut,
    ScenarioDraftsOut,
    ScenarioPreviewIn,
    ScenarioPreviewOut,
    ScenarioPreviewRunOut,
)

router = APIRouter(prefix="/api/training", tags=["training"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]


def _run_out(result: RunResult) -> ScenarioPreviewRunOut:
    return ScenarioPreviewRunOut(
        outcome=result.outcome, score=result.score.as_dict(), log=result.log,
        timeline=result.timeline, vitals=result.vitals.as_dict(),
    )  # fmt: skip


def _draft_out(draft: ScenarioDraft) -> ScenarioDraftOut:
    return ScenarioDraftOut(
        id=draft.id, title=draft.title, scenario=draft.scenario, actions=draft.actions
    )


@router.post("/scenarios/preview", response_model=ScenarioPreviewOut)
async def preview(body: ScenarioPreviewIn, actor: CurrentActor) -> ScenarioPreviewOut:
    """Run the scenario headless with its model answer and without (educators only)."""
    done = await authoring.preview(actor, body.scenario, list(body.actions), body.seed)
    return ScenarioPreviewOut(
        with_actions=_run_out(done.with_actions), without_actions=_run_out(done.without_actions)
    )


@router.get("/scenarios/{scenario_id}/source", response_model=ScenarioDraftOut)
async def shipped_source(scenario_id: str, actor: CurrentActor) -> ScenarioDraftOut:
    """A shipped scenario's JSON and model answer, to start a draft from (educators only)."""
    authoring.require_author(actor)
    scenario, answer = authoring.shipped(scenario_id)
    return ScenarioDraftOut(
        id=None, title=scenario.title, scenario=scenario.model_dump(mode="json"), actions=answer
    )


@router.get("/drafts", response_model=ScenarioDraftsOut)
async def list_drafts(actor: CurrentActor, session: Session) -> ScenarioDraftsOut:
    """The caller's scenario drafts."""
    drafts = await authoring.AuthoringService(session).drafts(actor)
    return ScenarioDraftsOut(
        drafts=[
            ScenarioDraftBriefOut(id=d.id, title=d.title, updated_at=d.updated_at) for d in drafts
        ]
    )


@router.post("/drafts", response_model=ScenarioDraftOut, status_code=201)
async def create_draft(
    body: ScenarioDraftIn, actor: CurrentActor, session: Session
) -> ScenarioDraftOut:
    """Save a new draft (validated by the scenario schema)."""
    service = authoring.AuthoringService(session)
    return _draft_out(await service.save(actor, body.scenario, list(body.actions)))


@router.get("/drafts/{draft_id}", response_model=ScenarioDraftOut)
async def get_draft(draft_id: uuid.UUID, actor: CurrentActor, session: Session) -> ScenarioDraftOut:
    """One of the caller's drafts."""
    return _draft_out(await authoring.AuthoringService(session).draft(actor, draft_id))


@router.put("/drafts/{draft_id}", response_model=ScenarioDraftOut)
async def update_draft(
    draft_id: uuid.UUID, body: ScenarioDraftIn, actor: CurrentActor, session: Session
) -> ScenarioDraftOut:
    """Replace one of the caller's drafts."""
    service = authoring.AuthoringService(session)
    return _draft_out(await service.save(actor, body.scenario, list(body.actions), draft_id))


@router.delete("/drafts/{draft_id}", status_code=204, response_class=Response)
async def delete_draft(draft_id: uuid.UUID, actor: CurrentActor, session: Session) -> Response:
    """Delete one of the caller's drafts."""
    await authoring.AuthoringService(session).delete(actor, draft_id)
    return Response(status_code=204)
