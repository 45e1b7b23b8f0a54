"""FHIR Observations in and out: vital-signs Observations to readings, readings to Observations.

The mappers; the routes that use them are in :mod:`careverse.monitoring.fhir_api`.

Each Observation is checked with the fhir.resources R4B model, then mapped: one LOINC code with a
valueQuantity, a blood-pressure panel (85354-9) with systolic and diastolic components, or an
SpO2 with an optional inhaled-oxygen-flow component. The source id is the first identifier
(``system|value``), else a hash of the resource, so a resent Observation is not stored twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from careverse.kernel.fhir import iso
from careverse.monitoring import units
from careverse.monitoring.ingest import Item, Value, check_pair, parse_time
from careverse.monitoring.models import Reading
from careverse.monitoring.units import Implausible

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
ACCEPTED_STATUS = {"final", "amended", "corrected", "preliminary"}
ACCEPTED_CODES = {
    units.HEART_RATE, units.SPO2, units.SPO2_ALT, units.BP_PANEL, units.SYSTOLIC,
    units.DIASTOLIC, units.TEMPERATURE, units.RESPIRATORY_RATE, units.STEPS, units.WEIGHT,
    units.GLUCOSE, units.O2_FLOW,
}  # fmt: skip


def _validate(resource: dict) -> None:
    try:
        Observation.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        raise Implausible(f"invalid Observation at {where or 'root'}: {first.get('msg')}") from None
    except (TypeError, ValueError) as exc:
        raise Implausible(f"invalid Observation: {type(exc).__name__}") from None


def _loinc(codeable: object) -> str | None:
    if not isinstance(codeable, dict):
        return None
    for coding in codeable.get("coding") or []:
        if isinstance(coding, dict) and coding.get("system") == LOINC:
            code = coding.get("code")
            if code in ACCEPTED_CODES:
                return code
    return None


def _quantity(q: object, code: str) -> tuple[float, str]:
    if not isinstance(q, dict) or "value" not in q:
        raise Implausible(f"{code}: valueQuantity is required")
    unit = q.get("code") or q.get("unit")
    return units.normalize(code, q.get("value"), unit if isinstance(unit, str) else None)


def source_id(resource: dict) -> str:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("value"):
            sid = f"{ident.get('system', '')}|{ident['value']}"
            if len(sid) <= 100:
                return sid
    canonical = json.dumps(
        {k: v for k, v in resource.items() if k not in ("id", "meta", "text")},
        sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:64]


def patient_of(resource: dict) -> uuid.UUID | None:
    subject = resource.get("subject")
    if not isinstance(subject, dict) or not isinstance(subject.get("reference"), str):
        return None
    ref = subject["reference"]
    if not ref.startswith("Patient/"):
        raise Implausible("subject must reference a Patient")
    try:
        return uuid.UUID(ref.removeprefix("Patient/"))
    except ValueError:
        raise Implausible("subject must reference a Patient by id") from None


def observation_item(resource: object, index: int, now: datetime) -> Item:
    """One Observation to an item of values (or the reason it is refused)."""
    item = Item(index)
    try:
        if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
            raise Implausible("expected an Observation")
        _validate(resource)
        if resource.get("status") not in ACCEPTED_STATUS:
            raise Implausible("status must be final, amended, corrected or preliminary")
        code = _loinc(resource.get("code"))
        if code is None:
            raise Implausible("code must be a supported LOINC vital sign")
        item.patient_id = patient_of(resource)
        at_text = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get(
            "end"
        ) or (resource.get("effectivePeriod") or {}).get("start")  # fmt: skip
        if at_text is None:
            raise Implausible("effectiveDateTime is required")
        if isinstance(at_text, str) and len(at_text) == 10:
            raise Implausible("effectiveDateTime needs a time and a UTC offset")
        at = parse_time(at_text, now)
        sid = source_id(resource)
        values: list[Value] = []
        components = {
            _loinc(c.get("code")): c for c in resource.get("component") or [] if isinstance(c, dict)
        }
        if code == units.BP_PANEL:
            for part in (units.SYSTOLIC, units.DIASTOLIC):
                if part not in components:
                    raise Implausible(f"blood pressure panel needs component {part}")
                value, unit = _quantity(components[part].get("valueQuantity"), part)
                values.append(Value(part, unit, value, at, sid))
            check_pair(values)
        else:
            stored = units.canonical(code)
            value, unit = _quantity(resource.get("valueQuantity"), code)
            values.append(Value(stored, unit, value, at, sid))
            flow = components.get(units.O2_FLOW)
            if stored == units.SPO2 and flow is not None:
                value, unit = _quantity(flow.get("valueQuantity"), units.O2_FLOW)
                values.append(Value(units.O2_FLOW, unit, value, at, sid))
        item.values = values
    except Implausible as exc:
        item.reason = str(exc)
    return item


def observation(reading: Reading) -> dict:
    """A stored reading as a vital-signs Observation."""
    spec = units.CODES[reading.code]
    return {
        "resourceType": "Observation",
        "id": str(reading.id),
        "meta": {"profile": [VITAL_SIGNS_PROFILE]},
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": reading.code, "display": spec.label}]},
        "subject": {"reference": f"Patient/{reading.patient_id}"},
        "effectiveDateTime": iso(reading.effective_at),
        "valueQuantity": {
            "value": reading.value,
            "unit": spec.unit,
            "system": UCUM,
            "code": spec.unit,
        },
        **({"device": {"reference": f"Device/{reading.device_id}"}} if reading.device_id else {}),
    }
