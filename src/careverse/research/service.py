"""Studies, research consent and cohorts (docs/research.md). No HTTP here.

A researcher creates a study naming an admin as its approver; the approver approves it. Patients
see approved studies, opt in per study and withdraw at any time. Cohorts are criteria over the
consented patients' data; researchers see only their counts, small ones as "< 11".
Every entry point is one unit of work and is audited.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.fhir import PatientRecord
from careverse.kernel.policy import Actor, Purpose, Role, require_full_scope, require_role
from careverse.kernel.uow import unit_of_work
from careverse.research import access, criteria, population
from careverse.research.models import Cohort, ResearchConsent, Study

SENSITIVE = ("condition", "sex", "age_band")  # attributes l-diversity may be measured on
# What a patient's consent shares, in their words (the export's columns, all de-identified).
SHARED = ("age band", "sex", "conditions", "readings", "questionnaire scores",
          "group attendance count")  # fmt: skip


@dataclass(frozen=True)
class StudyInput:
    title: str
    protocol: str
    approver_id: uuid.UUID
    k: int = 5
    l_div: int | None = None
    sensitive: str | None = None


@dataclass(frozen=True)
class CohortCount:
    cohort: Cohort
    count: str  # "42" or "< 11"
    suppressed: bool


class StudyService:
    def __init__(self, session: AsyncSession, record: PatientRecord):
        self.session = session
        self.record = record

    # ---- studies -------------------------------------------------------------------------

    async def create(self, actor: Actor, data: StudyInput) -> Study:
        async with unit_of_work(self.session):
            access.require_researcher(actor)
            title, protocol = data.title.strip(), data.protocol.strip()
            if not title:
                raise InvalidInput("Give the study a title.", field="title")
            if not protocol:
                raise InvalidInput("Summarise the protocol.", field="protocol")
            if await directory.account_role(self.session, data.approver_id) != Role.ADMIN.value:
                raise InvalidInput("The approver is an admin's account.", field="approver_id")
            if not 2 <= data.k <= 100:
                raise InvalidInput("k is from 2 to 100.", field="k")
            if (data.l_div is None) != (data.sensitive is None):
                raise InvalidInput("Give l together with its sensitive attribute.", field="l")
            if data.l_div is not None and not 2 <= data.l_div <= data.k:
                raise InvalidInput("l is from 2 to k.", field="l")
            if data.sensitive is not None and data.sensitive not in SENSITIVE:
                raise InvalidInput(f"The sensitive attribute is one of {', '.join(SENSITIVE)}.",
                                   field="sensitive")  # fmt: skip
            study = Study(
                title=title, protocol=protocol, owner_id=actor.account_id,
                approver_id=data.approver_id, k=data.k, l_div=data.l_div,
                sensitive=data.sensitive, pseudonym_key=secrets.token_hex(32),
                key_id=secrets.token_hex(4),
            )  # fmt: skip
            self.session.add(study)
            await self.session.flush()
            audit.record(self.session, "research.study.create", actor=actor,
                         resource_type="ResearchStudy", resource_id=study.id)  # fmt: skip
            return study

    async def studies(self, actor: Actor) -> list[Study]:
        """The caller's studies: a researcher's own, an admin's to approve."""
        async with unit_of_work(self.session):
            require_full_scope(actor)
            if actor.role is Role.RESEARCHER:
                where = Study.owner_id == actor.account_id
            elif actor.role is Role.ADMIN:
                where = Study.approver_id == actor.account_id
            else:
                return []
            rows = await self.session.scalars(select(Study).where(where).order_by(Study.created_at))
            return list(rows.all())

    async def approvers(self, actor: Actor) -> list[tuple[uuid.UUID, str]]:
        """Who may approve a study: every active admin (the researcher names one)."""
        access.require_researcher(actor)
        found = await directory.active_with_roles(self.session, [Role.ADMIN])
        return [(a.id, a.display_name) for a in found]

    async def names(self, account_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await directory.display_names(self.session, account_ids)

    async def study(self, actor: Actor, study_id: uuid.UUID) -> Study:
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            audit.record(self.session, "research.study.read", actor=actor,
                         resource_type="ResearchStudy", resource_id=study.id)  # fmt: skip
            return study

    async def approve(self, actor: Actor, study_id: uuid.UUID) -> Study:
        async with unit_of_work(self.session):
            study = await access.approver_of(self.session, actor, study_id)
            if study.status != "draft":
                raise Conflict("This study was already approved.", code="decided")
            study.status, study.approved_at = "approved", clock.now()
            audit.record(self.session, "research.study.approve", actor=actor,
                         resource_type="ResearchStudy", resource_id=study.id)  # fmt: skip
            return study

    # ---- research consent (the patient's side) -------------------------------------------

    def _patient(self, actor: Actor) -> uuid.UUID:
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None or actor.app is not None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    async def open_studies(self, actor: Actor) -> list[tuple[Study, ResearchConsent | None]]:
        """The approved studies a patient may join, with their own choice in each."""
        async with unit_of_work(self.session):
            patient_id = self._patient(actor)
            studies = (await self.session.scalars(
                select(Study).where(Study.status == "approved").order_by(Study.approved_at)
            )).all()  # fmt: skip
            mine = {c.study_id: c for c in await self.consents_of(patient_id)}
            audit.record(self.session, "research.consent.read", actor=actor,
                         patient_id=patient_id, resource_type="Consent")  # fmt: skip
            return [(s, mine.get(s.id)) for s in studies]

    async def consents_of(self, patient_id: uuid.UUID) -> list[ResearchConsent]:
        rows = await self.session.scalars(
            select(ResearchConsent).where(ResearchConsent.patient_id == patient_id)
        )
        return list(rows.all())

    async def _consent_row(self, study_id: uuid.UUID, patient_id: uuid.UUID):
        return await self.session.scalar(
            select(ResearchConsent).where(
                ResearchConsent.study_id == study_id, ResearchConsent.patient_id == patient_id
            )
        )

    async def _approved(self, study_id: uuid.UUID) -> Study:
        study = await self.session.get(Study, study_id)
        if study is None or study.status != "approved":
            raise NotFound("Not found.")
        return study

    async def opt_in(self, actor: Actor, study_id: uuid.UUID) -> ResearchConsent:
        async with unit_of_work(self.session):
            patient_id = self._patient(actor)
            study = await self._approved(study_id)
            row = await self._consent_row(study.id, patient_id)
            if row is None:
                row = ResearchConsent(study_id=study.id, patient_id=patient_id)
                self.session.add(row)
            row.status, row.given_at, row.withdrawn_at = "active", clock.now(), None
            await self.session.flush()
            audit.record(self.session, "research.consent.grant", actor=actor,
                         patient_id=patient_id, purpose=Purpose.RESEARCH.value,
                         resource_type="Consent", resource_id=row.id,
                         detail={"study": str(study.id)})  # fmt: skip
            return row

    async def withdraw(self, actor: Actor, study_id: uuid.UUID) -> ResearchConsent:
        """Withdraw from a study: the patient leaves every later export (and trial enrolment)."""
        async with unit_of_work(self.session):
            patient_id = self._patient(actor)
            row = await self._consent_row(study_id, patient_id)
            if row is None:
                raise NotFound("Not found.")
            if row.status == "active":
                row.status, row.withdrawn_at = "withdrawn", clock.now()
                audit.record(self.session, "research.consent.withdraw", actor=actor,
                             patient_id=patient_id, purpose=Purpose.RESEARCH.value,
                             resource_type="Consent", resource_id=row.id,
                             detail={"study": str(study_id)})  # fmt: skip
            return row

    async def consent(self, actor: Actor, consent_id: uuid.UUID) -> tuple[ResearchConsent, Study]:
        """One of the patient's own research consents (for its FHIR form)."""
        async with unit_of_work(self.session):
            patient_id = self._patient(actor)
            row = await self.session.get(ResearchConsent, consent_id)
            if row is None or row.patient_id != patient_id:
                raise NotFound("Not found.")
            study = await self.session.get(Study, row.study_id)
            assert study is not None
            audit.record(self.session, "research.consent.read", actor=actor,
                         patient_id=patient_id, resource_type="Consent",
                         resource_id=row.id)  # fmt: skip
            return row, study

    # ---- cohorts -------------------------------------------------------------------------

    async def create_cohort(self, actor: Actor, study_id: uuid.UUID, name: str,
                            raw: dict) -> CohortCount:  # fmt: skip
        async with unit_of_work(self.session):
            study = await access.own_study(self.session, actor, study_id)
            name = name.strip()
            if not name:
                raise InvalidInput("Name the cohort.", field="name")
            parsed = criteria.parse(raw)
            cohort = Cohort(study_id=study.id, name=name, criteria=parsed.as_json())
            self.session.add(cohort)
            await self.session.flush()
            audit.record(self.session, "research.cohort.create", actor=actor,
                         resource_type="Group", resource_id=cohort.id)  # fmt: skip
            return await self._count(actor, study, cohort)

    async def cohorts(self, actor: Actor, study_id: uuid.UUID) -> list[Cohort]:
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            rows = await self.session.scalars(
                select(Cohort).where(Cohort.study_id == study.id).order_by(Cohort.created_at)
            )
            return list(rows.all())

    async def cohort(self, actor: Actor, study_id: uuid.UUID, cohort_id: uuid.UUID) -> CohortCount:
        """A cohort and its count now (consent changes it at once)."""
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            cohort = await access.part_of(self.session, Cohort, cohort_id, study)
            return await self._count(actor, study, cohort)

    async def _count(self, actor: Actor, study: Study, cohort: Cohort) -> CohortCount:
        rules = criteria.parse(cohort.criteria)
        found = await population.members(
            self.session, self.record, actor, study, rules, "cohort-count"
        )
        n = len(found)
        audit.record(self.session, "research.cohort.count", actor=actor, resource_type="Group",
                     resource_id=cohort.id)  # fmt: skip
        return CohortCount(cohort, criteria.shown_count(n), n < criteria.SUPPRESS_BELOW)
