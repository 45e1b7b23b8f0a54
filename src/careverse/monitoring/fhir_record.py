"""Monitoring's section of a patient's FHIR record (``$everything`` and the patient's export):
their Devices, their readings as Observations, and their alerts as Flags.

Choices (docs/fhir.md):

- Readings: the newest :data:`RECORD_READINGS` as vital-signs Observations (one per stored
  value, as ``GET /fhir/Observation/{id}`` answers them). A record of a year of minute-level
  readings would be half a million resources in one Bundle; the whole series is paged through
  ``GET /fhir/Observation?patient=…`` instead.
- Alerts: ``Flag`` — "a warning to be aware of when caring for this patient", active while the
  alert is open or acknowledged, inactive once resolved, its period the alert's life. (A
  DetectedIssue is about a proposed action such as a prescription; a Communication is a message
  sent, which the page or e-mail of an escalation is, not the alert.) The alert's title is the
  Flag's code text; why it fired is the narrative.
- Access: everything here is the patient's vitals (``Category.VITALS``); an alert opened by
  wellbeing's crisis path also needs ``Category.WELLBEING``, so a caregiver not delegated
  wellbeing does not learn of it from the alert either.
"""

from __future__ import annotations

import html
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import iso
from careverse.kernel.policy import Actor, Category, decide
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.fhir import observation
from careverse.monitoring.models import Device, Reading

RECORD_READINGS = 10_000
DEVICE_KIND = "urn:careverse:device-kind"
ALERT_SOURCE = "urn:careverse:alert-source"
ALERT_SEVERITY = "urn:careverse:alert-severity"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"


def device(row: Device) -> dict:
    """A registered device (its label is the patient's own name for it)."""
    out: dict = {
        "resourceType": "Device",
        "id": str(row.id),
        "status": "active" if row.status == "active" else "inactive",
        "type": {"coding": [{"system": DEVICE_KIND, "code": row.kind}], "text": row.kind},
        "patient": {"reference": f"Patient/{row.patient_id}"},
    }
    if row.label:
        out["deviceName"] = [{"name": row.label, "type": "user-friendly-name"}]
    return out


def flag(alert: Alert) -> dict:
    """An alert as a Flag: active until it is resolved."""
    period: dict = {"start": iso(alert.opened_at)}
    if alert.resolved_at:
        period["end"] = iso(alert.resolved_at)
    return {
        "resourceType": "Flag",
        "id": str(alert.id),
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{html.escape(alert.why)}</div>',
        },
        "status": "inactive" if alert.status == "resolved" else "active",
        "category": [
            {"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]},
            {"coding": [{"system": ALERT_SEVERITY, "code": alert.severity}]},
        ],
        "code": {
            "coding": [{"system": ALERT_SOURCE, "code": alert.source}],
            "text": alert.title,
        },
        "subject": {"reference": f"Patient/{alert.patient_id}"},
        "period": period,
    }


async def record_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list:
    """The patient's Devices, newest readings (Observations) and alerts (Flags); nothing for a
    reader without ``vitals`` access (a caregiver not delegated it)."""
    grant, _ = await decide(session, actor, patient_id, Category.VITALS, False)
    if grant is None:
        return []
    wellbeing, _ = await decide(session, actor, patient_id, Category.WELLBEING, False)
    devices = await session.scalars(
        select(Device).where(Device.patient_id == patient_id).order_by(Device.created_at)
    )
    readings = await session.scalars(
        select(Reading)
        .where(Reading.patient_id == patient_id)
        .order_by(Reading.effective_at.desc(), Reading.id.desc())
        .limit(RECORD_READINGS)
    )
    alerts = await session.scalars(
        select(Alert).where(Alert.patient_id == patient_id).order_by(Alert.opened_at)
    )
    return [
        *(device(d) for d in devices.all()),
        *(observation(r) for r in readings.all()),
        *(flag(a) for a in alerts.all() if a.source != "wellbeing" or wellbeing is not None),
    ]
