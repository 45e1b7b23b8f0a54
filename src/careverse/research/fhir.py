"""Research consent as FHIR: a Consent with the research purpose (HRESCH), in privacy's shape
(privacy/fhir.py), naming its study as the policy; and the record's section of them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import iso
from careverse.kernel.policy import Actor
from careverse.privacy.fhir import PURPOSE_SYSTEM, V3_ACT_REASON, V3_PURPOSE
from careverse.research.models import ResearchConsent, Study

STUDY_SYSTEM = "urn:careverse:research-study"


def consent(c: ResearchConsent, study: Study) -> dict:
    """One research consent as a FHIR R4 Consent (opt-in, or withdrawn: inactive)."""
    period: dict = {"start": iso(c.given_at)}
    if c.withdrawn_at:
        period["end"] = iso(c.withdrawn_at)
    purpose = [
        {"system": V3_ACT_REASON, "code": V3_PURPOSE["research"]},
        {"system": PURPOSE_SYSTEM, "code": "research"},
    ]
    return {
        "resourceType": "Consent",
        "id": f"research-{c.id}",
        "status": "active" if c.status == "active" else "inactive",
        "scope": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}
            ]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"reference": f"Patient/{c.patient_id}"},
        "dateTime": iso(c.given_at),
        "policy": [{"uri": f"{STUDY_SYSTEM}:{study.id}"}],
        "policyRule": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}
            ]
        },
        "provision": {"type": "permit", "period": period, "purpose": purpose},
    }


async def record_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list:
    """The patient's research consents (``$everything``, their export); the caller authorised."""
    rows = (
        await session.execute(
            select(ResearchConsent, Study)
            .join(Study, Study.id == ResearchConsent.study_id)
            .where(ResearchConsent.patient_id == patient_id)
            .order_by(ResearchConsent.given_at)
        )
    ).all()
    return [consent(c, s) for c, s in rows]
