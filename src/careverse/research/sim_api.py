"""In-silico trials HTTP API: the shipped examples, and small runs polled for progress
(docs/research.md, "In-silico trials")."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import ValidationError

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.actor import require_role
from careverse.kernel.errors import InvalidInput
from careverse.research.insilico import TrialSpec, example_ids, load_trial
from careverse.research.insilico_jobs import (
    HTTP_MAX_COHORT,
    HTTP_MAX_PATIENT_HOURS,
    RUNS,
    SIMULATION_ROLES,
    TrialRun,
)
from careverse.research.insilico_schemas import (
    SimExampleOut,
    SimExamplesOut,
    SimResultOut,
    SimRunIn,
    SimRunOut,
)

router = APIRouter(prefix="/api/research/sim", tags=["research"], responses=ERRORS)


def _out(run: TrialRun) -> SimRunOut:
    result = SimResultOut.model_validate(run.result) if run.result else None
    return SimRunOut(
        id=str(run.id), status=run.status, done=run.done, total=run.total, result=result,
        error=run.error,
    )  # fmt: skip


@router.get("/examples", response_model=SimExamplesOut)
async def examples(actor: CurrentActor) -> SimExamplesOut:
    """The example trial files shipped with Careverse (fictional patients only)."""
    require_role(actor, *SIMULATION_ROLES)
    out = []
    for trial_id in example_ids():
        spec = load_trial(trial_id)
        out.append(
            SimExampleOut(
                id=spec.id, title=spec.title, summary=spec.summary,
                trial=spec.model_dump(mode="json", exclude_defaults=False),
            )
        )  # fmt: skip
    return SimExamplesOut(
        examples=out, max_cohort=HTTP_MAX_COHORT, max_patient_hours=HTTP_MAX_PATIENT_HOURS
    )


@router.post("/runs", response_model=SimRunOut, status_code=202)
async def start_run(body: SimRunIn, actor: CurrentActor) -> SimRunOut:
    """Start a small in-silico trial; poll ``GET /runs/{id}`` for its progress and result."""
    require_role(actor, *SIMULATION_ROLES)
    if body.example is not None:
        if body.example not in example_ids():
            raise InvalidInput("No such example trial.", field="example")
        spec = load_trial(body.example)
    else:
        assert body.trial is not None
        spec = body.trial
    if body.cohort_size is not None:
        data = spec.model_dump()
        data["cohort"]["size"] = body.cohort_size
        try:
            spec = TrialSpec.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(_first_error(exc), field="cohort_size") from None
    return _out(RUNS.start(actor, spec))


@router.get("/runs/{run_id}", response_model=SimRunOut)
async def get_run(run_id: uuid.UUID, actor: CurrentActor) -> SimRunOut:
    """One of the caller's runs: its progress, then its result."""
    return _out(RUNS.get(actor, run_id))


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    return str(errors[0].get("msg", "invalid")) if errors else "invalid"
