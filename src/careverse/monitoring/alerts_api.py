"""Monitoring rules and alerts HTTP API: panel, NEWS2, care-plan rules, alerts and their stream."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor, sign_in_check
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_runtime, get_session, get_settings
from careverse.kernel.policy import Role, require_role
from careverse.monitoring.alert_models import CarePlanRule
from careverse.monitoring.alert_schemas import (
    AlertOut,
    AlertsOut,
    News2Out,
    News2SettingsIn,
    News2SettingsOut,
    ObservationIn,
    ObservationOut,
    PanelOut,
    RuleIn,
    RuleOut,
    RulesOut,
    Severity,
)
from careverse.monitoring.alerts import AlertService
from careverse.monitoring.care_plan import RuleInput, RuleService
from careverse.monitoring.panel import PanelService
from careverse.monitoring.rules import rule_title
from careverse.monitoring.streams import AlertStreams, alert_events

router = APIRouter(prefix="/api/monitoring", tags=["monitoring alerts"])

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def alert_service(session: Session, settings: AppSettings) -> AlertService:
    return AlertService(session, settings)


def rule_service(session: Session, settings: AppSettings) -> RuleService:
    return RuleService(session, settings)


def panel_service(session: Session, settings: AppSettings) -> PanelService:
    return PanelService(session, settings)


Alerts = Annotated[AlertService, Depends(alert_service)]
Rules = Annotated[RuleService, Depends(rule_service)]
Panel = Annotated[PanelService, Depends(panel_service)]


def _severity(value: str) -> Severity:
    """A stored severity as the API's type (rules are only ever stored with one of these)."""
    if value in ("low", "medium", "high"):
        return value
    raise ValueError("A stored rule has a severity the API does not know.")


def rule_out(rule: CarePlanRule) -> RuleOut:
    return RuleOut(
        id=rule.id, patient_id=rule.patient_id, kind=rule.kind, code=rule.code, op=rule.op,
        value=rule.value, minutes=rule.minutes, change=rule.change, days=rule.days,
        hours=rule.hours, severity=_severity(rule.severity), label=rule.label,
        title=rule_title(rule), created_at=rule.created_at, created_by=rule.created_by,
    )  # fmt: skip


@router.get("/panel", response_model=PanelOut, responses=ERRORS)
async def panel(actor: CurrentActor, service: Panel) -> dict:
    """The clinician's patients sorted by risk, with NEWS2, latest values, sparklines, alerts."""
    return {"patients": await service.panel(actor)}


@router.get("/patients/{patient_id}/news2", response_model=News2Out, responses=ERRORS)
async def patient_news2(patient_id: uuid.UUID, actor: CurrentActor, service: Panel) -> dict:
    """The patient's current NEWS2 from the latest readings and bedside observations."""
    return await service.news2(actor, patient_id)


@router.put(
    "/patients/{patient_id}/news2-settings", response_model=News2SettingsOut, responses=ERRORS
)
async def news2_settings(
    patient_id: uuid.UUID, body: News2SettingsIn, actor: CurrentActor, service: Rules
) -> News2SettingsOut:
    """Set the SpO2 scale (2: hypercapnic respiratory failure, confirmed by a clinician)."""
    scale = await service.set_spo2_scale(actor, patient_id, body.spo2_scale)
    return News2SettingsOut(patient_id=patient_id, spo2_scale=scale)


@router.post(
    "/patients/{patient_id}/observations",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationOut,
    responses=ERRORS,
)
async def observe(
    patient_id: uuid.UUID, body: ObservationIn, actor: CurrentActor, service: Rules
) -> ObservationOut:
    """Record the NEWS2 inputs a clinician observes: consciousness (ACVPU), air or oxygen."""
    row = await service.observe(
        actor, patient_id, body.consciousness, body.on_oxygen, body.observed_at
    )
    return ObservationOut(
        id=row.id, patient_id=row.patient_id, consciousness=row.consciousness,
        on_oxygen=row.on_oxygen, observed_at=row.observed_at,
    )  # fmt: skip


@router.get("/patients/{patient_id}/rules", response_model=RulesOut, responses=ERRORS)
async def list_rules(patient_id: uuid.UUID, actor: CurrentActor, service: Rules) -> RulesOut:
    """The patient's care-plan rules ("targets" to the patient and their caregivers)."""
    return RulesOut(rules=[rule_out(r) for r in await service.rules(actor, patient_id)])


@router.post(
    "/patients/{patient_id}/rules",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleOut,
    responses=ERRORS,
)
async def add_rule(
    patient_id: uuid.UUID, body: RuleIn, actor: CurrentActor, service: Rules
) -> RuleOut:
    """Add a rule (clinicians): threshold, sustained, trend or no_data."""
    rule = await service.add_rule(actor, patient_id, RuleInput(**body.model_dump()))
    return rule_out(rule)


@router.delete("/rules/{rule_id}", response_model=RuleOut, responses=ERRORS)
async def delete_rule(rule_id: uuid.UUID, actor: CurrentActor, service: Rules) -> RuleOut:
    """Stop a rule (its past alerts stay)."""
    return rule_out(await service.delete_rule(actor, rule_id))


@router.get("/alerts", response_model=AlertsOut, responses=ERRORS)
async def list_alerts(
    actor: CurrentActor,
    service: Alerts,
    alert_status: Annotated[
        Literal["open", "acknowledged", "resolved"] | None, Query(alias="status")
    ] = None,
) -> dict:
    """The clinician's patients' alerts: open and acknowledged unless a status is given."""
    return {"alerts": await service.list(actor, alert_status)}


@router.get(
    "/alerts/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def alert_stream(
    actor: CurrentActor, request: Request, session: Session, settings: AppSettings
) -> StreamingResponse:
    """Server-sent events: `event: alert` with the alert on every change; `: ping` every 15 s."""
    require_role(actor, Role.CLINICIAN)
    await session.close()  # hold no database connection for the life of the stream
    runtime = get_runtime(request)
    still_signed_in = await sign_in_check(request, settings)

    return StreamingResponse(
        alert_events(runtime.db, runtime.get(AlertStreams), settings, actor, still_signed_in),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


@router.get("/alerts/{alert_id}", response_model=AlertOut, responses=ERRORS)
async def get_alert(alert_id: uuid.UUID, actor: CurrentActor, service: Alerts) -> dict:
    return await service.get(actor, alert_id)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, responses=ERRORS)
async def acknowledge_alert(alert_id: uuid.UUID, actor: CurrentActor, service: Alerts) -> dict:
    """Take the alert on: it stops escalating (acknowledging twice changes nothing)."""
    return await service.acknowledge(actor, alert_id)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut, responses=ERRORS)
async def resolve_alert(alert_id: uuid.UUID, actor: CurrentActor, service: Alerts) -> dict:
    return await service.resolve(actor, alert_id)
