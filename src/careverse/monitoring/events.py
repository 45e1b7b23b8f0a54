"""What monitoring publishes, and monitoring's own part of an erasure.

- :class:`ReadingsCommitted` — ingest (HTTP, FHIR, MQTT) stored readings. COMMITTED phase: the
  evaluator (``jobs.Evaluator``) runs the checks those readings could change.
- :class:`CarePlanChanged` — a clinician added a rule or changed the NEWS2 settings;
  :class:`ClinicalObservationRecorded` — a clinician recorded bedside NEWS2 inputs. COMMITTED
  phase: the evaluator re-evaluates every check of the patient.
- :class:`AlertChanged` — an alert opened, changed or was escalated. EVERYWHERE phase: each node
  feeds the open alert streams of the recipients (``streams.AlertStreams``); COMMITTED phase, on
  the committing node only: the paging webhook.

Events carry ids, codes and times only: never names, values or the alert's words.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.monitoring.alert_models import (
    Alert,
    CarePlanRule,
    ClinicalObservation,
    PatientMonitoringSettings,
)
from careverse.monitoring.models import Device, PairingCode, Reading
from careverse.privacy.events import AccountErasureDue


class ReadingsCommitted(DomainEvent, frozen=True):
    """Readings of these patients, of these codes, were committed (never before the commit)."""

    patient_ids: frozenset[uuid.UUID]
    codes: frozenset[str]
    received_at: float  # time.time() when the request or message arrived


class CarePlanChanged(DomainEvent, frozen=True):
    """A patient's care plan changed: a rule was added, or the NEWS2 settings (SpO2 scale)."""

    patient_id: uuid.UUID


class ClinicalObservationRecorded(DomainEvent, frozen=True):
    """A clinician recorded a patient's level of consciousness and/or air or oxygen."""

    patient_id: uuid.UUID
    observation_id: uuid.UUID


class AlertChanged(DomainEvent, frozen=True):
    """An alert changed: ``opened``, ``updated`` (fired again), ``raised`` (fired again at a
    higher severity while open), ``reopened`` (the same, while acknowledged), ``escalated`` (to a
    colleague, unacknowledged), ``acknowledged`` or ``resolved``. ``previous_severity`` is set
    when the severity rose (``raised``, ``reopened``).

    ``recipients`` are the clinicians to tell (the patient's care team when it changed, and the
    escalation target): each stream still reads the alert through the access policy.
    """

    alert_id: uuid.UUID
    patient_id: uuid.UUID
    change: str
    severity: str
    status: str
    recipients: tuple[uuid.UUID, ...] = ()
    escalated_to: uuid.UUID | None = None
    previous_severity: str | None = None


async def erase_patient_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Monitoring's part of an erasure (TRANSACTION phase): every row about the patient.

    Alerts, readings, pairing codes, devices, rules, bedside observations and NEWS2 settings go,
    children before parents. Rows that only name the erased account as an actor (a clinician who
    made a rule or acknowledged an alert) stay: the account becomes a tombstone that names no one.
    """
    patient_id = event.patient_id
    if patient_id is None:
        return
    devices = select(Device.id).where(Device.patient_id == patient_id)
    for statement in (
        delete(Alert).where(Alert.patient_id == patient_id),
        delete(Reading).where(Reading.patient_id == patient_id),
        delete(PairingCode).where(PairingCode.device_id.in_(devices)),
        delete(Device).where(Device.patient_id == patient_id),
        delete(CarePlanRule).where(CarePlanRule.patient_id == patient_id),
        delete(ClinicalObservation).where(ClinicalObservation.patient_id == patient_id),
        delete(PatientMonitoringSettings).where(PatientMonitoringSettings.patient_id == patient_id),
    ):
        await session.execute(statement)
