"""Patient records: read, update and list, each through the access policy.

Other capabilities that only need a patient's name or language use ``identity.directory``
(frozen briefs), not these rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.models import Patient
from careverse.identity.relationships import patients_of
from careverse.kernel import audit
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Actor, Category, authorize, decide
from careverse.kernel.uow import unit_of_work


@dataclass(frozen=True)
class PatientChanges:
    name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    gender_identity: str | None = None
    preferred_language: str | None = None
    phone: str | None = None
    contact_email: str | None = None


class PatientService:
    """A patient record as the people who may see it read and change it."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def load(self, patient_id: uuid.UUID) -> Patient | None:
        """The record itself, with no policy check: for callers that have just authorized.

        Other capabilities: prefer ``identity.directory.patient()`` (a frozen brief).
        """
        return await self.session.get(Patient, patient_id)

    async def create_without_account(
        self,
        name: str,
        *,
        birth_date: str | None = None,
        sex: str = "unknown",
        preferred_language: str | None = None,
    ) -> uuid.UUID:
        """A patient record no one signs in to (the vitals simulator's patients, the fairness
        audit's demo population); answers its id.

        For tools, not for people: no policy check.
        """
        async with unit_of_work(self.session):
            row = Patient(
                name=name, birth_date=birth_date, sex=sex, preferred_language=preferred_language
            )
            self.session.add(row)
            await self.session.flush()
        return row.id

    async def get(self, actor: Actor, patient_id: uuid.UUID) -> Patient:
        """One record, through the policy (404 when the caller may not see it); the read is
        audited."""
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD)
            patient = await self.load(patient_id)
            if patient is None:
                raise NotFound("Not found.")
        return patient

    async def update(self, actor: Actor, patient_id: uuid.UUID, changes: PatientChanges) -> Patient:
        """Change a record (403 when the caller may see it but not change it)."""
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD, write=True)
            patient = await self.load(patient_id)
            if patient is None:
                raise NotFound("Not found.")
            for field, value in vars(changes).items():
                if value is not None:
                    setattr(patient, field, value.isoformat() if isinstance(value, date) else value)
        return patient

    async def visible(
        self, actor: Actor, patient_ids: list[uuid.UUID] | None = None
    ) -> list[Patient]:
        """The patients an actor may see (optionally among some ids); each one shown is audited."""
        async with unit_of_work(self.session):
            candidates = await patients_of(self.session, actor)
            if patient_ids is not None:
                candidates = [p for p in candidates if p in set(patient_ids)]
            shown = []
            for patient_id in candidates:
                grant, _ = await decide(self.session, actor, patient_id, Category.RECORD, False)
                if grant is None:
                    continue
                audit.record(
                    self.session, "record.read", actor=actor, patient_id=patient_id,
                    purpose=grant.purpose.value, resource_type="Patient", resource_id=patient_id,
                    detail={"basis": grant.basis.value, "via": "search"},
                )  # fmt: skip
                shown.append(patient_id)
            rows = (
                (await self.session.scalars(select(Patient).where(Patient.id.in_(shown)))).all()
                if shown
                else []
            )
        return sorted(rows, key=lambda p: p.name.lower())


@dataclass(frozen=True, slots=True)
class PatientDemographics:
    """What a fairness audit groups by, for one patient (no name, no contact)."""

    patient_id: uuid.UUID
    birth_date: str | None
    sex: str
    preferred_language: str | None


async def demographics_for_audit(session: AsyncSession) -> list[PatientDemographics]:
    """Every patient's birth date, sex and preferred language, for aggregate fairness audits
    (research.fairness). No policy check here: the caller authorizes the audit and reports only
    aggregates with small cells suppressed."""
    rows = await session.execute(
        select(Patient.id, Patient.birth_date, Patient.sex, Patient.preferred_language)
    )
    return [PatientDemographics(r[0], r[1], r[2] or "unknown", r[3]) for r in rows]
