"""Research HTTP API: trials, eligibility, enrolment and past allocations (docs/research.md).

No route returns a trial's seed or the next allocation: the sequence is sealed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import RuntimeDep, SessionDep
from careverse.research.models import Allocation, Trial
from careverse.research.schemas import (
    ResearchAllocationOut,
    ResearchEnrolIn,
    ResearchTrialIn,
    ResearchTrialOut,
)
from careverse.research.trials import Arm, TrialInput, TrialService

router = APIRouter(prefix="/api/research/studies", tags=["research"], responses=ERRORS)


def trials(session: SessionDep, runtime: RuntimeDep) -> TrialService:
    return TrialService(session, runtime.patient_record)


Trials = Annotated[TrialService, Depends(trials)]


def _trial(row: Trial, enrolled: int) -> ResearchTrialOut:
    return ResearchTrialOut(
        id=row.id, title=row.title, method=row.method, arms=row.arms, block_sizes=row.block_sizes,
        factors=row.factors, capacity=row.capacity, cohort_id=row.cohort_id, enrolled=enrolled,
    )  # fmt: skip


def _allocation(row: Allocation, participant: str) -> ResearchAllocationOut:
    return ResearchAllocationOut(seq=row.seq, participant=participant, arm=row.arm,
                                 stratum=row.stratum, enrolled_at=row.enrolled_at)  # fmt: skip


@router.get("/{study_id}/trials", response_model=list[ResearchTrialOut])
async def list_trials(study_id: uuid.UUID, actor: CurrentActor, service: Trials):
    return [_trial(t, n) for t, n in await service.trials(actor, study_id)]


@router.post("/{study_id}/trials", response_model=ResearchTrialOut, status_code=201)
async def create_trial(
    study_id: uuid.UUID, body: ResearchTrialIn, actor: CurrentActor, service: Trials
):
    data = TrialInput(
        body.title, body.method, [Arm(a.name, a.ratio, a.intervention) for a in body.arms],
        body.block_sizes, body.factors, body.capacity, body.cohort_id,
    )  # fmt: skip
    return _trial(await service.create(actor, study_id, data), 0)


@router.get("/{study_id}/trials/{trial_id}/eligible", response_model=list[str])
async def eligible(study_id: uuid.UUID, trial_id: uuid.UUID, actor: CurrentActor, service: Trials):
    return await service.eligible(actor, study_id, trial_id)


@router.get("/{study_id}/trials/{trial_id}/allocations", response_model=list[ResearchAllocationOut])
async def allocations(
    study_id: uuid.UUID, trial_id: uuid.UUID, actor: CurrentActor, service: Trials
):
    return [_allocation(a, p) for a, p in await service.allocations(actor, study_id, trial_id)]


@router.post(
    "/{study_id}/trials/{trial_id}/enrolments", response_model=ResearchAllocationOut,
    status_code=201,
)  # fmt: skip
async def enrol(
    study_id: uuid.UUID, trial_id: uuid.UUID, body: ResearchEnrolIn, actor: CurrentActor,
    service: Trials,
):  # fmt: skip
    row, participant = await service.enrol(actor, study_id, trial_id, body.participant)
    return _allocation(row, participant)
