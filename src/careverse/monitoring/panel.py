"""The clinician's monitoring panel: their patients by risk, with NEWS2, sparklines and alerts."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work
from careverse.monitoring import readings, units
from careverse.monitoring.alerts import AlertService, alert_json
from careverse.monitoring.early_warning import RISK_RANK, current_news2, latest_readings
from careverse.monitoring.findings import unit_of

SPARKLINE_CODES = (
    units.HEART_RATE,
    units.SPO2,
    units.SYSTOLIC,
    units.RESPIRATORY_RATE,
    units.TEMPERATURE,
)
SPARKLINE_HOURS = 24
SPARKLINE_POINTS = 48


class PanelService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def news2(self, actor: Actor, patient_id: uuid.UUID) -> dict:
        """A patient's current NEWS2 (patient, caregiver with vitals access, or clinician)."""
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.VITALS, resource_type="NEWS2")
            now = await current_news2(self.session, patient_id, self.settings)
        return now.as_json()

    async def panel(self, actor: Actor) -> list[dict]:
        """Every patient the clinician cares for: high → low risk, NEWS2 desc, open alerts."""
        async with unit_of_work(self.session):
            rows = await self._rows(actor)
        rows.sort(
            key=lambda p: (
                -RISK_RANK[p["news2"]["risk"]],
                -(p["news2"]["total"] if p["news2"]["total"] is not None else -1),
                -len(p["open_alerts"]),
                p["name"].lower(),
            )
        )
        return rows

    async def _rows(self, actor: Actor) -> list[dict]:
        alerts = AlertService(self.session, self.settings)
        patient_ids = await alerts.readable_patients(actor, "panel")
        open_alerts = await alerts.open_alerts(patient_ids)
        now = clock.now()
        start = now - timedelta(hours=SPARKLINE_HOURS)
        rows = []
        for patient_id in patient_ids:
            patient = await directory.patient(self.session, patient_id)
            if patient is None:
                continue
            score = (await current_news2(self.session, patient_id, self.settings, now)).as_json()
            latest = await latest_readings(self.session, patient_id, units.CODES, until=now)
            sparklines = {}
            for code in SPARKLINE_CODES:
                buckets = await readings.downsample(
                    self.session, patient_id, code, start, now, SPARKLINE_POINTS
                )
                sparklines[code] = [[round(b.start.timestamp()), b.mean] for b in buckets]
            rows.append(
                {
                    "patient_id": str(patient_id),
                    "name": patient.name,
                    "news2": score,
                    "latest": {
                        code: {
                            "value": r.value,
                            "unit": r.unit or unit_of(code),
                            "at": clock.as_utc(r.effective_at).isoformat(),
                        }
                        for code, r in latest.items()
                    },
                    "sparklines": sparklines,
                    "open_alerts": [
                        alert_json(a, patient.name, self.settings.alert_escalation_minutes)
                        for a in open_alerts[patient_id]
                    ],
                }
            )
        return rows
