"""Wellbeing HTTP API: the instruments, answering one, and results over time."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.wellbeing.catalogue import ALL
from careverse.wellbeing.instruments import important_change
from careverse.wellbeing.schedules import ScheduleService, ScheduleView
from careverse.wellbeing.schemas import (
    CrisisPathOut,
    CrisisResourcesOut,
    InstrumentCode,
    InstrumentOut,
    InstrumentsOut,
    ResponseIn,
    ScheduleIn,
    ScheduleOut,
    SchedulesOut,
    WellbeingResultOut,
    WellbeingResultsOut,
)
from careverse.wellbeing.service import Result, WellbeingService

router = APIRouter(prefix="/api/wellbeing", tags=["wellbeing"])


def wellbeing_service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> WellbeingService:
    return WellbeingService(session, settings)


Wellbeing = Annotated[WellbeingService, Depends(wellbeing_service)]
InstrumentFilter = Annotated[InstrumentCode | None, Query()]


def result_out(result: Result) -> WellbeingResultOut:
    crisis = None
    if result.crisis is not None:
        c = result.crisis
        crisis = CrisisPathOut(
            resources=CrisisResourcesOut(language=c.language, **c.resources.model_dump()),
            offer_cssrs=c.offer_cssrs,
            care_team_alerted=c.care_team_alerted,
        )
    data = asdict(result)
    data["crisis"] = crisis
    return WellbeingResultOut(**data)


def results_out(results: list[Result]) -> WellbeingResultsOut:
    """The results, each marked against the first of its instrument in the list (the baseline)
    when it changed by at least the minimal clinically important change."""
    baseline: dict[str, int | None] = {}
    out = []
    for result in results:
        score = result.percentage if result.percentage is not None else result.total
        first = baseline.setdefault(result.instrument, score)
        item = result_out(result)
        if result.risk is None:
            item.change = important_change(result.instrument, first, score)
        out.append(item)
    return WellbeingResultsOut(results=out)


def _instrument_out(code: str) -> InstrumentOut:
    inst = ALL[code]
    return InstrumentOut.model_validate(
        {
            "code": inst.code, "title": inst.title, "loinc": inst.loinc, "period": inst.period,
            "items": [asdict(i) for i in inst.items], "options": [asdict(o) for o in inst.options],
            "scoring": inst.scoring, "bands": [asdict(b) for b in inst.bands],
            "band_scale": inst.band_scale, "missing_rule": inst.missing_rule,
            "licence": inst.licence, "mcid": inst.mcid,
            "higher_is_better": inst.higher_is_better,
        }
    )  # fmt: skip


@router.get("/instruments", response_model=InstrumentsOut, responses=ERRORS)
async def instruments(actor: CurrentActor) -> InstrumentsOut:
    """Every questionnaire, with its items, answer options, bands, missing-data rule and licence."""
    return InstrumentsOut(instruments=[_instrument_out(code) for code in ALL])


@router.post(
    "/responses",
    status_code=status.HTTP_201_CREATED,
    response_model=WellbeingResultOut,
    responses=ERRORS,
)
async def submit(
    body: ResponseIn,
    actor: CurrentActor,
    service: Wellbeing,
    accept_language: Annotated[str | None, Header(max_length=200)] = None,
) -> WellbeingResultOut:
    """Answer a questionnaire (patients, their own). A crisis answer (PHQ-9 item 9 at 1 or more,
    any C-SSRS risk) comes back with the site's crisis resources in ``crisis``."""
    result = await service.submit(actor, body.instrument, body.answers, accept_language)
    return result_out(result)


@router.get("/me/results", response_model=WellbeingResultsOut, responses=ERRORS)
async def my_results(
    actor: CurrentActor, service: Wellbeing, instrument: InstrumentFilter = None
) -> WellbeingResultsOut:
    """The patient's own results over time, oldest first."""
    return results_out(await service.results(actor, None, instrument))


@router.get("/patients/{patient_id}/results", response_model=WellbeingResultsOut, responses=ERRORS)
async def patient_results(
    patient_id: uuid.UUID,
    actor: CurrentActor,
    service: Wellbeing,
    instrument: InstrumentFilter = None,
) -> WellbeingResultsOut:
    """A patient's results over time (their clinicians; 404 when not yours to see)."""
    return results_out(await service.results(actor, patient_id, instrument))


def schedule_service(
    session: Annotated[AsyncSession, Depends(get_session)],
) -> ScheduleService:
    return ScheduleService(session)


Schedules = Annotated[ScheduleService, Depends(schedule_service)]


def _schedules_out(views: list[ScheduleView]) -> SchedulesOut:
    return SchedulesOut(schedules=[ScheduleOut.model_validate(asdict(v)) for v in views])


@router.get("/me/schedules", response_model=SchedulesOut, responses=ERRORS)
async def my_schedules(actor: CurrentActor, service: Schedules) -> SchedulesOut:
    """The questionnaires the patient's clinicians asked them to answer, soonest due first."""
    return _schedules_out(await service.schedules(actor))


@router.get("/patients/{patient_id}/schedules", response_model=SchedulesOut, responses=ERRORS)
async def patient_schedules(
    patient_id: uuid.UUID, actor: CurrentActor, service: Schedules
) -> SchedulesOut:
    """A patient's questionnaire schedules (their clinicians; 404 when not yours to see)."""
    return _schedules_out(await service.schedules(actor, patient_id))


@router.post(
    "/patients/{patient_id}/schedules",
    status_code=status.HTTP_201_CREATED,
    response_model=ScheduleOut,
    responses=ERRORS,
)
async def assign_schedule(
    patient_id: uuid.UUID, body: ScheduleIn, actor: CurrentActor, service: Schedules
) -> ScheduleOut:
    """Ask a patient to answer a questionnaire regularly (their clinicians; 409 when that
    instrument is already scheduled for them)."""
    view = await service.assign(actor, patient_id, body.instrument, body.every_days, body.first_due)
    return ScheduleOut.model_validate(asdict(view))


@router.delete("/schedules/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def end_schedule(schedule_id: uuid.UUID, actor: CurrentActor, service: Schedules) -> None:
    """Stop a questionnaire schedule (its patient's clinicians)."""
    await service.end(actor, schedule_id)
