"""What clinicians set for a patient: care-plan rules, the NEWS2 settings, bedside observations.

Each change is one unit of work that publishes what happened: :class:`CarePlanChanged` (a rule
added, the SpO2 scale set) or :class:`ClinicalObservationRecorded`, after whose commit the
evaluator checks the patient again; deleting a rule resolves its live alerts in the same
transaction (:class:`AlertChanged` for each).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.monitoring import news2, units
from careverse.monitoring.alert_models import (
    CarePlanRule,
    ClinicalObservation,
    PatientMonitoringSettings,
)
from careverse.monitoring.alerts import alert_changed, resolve_rule_alerts
from careverse.monitoring.events import CarePlanChanged, ClinicalObservationRecorded
from careverse.monitoring.rules import active_rules


@dataclass(frozen=True)
class RuleInput:
    kind: str
    severity: str
    code: str | None = None
    op: str | None = None
    value: float | None = None
    minutes: int | None = None
    change: float | None = None
    days: float | None = None
    hours: float | None = None
    label: str | None = None


class RuleService:
    """Care-plan rules (targets), the SpO2 scale and ACVPU/oxygen observations of a patient."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def rules(self, actor: Actor, patient_id: uuid.UUID) -> list[CarePlanRule]:
        """A patient's active rules: clinicians, and the patient or a caregiver ("targets")."""
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.VITALS, resource_type="Rule")
            return await active_rules(self.session, patient_id)

    async def add_rule(self, actor: Actor, patient_id: uuid.UUID, rule: RuleInput) -> CarePlanRule:
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session) as uow:
            await authorize(
                self.session, actor, patient_id, Category.VITALS, write=True, resource_type="Rule"
            )
            if rule.code is not None and rule.code not in units.CODES:
                raise InvalidInput("That code is not one monitoring stores.", field="code")
            row = CarePlanRule(patient_id=patient_id, created_by=actor.account_id, **vars(rule))
            self.session.add(row)
            await self.session.flush()
            audit.record(
                self.session, "monitoring.rule.create", actor=actor, patient_id=patient_id,
                resource_type="Rule", resource_id=row.id, detail={"kind": rule.kind},
            )  # fmt: skip
            await uow.publish(CarePlanChanged(patient_id=patient_id))
        return row

    async def delete_rule(self, actor: Actor, rule_id: uuid.UUID) -> CarePlanRule:
        """Stop a rule; its live alerts are resolved with it (its past alerts stay)."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session) as uow:
            rule = await self.session.get(CarePlanRule, rule_id)
            if rule is None or rule.deleted_at is not None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, rule.patient_id, Category.VITALS, write=True,
                resource_type="Rule", resource_id=rule.id,
            )  # fmt: skip
            rule.deleted_at = clock.now()
            audit.record(
                self.session, "monitoring.rule.delete", actor=actor, patient_id=rule.patient_id,
                resource_type="Rule", resource_id=rule.id,
            )  # fmt: skip
            for alert in await resolve_rule_alerts(self.session, rule.id, actor):
                await uow.publish(await alert_changed(self.session, alert, "resolved"))
        return rule

    async def set_spo2_scale(
        self, actor: Actor, patient_id: uuid.UUID, scale: int
    ) -> Literal[1, 2]:
        """Set the patient's NEWS2 SpO2 scale (1, or 2 for hypercapnic respiratory failure)."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session) as uow:
            await authorize(
                self.session, actor, patient_id, Category.VITALS, write=True,
                resource_type="MonitoringSettings",
            )  # fmt: skip
            if scale not in (1, 2):
                raise InvalidInput("The SpO2 scale is 1 or 2.", field="spo2_scale")
            row = await self.session.get(PatientMonitoringSettings, patient_id)
            if row is None:
                row = PatientMonitoringSettings(patient_id=patient_id)
                self.session.add(row)
            row.spo2_scale, row.updated_at, row.updated_by = scale, clock.now(), actor.account_id
            audit.record(
                self.session, "monitoring.news2-settings.update", actor=actor,
                patient_id=patient_id, resource_type="MonitoringSettings", resource_id=patient_id,
            )  # fmt: skip
            await uow.publish(CarePlanChanged(patient_id=patient_id))
        return scale

    async def observe(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        consciousness: str | None,
        on_oxygen: bool | None,
        observed_at: datetime | None = None,
    ) -> ClinicalObservation:
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session) as uow:
            await authorize(
                self.session, actor, patient_id, Category.VITALS, write=True,
                resource_type="Observation",
            )  # fmt: skip
            if consciousness is None and on_oxygen is None:
                raise InvalidInput("Give the level of consciousness, air or oxygen, or both.")
            level = news2.consciousness_level(consciousness) if consciousness is not None else None
            when = observed_at or clock.now()
            if when > clock.now() + timedelta(minutes=5):
                raise InvalidInput("An observation cannot be in the future.", field="observed_at")
            row = ClinicalObservation(
                patient_id=patient_id, consciousness=level, on_oxygen=on_oxygen,
                observed_at=when, recorded_by=actor.account_id,
            )  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            audit.record(
                self.session, "monitoring.observation.create", actor=actor, patient_id=patient_id,
                resource_type="Observation", resource_id=row.id,
            )  # fmt: skip
            await uow.publish(
                ClinicalObservationRecorded(patient_id=patient_id, observation_id=row.id)
            )
        return row
