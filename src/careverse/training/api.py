"""Training HTTP API: the scenario catalogue and the lab runs' results and debrief notes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.training.lab import interventions
from careverse.training.physiology import CONDITIONS
from careverse.training.scenarios import load, scenario_ids
from careverse.training.schemas import (
    InterventionOut,
    NotesIn,
    RunBriefOut,
    RunOut,
    RunsOut,
    ScenarioOut,
    TraineeOut,
    TrainingCatalogueOut,
)
from careverse.training.service import RunView, TrainingService

router = APIRouter(prefix="/api/training", tags=["training"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]


@router.get("/catalogue", response_model=TrainingCatalogueOut)
async def catalogue(actor: CurrentActor) -> TrainingCatalogueOut:
    """The shipped scenarios, the interventions trainees can give, the conditions instructors
    can inject (no patient data: the patients are fictional)."""
    del actor
    scenarios = []
    for sid in scenario_ids():
        s = load(sid)
        scenarios.append(
            ScenarioOut(
                id=s.id, title=s.title, condition=s.condition, summary=s.summary,
                duration_s=s.duration_s, learning_objectives=list(s.learning_objectives),
            )
        )  # fmt: skip
    return TrainingCatalogueOut(
        scenarios=scenarios,
        interventions=[InterventionOut.model_validate(i) for i in interventions()],
        conditions=list(CONDITIONS),
    )


@router.get("/runs", response_model=RunsOut)
async def list_runs(actor: CurrentActor, session: Session) -> RunsOut:
    """The lab runs the caller was in (trainee or instructor), newest first."""
    runs = await TrainingService(session).runs(actor)
    return RunsOut(
        runs=[
            RunBriefOut(
                id=r.id, scenario=r.scenario, title=r.title, outcome=r.outcome,
                total=float(r.score.get("total", 0.0)), passed=bool(r.score.get("passed")),
                ended_at=r.ended_at, instructor=r.instructor_id == actor.account_id,
            )
            for r in runs
        ]
    )  # fmt: skip


def _out(view: RunView, me: uuid.UUID) -> RunOut:
    r = view.run
    trainees = [
        TraineeOut(
            id=t.account_id, name=t.name,
            score=t.score if view.instructor or t.account_id == me else None,
        )
        for t in view.trainees
    ]  # fmt: skip
    return RunOut(
        id=r.id, space_id=r.space_id, scenario=r.scenario, title=r.title,
        instructor_name=r.instructor_name, instructor=view.instructor, started_at=r.started_at,
        ended_at=r.ended_at, outcome=r.outcome, score=r.score, log=r.log, timeline=r.timeline,
        trainees=trainees, notes=dict(r.notes or {}),
    )  # fmt: skip


@router.get("/runs/{run_id}", response_model=RunOut)
async def get_run(run_id: uuid.UUID, actor: CurrentActor, session: Session) -> RunOut:
    """One run for its debrief: the event log, the vitals timeline, the team's score, and the
    caller's own score (the instructor sees each trainee's)."""
    return _out(await TrainingService(session).run(actor, run_id), actor.account_id)


@router.put("/runs/{run_id}/notes", response_model=RunOut)
async def save_notes(
    run_id: uuid.UUID, body: NotesIn, actor: CurrentActor, session: Session
) -> RunOut:
    """The instructor's PEARLS debrief notes (phases left out are kept)."""
    notes = {k: v for k, v in body.model_dump().items() if v is not None}
    view = await TrainingService(session).save_notes(actor, run_id, notes)
    return _out(view, actor.account_id)


@router.get(
    "/runs/{run_id}/debrief.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def debrief_pdf(run_id: uuid.UUID, actor: CurrentActor, session: Session) -> Response:
    """The run's PEARLS debrief as a PDF for the trainee's portfolio (the run's trainees and
    instructor only)."""
    name, pdf = await TrainingService(session).debrief_pdf(actor, run_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
