"""Privacy's FHIR: Consent and AuditEvent resources, their search routes, the record's consents.

The routes are relative to ``/fhir`` (the ``fhir`` package mounts them); ``consents_section`` is
privacy's part of a patient's record (``$everything`` and the patient's export).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.audit import AuditEvent
from careverse.kernel.fhir import iso
from careverse.kernel.policy import Actor
from careverse.privacy.facts import consents_of
from careverse.privacy.models import Consent

ACCOUNT_SYSTEM = "urn:careverse:account"
PURPOSE_SYSTEM = "urn:careverse:purpose"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
V3_PURPOSE = {"treatment": "TREAT", "research": "HRESCH"}
AUDIT_ACTIONS = {
    "read": "R",
    "write": "U",
    "grant": "C",
    "create": "C",
    "revoke": "U",
    "export": "R",
}


# ---- mappers ----------------------------------------------------------------------------------


def consent(c: Consent) -> dict:
    """A consent as a FHIR Consent (purpose, decision, actor or organisation, period)."""
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
                "role": {"coding": [{"system": V3_PARTICIPATION, "code": "IRCP"}]},
                "reference": actor_ref,
            }
        ]
    scope = {"treatment": "treatment", "research": "research"}.get(c.purpose, "patient-privacy")
    return {
        "resourceType": "Consent",
        "id": str(c.id),
        "status": c.status,
        "scope": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": scope}
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
    """One row of the audit chain as a FHIR AuditEvent (its id is the row's sequence number)."""
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
        resource["entity"] = [{"what": {"reference": f"Patient/{e.patient_id}"}}]
    return resource


async def consents_section(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID
) -> list[dict]:
    """Privacy's part of a patient's record: their consents (the caller has authorised it)."""
    return [consent(c) for c in await consents_of(session, patient_id)]


# ---- routes (relative to /fhir) ---------------------------------------------------------------

router = APIRouter(tags=["fhir"])
PatientRef = Annotated[str, Query(max_length=100)]
