"""Careverse records as FHIR R4 resources (JSON dicts, validated with fhir.resources in tests)."""

from __future__ import annotations

from datetime import datetime

from careverse import __version__
from careverse.identity.models import Patient
from careverse.kernel.audit import AuditEvent
from careverse.kernel.fhir import FHIR_JSON, bundle, iso, operation_outcome
from careverse.privacy.models import Consent

__all__ = ["FHIR_JSON", "bundle", "iso", "operation_outcome"]  # re-exported: named contracts

PATIENT_SYSTEM = "urn:careverse:patient"
ACCOUNT_SYSTEM = "urn:careverse:account"
PURPOSE_SYSTEM = "urn:careverse:purpose"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_PURPOSE = {"treatment": "TREAT", "research": "HRESCH"}
AUDIT_ACTIONS = {
    "read": "R",
    "write": "U",
    "grant": "C",
    "create": "C",
    "revoke": "U",
    "export": "R",
}


def patient(p: Patient) -> dict:
    resource: dict = {
        "resourceType": "Patient",
        "id": str(p.id),
        "identifier": [{"system": PATIENT_SYSTEM, "value": str(p.id)}],
        "active": True,
        "name": [{"text": p.name}],
        "gender": p.sex if p.sex in ("male", "female", "other", "unknown") else "unknown",
    }
    if p.birth_date:
        resource["birthDate"] = p.birth_date
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if p.contact_email:
        telecom.append({"system": "email", "value": p.contact_email})
    if telecom:
        resource["telecom"] = telecom
    if p.preferred_language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": p.preferred_language}]
                },
                "preferred": True,
            }
        ]
    return resource


def consent(c: Consent) -> dict:
    purpose = [{"system": PURPOSE_SYSTEM, "code": c.purpose}]
    if c.purpose in V3_PURPOSE:
        purpose.insert(0, {"system": V3_ACT_REASON, "code": V3_PURPOSE[c.purpose]})
    period: dict = {"start": iso(c.period_start)}
    if c.period_end:
        period["end"] = iso(c.period_end)
    provision: dict = {"type": c.decision, "period": period, "purpose": purpose}
    actor_ref = None
    if c.actor_id:
        actor_ref = {"identifier": {"system": ACCOUNT_SYSTEM, "value": str(c.actor_id)}}
    elif c.organization:
        actor_ref = {"display": c.organization}
    if actor_ref:
        provision["actor"] = [
            {
                "role": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                            "code": "IRCP",
                        }
                    ]
                },
                "reference": actor_ref,
            }
        ]
    return {
        "resourceType": "Consent",
        "id": str(c.id),
        "status": c.status,
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": {"treatment": "treatment", "research": "research"}.get(
                        c.purpose, "patient-privacy"
                    ),
                }
            ]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": f"Patient/{c.patient_id}"},
        "dateTime": iso(c.created_at),
        "policyRule": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "OPTIN" if c.decision == "permit" else "OPTOUT",
                }
            ]
        },
        "provision": provision,
    }


def audit_event(e: AuditEvent, actor_name: str | None = None) -> dict:
    verb = e.action.rsplit(".", 1)[-1]
    who: dict = {"display": actor_name or "Careverse"}
    if e.actor_id:
        who["identifier"] = {"system": ACCOUNT_SYSTEM, "value": str(e.actor_id)}
    agent: dict = {"who": who, "requestor": True}
    if e.actor_role:
        agent["role"] = [{"text": e.actor_role}]
    if e.address:
        agent["network"] = {"address": e.address, "type": "2"}
    resource: dict = {
        "resourceType": "AuditEvent",
        "id": str(e.seq),
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        },
        "subtype": [{"system": "urn:careverse:audit-action", "code": e.action}],
        "action": AUDIT_ACTIONS.get(verb, "E"),
        "recorded": e.at.isoformat().replace("+00:00", "Z"),
        "outcome": {"success": "0", "failure": "4", "denied": "4"}.get(e.outcome, "8"),
        "outcomeDesc": e.outcome,
        "agent": [agent],
        "source": {"observer": {"display": "Careverse"}},
    }
    if e.purpose:
        resource["purposeOfEvent"] = [{"coding": [{"system": PURPOSE_SYSTEM, "code": e.purpose}]}]
    if e.patient_id:
        entity = {"what": {"reference": f"Patient/{e.patient_id}"}}
        resource["entity"] = [entity]
    return resource


def capability_statement(
    base_url: str, now: datetime, served: list[dict] | None = None, system: list[dict] | None = None
) -> dict:
    """The CapabilityStatement; ``served``/``system`` come from the routes (fhir.capabilities)."""

    def res(kind: str, interactions: list[str], params: list[tuple[str, str]], ops=()) -> dict:
        out: dict = {
            "type": kind,
            "interaction": [{"code": i} for i in interactions],
            "searchParam": [{"name": n, "type": t} for n, t in params],
        }
        if ops:
            out["operation"] = [
                {"name": name, "definition": definition} for name, definition in ops
            ]
        return out

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": iso(now),
        "kind": "instance",
        "software": {"name": "Careverse", "version": __version__},
        "implementation": {"description": "Careverse FHIR facade", "url": f"{base_url}/fhir"},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "OAuth2 bearer tokens from /api/auth/token; every access "
                    "passes Careverse's consent-aware policy and is audited.",
                },
                "resource": [
                    res(
                        "Patient",
                        ["read", "search-type"],
                        [("name", "string"), ("birthdate", "date"), ("identifier", "token")],
                        [
                            (
                                "everything",
                                "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            )
                        ],
                    ),
                    res("Consent", ["search-type"], [("patient", "reference")]),
                    res("AuditEvent", ["search-type"], [("patient", "reference")]),
                ]
                if served is None
                else served,
                **({"interaction": system} if system else {}),
            }
        ],
    }
