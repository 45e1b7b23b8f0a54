"""Monitoring's section of a patient's FHIR record (``$everything`` and the patient's export):
their Devices, their readings as Observations, and their alerts as Flags.

Choices (docs/fhir.md):

- Readings: every one, as vital-signs Observations (one per stored value, as
  ``GET /fhir/Observation/{id}`` answers them), in a paged section of their own
  (:func:`readings_page`, keyed by time and id): a year of minute-level readings is half a
  million resources, read a page at a time by ``$everything`` and streamed by the export.
- NEWS2: the current score as a score Observation with each parameter's points as components;
  a clinician's bedside inputs (ACVPU, air or oxygen) as exam Observations.
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
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.fhir import BadCursor, RecordQuery, iso
from careverse.kernel.policy import Actor, Category, decide
from careverse.monitoring.alert_models import Alert, ClinicalObservation
from careverse.monitoring.early_warning import News2Now, current_news2
from careverse.monitoring.fhir import LOINC, observation
from careverse.monitoring.models import Device, Reading

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
NEWS2_TOTAL = "1104051000000101"
NEWS2_DISPLAY = "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score"
NEWS2_RISK = "urn:careverse:news2-risk"  # low, low-medium, medium, high (the RCP's bands)
NEWS2_INPUT = "urn:careverse:news2-input"
ACVPU = "urn:careverse:acvpu"
ACVPU_WORDS = {
    "A": "Alert", "C": "New confusion", "V": "Responds to voice", "P": "Responds to pain",
    "U": "Unresponsive",
}  # fmt: skip
# NEWS2 parameter → (SNOMED CT UK edition code of its score, words)
NEWS2_PARTS = {
    "respiration_rate": ("1104301000000104", "respiration rate score"),
    "spo2": ("1104311000000102", "oxygen saturation scale 1 score"),
    "on_oxygen": ("1104331000000105", "air or oxygen score"),
    "systolic_bp": ("1104341000000101", "systolic blood pressure score"),
    "pulse": ("1104351000000103", "pulse score"),
    "consciousness": ("1104361000000100", "consciousness score"),
    "temperature": ("1104371000000107", "temperature score"),
}
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


def _since(at: datetime | None) -> dict:
    return {"lastUpdated": iso(at)} if at is not None else {}


def news2_observation(patient_id: uuid.UUID, now: News2Now) -> dict | None:
    """The patient's current NEWS2 as a score Observation: the total (SNOMED CT UK edition
    1104051000000101, as UK Core and NHS profiles code it; LOINC has no NEWS2 total) with each
    parameter's score as a component. None when nothing was observed."""
    result = now.result
    if result is None or now.at is None:
        return None
    components = []
    for parameter, points in result.scores.items():
        code, words = NEWS2_PARTS[parameter]
        if parameter == "spo2" and result.spo2_scale == 2:
            code, words = None, "oxygen saturation scale 2 score"
        concept: dict = {"text": f"NEWS2 {words}"}
        if code:
            concept["coding"] = [{"system": SNOMED, "code": code, "display": f"NEWS2 {words}"}]
        components.append({"code": concept, "valueInteger": points})
    out: dict = {
        "resourceType": "Observation",
        "id": f"news2-{patient_id}",  # the current score: one per patient, updated in place
        "meta": _since(now.at),
        "status": "preliminary" if result.partial else "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {
            "coding": [{"system": SNOMED, "code": NEWS2_TOTAL, "display": NEWS2_DISPLAY}],
            "text": "NEWS2",
        },
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": iso(now.at),
        "valueInteger": result.total,
        "interpretation": [{"coding": [{"system": NEWS2_RISK, "code": result.risk}]}],
        "component": components,
    }
    if result.partial:
        missing = ", ".join(result.missing)
        out["note"] = [{"text": f"Partial score: not observed: {missing}."}]
    return out


def bedside_observations(row: ClinicalObservation) -> list[dict]:
    """A clinician's bedside NEWS2 inputs: level of consciousness (ACVPU) and air or oxygen,
    each an exam Observation (ids ``<row>-acvpu`` and ``<row>-oxygen``)."""
    base: dict = {
        "resourceType": "Observation",
        "meta": _since(row.observed_at),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "exam"}]}],
        "subject": {"reference": f"Patient/{row.patient_id}"},
        "effectiveDateTime": iso(row.observed_at),
    }
    out = []
    if row.consciousness is not None:
        level = row.consciousness
        responsiveness = {"system": LOINC, "code": "67775-7", "display": "Level of responsiveness"}
        answer = {"system": ACVPU, "code": level, "display": ACVPU_WORDS.get(level, level)}
        out.append(
            {
                **base,
                "id": f"{row.id}-acvpu",
                "code": {"coding": [responsiveness], "text": "Level of consciousness (ACVPU)"},
                "valueCodeableConcept": {"coding": [answer]},
            }
        )
    if row.on_oxygen is not None:
        out.append(
            {
                **base,
                "id": f"{row.id}-oxygen",
                "code": {
                    "coding": [{"system": NEWS2_INPUT, "code": "on-oxygen"}],
                    "text": "Breathing supplemental oxygen (NEWS2: air or oxygen)",
                },
                "valueBoolean": bool(row.on_oxygen),
            }
        )
    return out


def device_changed(row: Device) -> datetime:
    return max(t for t in (row.created_at, row.paired_at, row.revoked_at) if t is not None)


def record_section(settings: Settings):
    """Monitoring's small part of a record: Devices, alerts (Flags), the current NEWS2 and the
    bedside observations; nothing for a reader without ``vitals`` access (a caregiver not
    delegated it). The readings are :func:`readings_page`, a paged section of their own."""

    async def section(
        session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery
    ) -> list[dict]:
        grant, _ = await decide(session, actor, patient_id, Category.VITALS, False)
        if grant is None:
            return []
        out: list[dict] = []
        if query.wants("Device"):
            devices = await session.scalars(
                select(Device).where(Device.patient_id == patient_id).order_by(Device.created_at)
            )
            for d in devices.all():
                out.append({**device(d), "meta": _since(device_changed(d))})
        if query.wants("Observation"):
            now = await current_news2(session, patient_id, settings)
            if (score := news2_observation(patient_id, now)) is not None:
                out.append(score)
            bedside = select(ClinicalObservation).where(
                ClinicalObservation.patient_id == patient_id
            )
            if query.since is not None:
                bedside = bedside.where(ClinicalObservation.observed_at >= query.since)
            rows = await session.scalars(bedside.order_by(ClinicalObservation.observed_at))
            for row in rows.all():
                out += bedside_observations(row)
        if query.wants("Flag"):
            wellbeing, _ = await decide(session, actor, patient_id, Category.WELLBEING, False)
            alerts = select(Alert).where(Alert.patient_id == patient_id)
            if query.since is not None:
                alerts = alerts.where(Alert.updated_at >= query.since)
            for a in (await session.scalars(alerts.order_by(Alert.opened_at))).all():
                if a.source != "wellbeing" or wellbeing is not None:
                    out.append({**flag(a), "meta": _since(a.updated_at)})
        return out

    return section


async def readings_page(
    session: AsyncSession,
    actor: Actor,
    patient_id: uuid.UUID,
    query: RecordQuery,
    after: str | None,
    limit: int,
) -> tuple[list[dict], str | None]:
    """Every reading, oldest first, as vital-signs Observations, ``limit`` at a time from the key
    ``after`` (``<effective_at epoch µs>.<id>``): the record's readings are not capped. Under
    ``_since`` only those received since. Nothing without ``vitals`` access."""
    grant, _ = await decide(session, actor, patient_id, Category.VITALS, False)
    if grant is None or not query.wants("Observation"):
        return [], None
    where = [Reading.patient_id == patient_id]
    if query.since is not None:
        where.append(Reading.received_at >= query.since)
    if after:
        try:
            micros, key = (int(part) for part in after.split("."))
        except ValueError:
            raise BadCursor("not a readings key") from None
        at = EPOCH + timedelta(microseconds=micros)
        # The plain ">=" is what lets both databases start the index scan at the key: with the
        # OR alone they scan from the patient's first reading and filter (quadratic paging).
        where += [
            Reading.effective_at >= at,
            or_(Reading.effective_at > at, and_(Reading.effective_at == at, Reading.id > key)),
        ]
    rows = (
        await session.scalars(
            select(Reading)
            .where(*where)
            .order_by(Reading.effective_at, Reading.id)
            .limit(limit + 1)
        )
    ).all()
    page = rows[:limit]
    out = []
    for r in page:
        resource = observation(r)
        resource["meta"] = {**resource["meta"], **_since(r.received_at)}
        out.append(resource)
    if len(rows) <= limit:
        return out, None
    last = page[-1]
    at = clock.as_utc(last.effective_at)
    return out, f"{(at - EPOCH) // timedelta(microseconds=1)}.{last.id}"
