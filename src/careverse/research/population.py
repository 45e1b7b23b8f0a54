"""Reading the consented part of the population: who may be in a study's cohorts, their facts.

Only patients with an active consent to the study (and no general 'deny' of research use in
their privacy choices) are ever read. Each record is read as its patient would see it (the
basis ``research-consent``) and audited per patient; what leaves this module for a researcher
is counts, or records that are de-identified before they are stored (research/exports.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups.attendance_counts import sessions_attended
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.fhir import PatientRecord, RecordQuery
from careverse.kernel.policy import Actor, Purpose, Role, research_use_refused
from careverse.research.criteria import Criteria, Facts, facts_of, matches
from careverse.research.models import ResearchConsent, Study

# What research reads of a record (and exports, de-identified): the rest stays out.
TYPES = frozenset({"Patient", "Condition", "Observation", "QuestionnaireResponse"})


@dataclass
class Member:
    patient_id: uuid.UUID
    account_id: uuid.UUID | None
    resources: list[dict]
    facts: Facts
    email: str | None = None  # the account's e-mail: on the de-identification deny list


async def consented(session: AsyncSession, study: Study) -> list[uuid.UUID]:
    """The patients who consented to this study and have not withdrawn (nor refused research)."""
    rows = await session.scalars(
        select(ResearchConsent.patient_id)
        .where(ResearchConsent.study_id == study.id, ResearchConsent.status == "active")
        .order_by(ResearchConsent.given_at)
    )
    out = []
    for patient_id in rows.all():
        if not await research_use_refused(session, patient_id, study.owner_id):
            out.append(patient_id)
    return out


async def members(
    session: AsyncSession, record: PatientRecord, actor: Actor, study: Study, criteria: Criteria,
    why: str,
) -> list[Member]:  # fmt: skip
    """The consented patients who meet ``criteria``, with their records (audited per patient)."""
    ids = await consented(session, study)
    briefs = {pid: await directory.patient(session, pid) for pid in ids}
    accounts = {pid: b.account_id for pid, b in briefs.items() if b is not None}
    attended = await sessions_attended(session, [a for a in accounts.values() if a])
    today = clock.now().date()
    out = []
    for pid in ids:
        if briefs.get(pid) is None:
            continue
        reader = Actor(actor.account_id, Role.PATIENT, patient_id=pid)
        resources = await record.resources(session, reader, pid, RecordQuery(types=TYPES))
        audit.record(
            session, "record.read", actor=actor, patient_id=pid, purpose=Purpose.RESEARCH.value,
            resource_type="Bundle", detail={"basis": "research-consent", "study": str(study.id),
                                            "via": why},
        )  # fmt: skip
        account_id = accounts.get(pid)
        facts = facts_of(resources, today, attended.get(account_id, 0) if account_id else 0)
        if matches(criteria, facts):
            email = await directory.account_email(session, account_id) if account_id else None
            out.append(Member(pid, account_id, resources, facts, email))
    return out
