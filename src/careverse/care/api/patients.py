"""Care API: the clinician's patients (``GET /api/care/patients``) and a patient's record summary
(``GET /api/care/patients/{patient_id}/record-summary``). The record page composes the rest
(vitals, devices, rules, alerts, questionnaires) from each capability's own API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.patients import PatientListService, PatientQuery, PatientRow
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_runtime, get_session

router = APIRouter(prefix="/api", tags=["care"])

Risk = Literal["high", "medium", "low", "none"]
Sort = Literal["risk", "name", "next_visit", "alerts"]


class News2Brief(BaseModel):
    total: int
    risk: str
    partial: bool
    at: datetime | None


class PatientRowOut(BaseModel):
    id: uuid.UUID
    name: str
    age: int | None
    sex: str | None
    risk: Risk
    news2: News2Brief | None
    open_alerts: int
    highest_severity: str | None
    next_visit: datetime | None
    overdue_questionnaires: int


class PatientPageOut(BaseModel):
    patients: list[PatientRowOut]
    total: int
    page: int
    page_size: int


class VisitOut(BaseModel):
    appointment_id: uuid.UUID
    start: datetime
    status: str
    visit_type: str
    reason: str | None
    clinician_name: str
    encounter_id: uuid.UUID | None
    note_signed: bool


class EncounterProblemOut(BaseModel):
    id: uuid.UUID
    text: str
    system: str | None
    code: str | None
    encounter_id: uuid.UUID
    recorded_at: datetime


class RecordSummaryOut(BaseModel):
    patient: PatientRowOut
    visits: list[VisitOut]
    problems: list[EncounterProblemOut]


def service(
    request: Request, session: Annotated[AsyncSession, Depends(get_session)]
) -> PatientListService:
    return PatientListService(session, get_runtime(request).patient_facets)


Patients = Annotated[PatientListService, Depends(service)]


def row_out(r: PatientRow) -> PatientRowOut:
    return PatientRowOut(
        id=r.id, name=r.name, age=r.age, sex=r.sex, risk=r.risk,  # type: ignore[arg-type]
        news2=News2Brief(**r.news2) if r.news2 else None, open_alerts=r.open_alerts,
        highest_severity=r.highest_severity, next_visit=r.next_visit,
        overdue_questionnaires=r.overdue_questionnaires,
    )  # fmt: skip


@router.get("/care/patients", response_model=PatientPageOut, responses=ERRORS)
async def list_patients(
    actor: CurrentActor,
    patients: Patients,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name")] = None,
    risk: Annotated[list[Risk] | None, Query(description="NEWS2 risk (repeat for several)")] = None,
    has_open_alerts: bool | None = None,
    next_visit_within_days: Annotated[int | None, Query(ge=0, le=365)] = None,
    overdue_questionnaires: bool | None = None,
    sort: Sort = "risk",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> PatientPageOut:
    """The calling clinician's patients, with their latest NEWS2, open alerts, next visit and
    overdue questionnaires: searched by name, filtered, sorted (risk first by default), paged."""
    query = PatientQuery(
        search=(q or "").strip() or None, risk=frozenset(risk or ()),
        has_open_alerts=has_open_alerts, next_visit_within_days=next_visit_within_days,
        overdue_questionnaires=overdue_questionnaires, sort=sort, page=page, page_size=page_size,
    )  # fmt: skip
    found = await patients.list(actor, query)
    return PatientPageOut(
        patients=[row_out(r) for r in found.patients],
        total=found.total,
        page=found.page,
        page_size=found.page_size,
    )


@router.get(
    "/care/patients/{patient_id}/record-summary", response_model=RecordSummaryOut, responses=ERRORS
)
async def record_summary(
    patient_id: uuid.UUID, actor: CurrentActor, patients: Patients
) -> RecordSummaryOut:
    """A patient's record at a glance: who, NEWS2, alerts, next visit, overdue questionnaires,
    the visits (with their encounter and note status) and the problems coded in encounters."""
    found = await patients.summary(actor, patient_id)
    return RecordSummaryOut(
        patient=row_out(found.patient),
        visits=[VisitOut(**v) for v in found.visits],
        problems=[EncounterProblemOut(**p) for p in found.problems],
    )
