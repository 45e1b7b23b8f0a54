"""Privacy HTTP API: consent, break-glass, access log, export and erasure."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel import clock
from careverse.kernel.audit import Outcome
from careverse.kernel.config import Settings
from careverse.kernel.deps import RuntimeDep, get_session, get_settings
from careverse.kernel.fhir import FHIR_JSON
from careverse.kernel.policy import Purpose
from careverse.privacy import export_html
from careverse.privacy.audit_viewer import AuditFilter, AuditViewer
from careverse.privacy.models import Consent
from careverse.privacy.schemas import (
    AccessLogEntry,
    AuditChainOut,
    AuditEventOut,
    AuditPageOut,
    BreakGlassIn,
    BreakGlassOut,
    ConsentIn,
    ConsentOut,
    ErasureOut,
)
from careverse.privacy.service import ConsentInput, PrivacyService, stream_export

router = APIRouter(prefix="/api", tags=["privacy"])


def privacy_service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> PrivacyService:
    return PrivacyService(session, settings)


Privacy = Annotated[PrivacyService, Depends(privacy_service)]


def consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.id, purpose=Purpose(c.purpose), decision=c.decision, actor_id=c.actor_id,
        organization=c.organization, period_start=c.period_start, period_end=c.period_end,
        status=c.status,
    )  # fmt: skip


@router.get("/me/consents", response_model=list[ConsentOut], responses=ERRORS)
async def list_consents(actor: CurrentActor, service: Privacy) -> list[ConsentOut]:
    """The caller's consents (patients)."""
    return [consent_out(c) for c in await service.consents(actor)]


@router.post(
    "/me/consents", status_code=status.HTTP_201_CREATED, response_model=ConsentOut, responses=ERRORS
)
async def grant_consent(body: ConsentIn, actor: CurrentActor, service: Privacy) -> ConsentOut:
    """Record a decision for a purpose: permit (opt in) or deny (opt out)."""
    consent = await service.grant_consent(
        actor,
        ConsentInput(
            purpose=Purpose(body.purpose), decision=body.decision, actor_id=body.actor_id,
            organization=body.organization, period_end=body.period_end,
        ),
    )  # fmt: skip
    return consent_out(consent)


@router.delete("/me/consents/{consent_id}", response_model=ConsentOut, responses=ERRORS)
async def revoke_consent(consent_id: uuid.UUID, actor: CurrentActor, service: Privacy):
    """Withdraw a consent; it stops counting on the next request."""
    return consent_out(await service.revoke_consent(actor, consent_id))


@router.post(
    "/privacy/break-glass",
    status_code=status.HTTP_201_CREATED,
    response_model=BreakGlassOut,
    responses=ERRORS,
)
async def break_glass(body: BreakGlassIn, actor: CurrentActor, service: Privacy) -> BreakGlassOut:
    """Emergency access to a patient outside a care relationship (clinicians; time-limited)."""
    grant = await service.break_glass(actor, body.patient_id, body.reason)
    return BreakGlassOut(id=grant.id, patient_id=grant.patient_id, expires_at=grant.expires_at)


@router.get("/me/access-log", response_model=list[AccessLogEntry], responses=ERRORS)
async def access_log(actor: CurrentActor, service: Privacy) -> list[AccessLogEntry]:
    """Who read or changed the caller's record, when and why (newest first). Repeated reads
    (same person, action and kind of data, within 30 minutes) are one entry: `count` of them,
    from `first` to `last` (`at` is the latest)."""
    return [AccessLogEntry(**e) for e in await service.access_log(actor)]


@router.get(
    "/me/export",
    response_class=JSONResponse,
    responses={
        **ERRORS,
        200: {
            "description": "The FHIR Bundle (JSON), or with `format=html` a readable document",
            "content": {FHIR_JSON: {}, "text/html": {}},
        },
    },
)
async def export_record(
    actor: CurrentActor,
    service: Privacy,
    runtime: RuntimeDep,
    format: Literal["fhir", "html"] = "fhir",
) -> Response:
    """The caller's whole record (patients): a FHIR Bundle, or with `format=html` the same
    record as a printable, self-contained document (no script, no external asset)."""
    if format == "fhir":  # streamed a page at a time: the whole record, however large
        patient_id = await service.begin_export(actor)
        return StreamingResponse(
            stream_export(
                runtime.db, runtime.patient_record, actor, patient_id, runtime.settings.public_url
            ),
            media_type=FHIR_JSON,
            headers={"Content-Disposition": 'attachment; filename="careverse-record.json"'},
        )
    bundle = await service.export(actor, runtime.patient_record, format)
    if format == "html":
        return HTMLResponse(
            export_html.render(bundle, clock.now()),
            headers={
                "Content-Disposition": 'attachment; filename="careverse-record.html"',
                "Content-Security-Policy": export_html.CSP,
            },
        )
    return JSONResponse(
        bundle,
        media_type=FHIR_JSON,
        headers={"Content-Disposition": 'attachment; filename="careverse-record.json"'},
    )


@router.get("/me/erasure", response_model=ErasureOut, responses=ERRORS)
async def erasure_status(actor: CurrentActor, service: Privacy) -> ErasureOut:
    """Whether the caller's account is scheduled for erasure."""
    pending = await service.erasure_status(actor)
    return (
        ErasureOut(status="scheduled", due_at=pending.due_at)
        if pending
        else ErasureOut(status="none")
    )


@router.delete(
    "/me", status_code=status.HTTP_202_ACCEPTED, response_model=ErasureOut, responses=ERRORS
)
async def request_erasure(actor: CurrentActor, service: Privacy) -> ErasureOut:
    """Erase the caller's account after the grace period (cancellable until then)."""
    pending = await service.request_erasure(actor)
    return ErasureOut(status="scheduled", due_at=pending.due_at)


@router.post("/me/erasure/cancel", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS)
async def cancel_erasure(actor: CurrentActor, service: Privacy) -> Response:
    """Keep the account: cancel a scheduled erasure."""
    await service.cancel_erasure(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- the operator's audit viewer --------------------------------------------------------


def audit_viewer(session: Annotated[AsyncSession, Depends(get_session)]) -> AuditViewer:
    return AuditViewer(session)


Viewer = Annotated[AuditViewer, Depends(audit_viewer)]
ActionCode = Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9.-]{0,63}$")]


def audit_event_out(r, names: dict[uuid.UUID, str]) -> AuditEventOut:
    return AuditEventOut(
        seq=r.seq, at=r.at, actor_id=r.actor_id,
        actor_name=names.get(r.actor_id) if r.actor_id else None,
        actor_role=r.actor_role, action=r.action, outcome=r.outcome,
        patient_id=r.patient_id, resource_type=r.resource_type,
        resource_id=r.resource_id, purpose=r.purpose,
    )  # fmt: skip


@router.get("/admin/audit", response_model=AuditPageOut, responses=ERRORS)
async def search_audit(
    actor: CurrentActor,
    viewer: Viewer,
    actor_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    action: ActionCode | None = None,
    outcome: Outcome | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    before_seq: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageOut:
    """The audit trail, newest first (admins): filtered by actor, patient, action (or a family
    such as `account`), outcome and time; paged with `before_seq`. The search is audited."""
    page = await viewer.search(
        actor,
        AuditFilter(
            actor_id=actor_id, patient_id=patient_id, action=action, outcome=outcome,
            since=since, until=until, before_seq=before_seq, limit=limit,
        ),
    )  # fmt: skip
    return AuditPageOut(
        entries=[audit_event_out(r, page.names) for r in page.rows],
        next_before_seq=page.next_before_seq,
    )


@router.get("/admin/audit/verification", response_model=AuditChainOut, responses=ERRORS)
async def verify_audit_chain(actor: CurrentActor, viewer: Viewer) -> AuditChainOut:
    """Recompute the audit chain now, as `careverse audit verify` does (admins; audited)."""
    status_ = await viewer.verify_chain(actor)
    v = status_.verification
    return AuditChainOut(
        ok=v.ok, rows=v.rows, first_bad_seq=v.first_bad_seq, reason=v.reason,
        checked_at=status_.checked_at,
    )  # fmt: skip
