"""Self-help HTTP API (`/api/wellbeing/self-help/…`): psychoeducation modules and progress,
thought records, the behavioural activation planner, the clinician's summary."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, status
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import NotFound
from careverse.wellbeing.schemas import CrisisPathOut, CrisisResourcesOut
from careverse.wellbeing.selfhelp_modules import BY_CODE, MODULES, THINKING_TRAPS
from careverse.wellbeing.selfhelp_schemas import (
    ActivityIn,
    ActivityOut,
    ActivityUpdateIn,
    CatalogueOut,
    ModuleOut,
    ModuleProgressOut,
    ModulesOut,
    RecommendIn,
    SectionReadIn,
    SelfHelpSummaryOut,
    ShareIn,
    ThoughtRecordIn,
    ThoughtRecordOut,
    ThoughtRecordsOut,
    WeekOut,
)
from careverse.wellbeing.selfhelp_service import SelfHelpService
from careverse.wellbeing.service import Crisis

router = APIRouter(prefix="/api/wellbeing/self-help", tags=["wellbeing self-help"])
AcceptLanguage = Annotated[str | None, Header(max_length=200)]


def selfhelp_service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> SelfHelpService:
    return SelfHelpService(session, settings)


SelfHelp = Annotated[SelfHelpService, Depends(selfhelp_service)]


def crisis_out(c: Crisis | None) -> CrisisPathOut | None:
    if c is None:
        return None
    return CrisisPathOut(
        resources=CrisisResourcesOut(language=c.language, **c.resources.model_dump()),
        offer_cssrs=c.offer_cssrs, care_team_alerted=c.care_team_alerted,
    )  # fmt: skip


def record_out(view: dict, crisis: Crisis | None = None) -> ThoughtRecordOut:
    data = {k: v for k, v in view.items() if k != "crisis"}
    return ThoughtRecordOut.model_validate({**data, "crisis": crisis_out(crisis)})


def activity_out(view: dict, crisis: Crisis | None = None) -> ActivityOut:
    data = {k: v for k, v in view.items() if k != "crisis"}
    return ActivityOut.model_validate({**data, "crisis": crisis_out(crisis)})


@router.get("/catalogue", response_model=CatalogueOut, responses=ERRORS)
async def catalogue(actor: CurrentActor) -> CatalogueOut:
    """Every module's code, title and summary (anyone signed in: a clinician recommends from
    it), and the thinking traps a thought record may be tagged with."""
    return CatalogueOut.model_validate(
        {
            "modules": [
                {"module": m.code, "title": m.title, "summary": m.summary} for m in MODULES
            ],
            "thinking_traps": list(THINKING_TRAPS),
        }
    )


@router.get("/modules", response_model=ModulesOut, responses=ERRORS)
async def modules(actor: CurrentActor, service: SelfHelp) -> ModulesOut:
    """Every psychoeducation module with the patient's progress, recommended ones first."""
    views = await service.modules(actor)
    return ModulesOut(
        modules=[ModuleProgressOut.model_validate(v) for v in views],
        thinking_traps=list(THINKING_TRAPS),
    )


@router.get("/modules/{code}", response_model=ModuleOut, responses=ERRORS)
async def module(code: str, actor: CurrentActor, service: SelfHelp) -> ModuleOut:
    """One module: its sections, its sources and the patient's progress."""
    found = BY_CODE.get(code)
    if found is None:
        raise NotFound("Not found.")
    view = next(v for v in await service.modules(actor) if v["module"] == code)
    return ModuleOut.model_validate(
        {**view, "content": [asdict(s) for s in found.sections], "sources": list(found.sources)}
    )


@router.post("/modules/{code}/read", response_model=ModuleProgressOut, responses=ERRORS)
async def read_section(
    code: str, body: SectionReadIn, actor: CurrentActor, service: SelfHelp
) -> ModuleProgressOut:
    """Mark a section read (the module is completed once all are)."""
    return ModuleProgressOut.model_validate(await service.read_section(actor, code, body.section))


@router.post(
    "/patients/{patient_id}/recommendations", response_model=ModuleProgressOut, responses=ERRORS
)
async def recommend(
    patient_id: uuid.UUID, body: RecommendIn, actor: CurrentActor, service: SelfHelp
) -> ModuleProgressOut:
    """A clinician recommends a module to their patient."""
    return ModuleProgressOut.model_validate(await service.recommend(actor, patient_id, body.module))


@router.post(
    "/thought-records",
    status_code=status.HTTP_201_CREATED,
    response_model=ThoughtRecordOut,
    responses=ERRORS,
)
async def write_thought_record(
    body: ThoughtRecordIn, actor: CurrentActor, service: SelfHelp,
    accept_language: AcceptLanguage = None,
) -> ThoughtRecordOut:  # fmt: skip
    """Write a thought record (the patient's own). Its words are screened for crisis language:
    a positive screen comes back with the site's crisis resources in ``crisis``."""
    view, crisis = await service.write_thought_record(actor, body.model_dump(), accept_language)
    return record_out(view, crisis)


@router.get("/thought-records", response_model=ThoughtRecordsOut, responses=ERRORS)
async def thought_records(actor: CurrentActor, service: SelfHelp) -> ThoughtRecordsOut:
    """The patient's thought records, newest first, with each emotion's change."""
    return ThoughtRecordsOut(records=[record_out(v) for v in await service.thought_records(actor)])


@router.put(
    "/thought-records/{record_id}/shared", response_model=ThoughtRecordOut, responses=ERRORS
)
async def share(
    record_id: uuid.UUID, body: ShareIn, actor: CurrentActor, service: SelfHelp
) -> ThoughtRecordOut:
    """Share a thought record with my therapist (or stop)."""
    return record_out(await service.share(actor, record_id, body.shared))


@router.get(
    "/patients/{patient_id}/thought-records", response_model=ThoughtRecordsOut, responses=ERRORS
)
async def shared_records(
    patient_id: uuid.UUID, actor: CurrentActor, service: SelfHelp
) -> ThoughtRecordsOut:
    """The thought records the patient shared with their therapists (clinicians only)."""
    views = await service.shared_records(actor, patient_id)
    return ThoughtRecordsOut(records=[record_out(v) for v in views])


@router.post(
    "/activities", status_code=status.HTTP_201_CREATED, response_model=ActivityOut,
    responses=ERRORS,
)  # fmt: skip
async def plan_activity(
    body: ActivityIn, actor: CurrentActor, service: SelfHelp,
    accept_language: AcceptLanguage = None,
) -> ActivityOut:  # fmt: skip
    """Plan an activity for a day and time, in a category."""
    view, crisis = await service.plan_activity(actor, body.model_dump(), accept_language)
    return activity_out(view, crisis)


@router.patch("/activities/{activity_id}", response_model=ActivityOut, responses=ERRORS)
async def update_activity(
    activity_id: uuid.UUID, body: ActivityUpdateIn, actor: CurrentActor, service: SelfHelp,
    accept_language: AcceptLanguage = None,
) -> ActivityOut:  # fmt: skip
    """Mark an activity done (or not) with mood before and after, pleasure and mastery."""
    changes = body.model_dump(exclude_unset=True)
    view, crisis = await service.update_activity(actor, activity_id, changes, accept_language)
    return activity_out(view, crisis)


@router.get("/activities", response_model=WeekOut, responses=ERRORS)
async def week(
    actor: CurrentActor, service: SelfHelp, start: Annotated[AwareDatetime, Query()]
) -> WeekOut:
    """The week from ``start`` (the page's local Monday 00:00 with its offset) and its summary:
    adherence and each category's mood change."""
    rows, summary = await service.week(actor, start)
    return WeekOut.model_validate(
        {"start": start, "activities": [activity_out(r) for r in rows], "summary": summary}
    )


@router.get("/patients/{patient_id}/summary", response_model=SelfHelpSummaryOut, responses=ERRORS)
async def summary(
    patient_id: uuid.UUID, actor: CurrentActor, service: SelfHelp
) -> SelfHelpSummaryOut:
    """A patient's self-help at a glance (their clinicians; a caregiver with wellbeing:read):
    module progress, how many thought records, the last 7 days' activation. No written text."""
    return SelfHelpSummaryOut.model_validate(await service.summary(actor, patient_id))
