"""Research HTTP API: studies, research consent, cohorts and exports (docs/research.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import RuntimeDep, SessionDep
from careverse.kernel.fhir import FHIR_JSON, FhirResponse
from careverse.kernel.policy import Actor
from careverse.research import fhir
from careverse.research.exports import ExportService
from careverse.research.models import Cohort, Export, Study
from careverse.research.schemas import (
    ResearchApproverOut,
    ResearchCohortIn,
    ResearchCohortOut,
    ResearchConsentOut,
    ResearchExportOut,
    ResearchStudyIn,
    ResearchStudyOut,
)
from careverse.research.service import SHARED, CohortCount, StudyInput, StudyService

router = APIRouter(prefix="/api/research", tags=["research"], responses=ERRORS)
BASE = "/api/research/studies"


def studies(session: SessionDep, runtime: RuntimeDep) -> StudyService:
    return StudyService(session, runtime.patient_record)


def exports(session: SessionDep, runtime: RuntimeDep) -> ExportService:
    return ExportService(session, runtime.patient_record)


Studies = Annotated[StudyService, Depends(studies)]
Exports = Annotated[ExportService, Depends(exports)]


async def _study(service: StudyService, actor: Actor, row: Study) -> ResearchStudyOut:
    names = await service.names({row.approver_id} if row.approver_id else set())
    return ResearchStudyOut(
        id=row.id, title=row.title, protocol=row.protocol, status=row.status, k=row.k,
        l=row.l_div, sensitive=row.sensitive, owner_id=row.owner_id, approver_id=row.approver_id,
        approver_name=names.get(row.approver_id, "") if row.approver_id else "",
        mine=row.owner_id == actor.account_id, to_approve=row.approver_id == actor.account_id,
        created_at=row.created_at, approved_at=row.approved_at,
    )  # fmt: skip


def _cohort(row: Cohort, counted: CohortCount | None = None) -> ResearchCohortOut:
    return ResearchCohortOut(
        id=row.id, name=row.name, criteria=row.criteria,
        count=counted.count if counted else None,
        suppressed=counted.suppressed if counted else None,
    )  # fmt: skip


def _export(row: Export) -> ResearchExportOut:
    return ResearchExportOut(
        id=row.id, cohort_id=row.cohort_id, status=row.status, reason=row.reason,
        report=row.report, manifest=row.manifest, requested_at=row.requested_at,
        finished_at=row.finished_at, status_url=f"{BASE}/{row.study_id}/exports/{row.id}",
    )  # fmt: skip


# ---- studies -------------------------------------------------------------------------------


@router.get("/approvers", response_model=list[ResearchApproverOut])
async def approvers(actor: CurrentActor, service: Studies):
    return [ResearchApproverOut(id=i, name=n) for i, n in await service.approvers(actor)]


@router.get("/studies", response_model=list[ResearchStudyOut])
async def list_studies(actor: CurrentActor, service: Studies):
    return [await _study(service, actor, s) for s in await service.studies(actor)]


@router.post("/studies", response_model=ResearchStudyOut, status_code=201)
async def create_study(body: ResearchStudyIn, actor: CurrentActor, service: Studies):
    data = StudyInput(body.title, body.protocol, body.approver_id, body.k, body.l, body.sensitive)
    return await _study(service, actor, await service.create(actor, data))


@router.get("/studies/{study_id}", response_model=ResearchStudyOut)
async def get_study(study_id: uuid.UUID, actor: CurrentActor, service: Studies):
    return await _study(service, actor, await service.study(actor, study_id))


@router.post("/studies/{study_id}/approve", response_model=ResearchStudyOut)
async def approve_study(study_id: uuid.UUID, actor: CurrentActor, service: Studies):
    return await _study(service, actor, await service.approve(actor, study_id))


# ---- research consent (patients) ----------------------------------------------------------


@router.get("/consents", response_model=list[ResearchConsentOut])
async def my_consents(actor: CurrentActor, service: Studies):
    return [
        ResearchConsentOut(
            study_id=s.id,
            title=s.title,
            protocol=s.protocol,
            shared=list(SHARED),
            consent_id=c.id if c else None,
            status=c.status if c else "none",
            given_at=c.given_at if c else None,
            withdrawn_at=c.withdrawn_at if c else None,
        )
        for s, c in await service.open_studies(actor)
    ]


@router.post("/studies/{study_id}/consent", status_code=204)
async def opt_in(study_id: uuid.UUID, actor: CurrentActor, service: Studies) -> Response:
    await service.opt_in(actor, study_id)
    return Response(status_code=204)


@router.delete("/studies/{study_id}/consent", status_code=204)
async def withdraw(study_id: uuid.UUID, actor: CurrentActor, service: Studies) -> Response:
    await service.withdraw(actor, study_id)
    return Response(status_code=204)


@router.get(
    "/consents/{consent_id}/fhir",
    response_class=FhirResponse,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "A FHIR Consent"}},
)
async def consent_fhir(consent_id: uuid.UUID, actor: CurrentActor, service: Studies):
    row, study = await service.consent(actor, consent_id)
    return FhirResponse(fhir.consent(row, study))


# ---- cohorts ------------------------------------------------------------------------------


@router.get("/studies/{study_id}/cohorts", response_model=list[ResearchCohortOut])
async def list_cohorts(study_id: uuid.UUID, actor: CurrentActor, service: Studies):
    return [_cohort(c) for c in await service.cohorts(actor, study_id)]


@router.post("/studies/{study_id}/cohorts", response_model=ResearchCohortOut, status_code=201)
async def create_cohort(
    study_id: uuid.UUID, body: ResearchCohortIn, actor: CurrentActor, service: Studies
):
    counted = await service.create_cohort(actor, study_id, body.name, body.criteria.model_dump())
    return _cohort(counted.cohort, counted)


@router.get("/studies/{study_id}/cohorts/{cohort_id}", response_model=ResearchCohortOut)
async def get_cohort(
    study_id: uuid.UUID, cohort_id: uuid.UUID, actor: CurrentActor, service: Studies
):
    counted = await service.cohort(actor, study_id, cohort_id)
    return _cohort(counted.cohort, counted)


# ---- exports (FHIR Bulk Data style: kick-off, status, files) -------------------------------


@router.post(
    "/studies/{study_id}/cohorts/{cohort_id}/$export",
    response_model=ResearchExportOut,
    status_code=202,
    responses={409: {"description": "Refused: the export could identify someone (the reason)"}},
)
async def kick_off(
    study_id: uuid.UUID, cohort_id: uuid.UUID, actor: CurrentActor, service: Exports
):
    out = _export(await service.kick_off(actor, study_id, cohort_id))
    return JSONResponse(out.model_dump(mode="json"), status_code=202,
                        headers={"Content-Location": out.status_url})  # fmt: skip


@router.get("/studies/{study_id}/exports", response_model=list[ResearchExportOut])
async def list_exports(study_id: uuid.UUID, actor: CurrentActor, service: Exports):
    return [_export(e) for e in await service.exports(actor, study_id)]


@router.get(
    "/studies/{study_id}/exports/{export_id}",
    response_model=ResearchExportOut,
    responses={202: {"description": "Awaiting approval (X-Progress says so)"}},
)
async def export_status(
    study_id: uuid.UUID, export_id: uuid.UUID, actor: CurrentActor, service: Exports
):
    out = _export(await service.export(actor, study_id, export_id))
    if out.status == "awaiting-approval":
        waiting = {"X-Progress": "awaiting approval", "Retry-After": "60"}
        return JSONResponse(out.model_dump(mode="json"), status_code=202, headers=waiting)
    return out


@router.post("/studies/{study_id}/exports/{export_id}/approve", response_model=ResearchExportOut)
async def approve_export(
    study_id: uuid.UUID, export_id: uuid.UUID, actor: CurrentActor, service: Exports
):
    return _export(await service.approve(actor, study_id, export_id))


@router.get(
    "/studies/{study_id}/exports/{export_id}/files/{name}",
    response_class=Response,
    responses={200: {"content": {"application/fhir+ndjson": {}, "text/csv": {}}}},
)
async def export_file(
    study_id: uuid.UUID, export_id: uuid.UUID, name: str, actor: CurrentActor, service: Exports
) -> Response:
    row = await service.file(actor, study_id, export_id, name[:64])
    disposition = {"Content-Disposition": f'attachment; filename="{row.name}"'}
    return Response(row.content, media_type=row.media_type, headers=disposition)
