"""Randomised trials in a study: arms, a sealed allocation sequence, enrolment and allocation.

A trial's seed is generated when it is created and stored encrypted; no API returns it and none
shows what the next allocation would be (allocation concealment, CONSORT item 9). Enrolling a
participant — a consented patient, named by their study pseudonym, who meets the trial's cohort
criteria — draws the next arm from rdeid's randomisation (research/allocation.py), and the draw is
audited. The allocations list shows past allocations only.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit
from careverse.kernel.errors import Conflict, InvalidInput
from careverse.kernel.fhir import PatientRecord
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work
from careverse.research import access, allocation, criteria, deidentify, population
from careverse.research.models import Allocation, Cohort, Study, Trial

METHODS = ("permuted_blocks", "minimise")
INTERVENTIONS = ("challenge-mode", "exposure-programme", "reminder-schedule")
FACTORS = ("sex", "age_band")
MAX_ARMS = 6
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class Arm:
    name: str
    ratio: int = 1
    intervention: str | None = None


@dataclass(frozen=True)
class TrialInput:
    title: str
    method: str
    arms: list[Arm]
    block_sizes: list[int]
    factors: list[str]
    capacity: int = 200
    cohort_id: uuid.UUID | None = None


def _check(data: TrialInput) -> None:
    if not data.title.strip():
        raise InvalidInput("Give the trial a title.", field="title")
    if data.method not in METHODS:
        raise InvalidInput("The method is permuted_blocks or minimise.", field="method")
    names = [a.name.strip() for a in data.arms]
    if not 2 <= len(names) <= MAX_ARMS or len(set(names)) != len(names) or not all(names):
        raise InvalidInput(f"A trial has 2 to {MAX_ARMS} arms with distinct names.", field="arms")
    if any(not 1 <= a.ratio <= 10 for a in data.arms):
        raise InvalidInput("Each arm's ratio is from 1 to 10.", field="arms")
    if any(a.intervention not in (None, *INTERVENTIONS) for a in data.arms):
        raise InvalidInput(f"An arm's intervention is one of {', '.join(INTERVENTIONS)}.",
                           field="arms")  # fmt: skip
    if any(f not in FACTORS for f in data.factors) or len(set(data.factors)) != len(data.factors):
        raise InvalidInput(f"Factors are among {', '.join(FACTORS)}.", field="factors")
    if data.method == "minimise" and not data.factors:
        raise InvalidInput("Minimisation needs at least one factor.", field="factors")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Capacity is 1 to {MAX_CAPACITY}.", field="capacity")
    if data.method == "permuted_blocks":
        cycle = sum(a.ratio for a in data.arms)
        if not data.block_sizes or any(b <= 0 or b % cycle or b > 60 for b in data.block_sizes):
            raise InvalidInput(f"Block sizes are multiples of {cycle} (the ratios' sum), up to 60.",
                               field="block_sizes")  # fmt: skip


class TrialService:
    def __init__(self, session: AsyncSession, record: PatientRecord):
        self.session = session
        self.record = record

    async def create(self, actor: Actor, study_id: uuid.UUID, data: TrialInput) -> Trial:
        async with unit_of_work(self.session):
            study = await access.own_study(self.session, actor, study_id)
            _check(data)
            if data.cohort_id is not None:
                cohort = await self.session.get(Cohort, data.cohort_id)
                if cohort is None or cohort.study_id != study.id:
                    raise InvalidInput("No cohort of this study has that id.", field="cohort_id")
            trial = Trial(
                study_id=study.id, title=data.title.strip(), cohort_id=data.cohort_id,
                method=data.method, capacity=data.capacity, factors=list(data.factors),
                arms=[{"name": a.name.strip(), "ratio": a.ratio, "intervention": a.intervention}
                      for a in data.arms],
                block_sizes=sorted(set(data.block_sizes)) if data.method == "permuted_blocks"
                else [],
                seed=secrets.token_hex(32),  # sealed: encrypted, never returned
            )  # fmt: skip
            self.session.add(trial)
            await self.session.flush()
            audit.record(self.session, "research.trial.create", actor=actor,
                         resource_type="ResearchStudy", resource_id=trial.id)  # fmt: skip
            return trial

    async def _trial(self, actor: Actor, study_id: uuid.UUID, trial_id: uuid.UUID,
                     own: bool = False) -> tuple[Study, Trial]:  # fmt: skip
        study = await (access.own_study if own else access.study)(self.session, actor, study_id)
        return study, await access.part_of(self.session, Trial, trial_id, study)

    async def trials(self, actor: Actor, study_id: uuid.UUID) -> list[tuple[Trial, int]]:
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            query = select(Trial).where(Trial.study_id == study.id).order_by(Trial.created_at)
            rows = (await self.session.scalars(query)).all()
            return [(t, await self._enrolled(t)) for t in rows]

    async def _enrolled(self, trial: Trial) -> int:
        found = await self.session.scalar(
            select(func.count()).select_from(Allocation).where(Allocation.trial_id == trial.id)
        )
        return int(found or 0)

    async def allocations(self, actor: Actor, study_id: uuid.UUID,
                          trial_id: uuid.UUID) -> list[tuple[Allocation, str]]:  # fmt: skip
        """Past allocations only, in order, each with its participant's study pseudonym."""
        async with unit_of_work(self.session):
            study, trial = await self._trial(actor, study_id, trial_id)
            rows = (await self.session.scalars(select(Allocation).where(
                Allocation.trial_id == trial.id).order_by(Allocation.seq))).all()  # fmt: skip
            audit.record(self.session, "research.trial.allocations", actor=actor,
                         resource_type="ResearchStudy", resource_id=trial.id)  # fmt: skip
            return [(a, deidentify.pseudonym(study, a.patient_id) if a.patient_id else "erased")
                    for a in rows]  # fmt: skip

    async def eligible(self, actor: Actor, study_id: uuid.UUID, trial_id: uuid.UUID) -> list[str]:
        """The pseudonyms of consented, eligible participants not yet enrolled."""
        async with unit_of_work(self.session):
            study, trial = await self._trial(actor, study_id, trial_id, own=True)
            found = await self._eligible(actor, study, trial)
            taken = set((await self.session.scalars(select(Allocation.patient_id).where(
                Allocation.trial_id == trial.id))).all())  # fmt: skip
            return sorted(p for p, m in found.items() if m.patient_id not in taken)

    async def _eligible(self, actor: Actor, study: Study,
                        trial: Trial) -> dict[str, population.Member]:  # fmt: skip
        rules = criteria.Criteria()
        if trial.cohort_id is not None:
            cohort = await self.session.get(Cohort, trial.cohort_id)
            rules = criteria.parse(cohort.criteria) if cohort else rules
        found = await population.members(self.session, self.record, actor, study, rules,
                                         "trial-eligibility")  # fmt: skip
        return {deidentify.pseudonym(study, m.patient_id): m for m in found}

    async def enrol(self, actor: Actor, study_id: uuid.UUID, trial_id: uuid.UUID,
                    participant: str) -> tuple[Allocation, str]:  # fmt: skip
        """Enrol one eligible, consented participant and draw their arm (audited)."""
        async with unit_of_work(self.session):
            study, trial = await self._trial(actor, study_id, trial_id, own=True)
            if study.status != "approved":
                raise Conflict("The study must be approved before anyone is enrolled.",
                               code="study_not_approved")  # fmt: skip
            member = (await self._eligible(actor, study, trial)).get(participant)
            if member is None:
                raise InvalidInput("No consented, eligible participant has that pseudonym.",
                                   field="participant")  # fmt: skip
            past = (await self.session.scalars(select(Allocation).where(
                Allocation.trial_id == trial.id).order_by(Allocation.seq))).all()  # fmt: skip
            if any(a.patient_id == member.patient_id for a in past):
                raise Conflict("This participant is already enrolled.", code="enrolled")
            if len(past) >= trial.capacity:
                raise Conflict("The trial is full.", code="trial_full")
            levels = {f: getattr(member.facts, f) for f in trial.factors}
            arm = allocation.next_arm(trial, [a.stratum for a in past], [a.arm for a in past],
                                      levels)  # fmt: skip
            row = Allocation(trial_id=trial.id, patient_id=member.patient_id, seq=len(past) + 1,
                             arm=arm, stratum=levels, enrolled_by=actor.account_id)  # fmt: skip
            self.session.add(row)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict("Someone enrolled at the same moment; try again.",
                               code="busy") from None  # fmt: skip
            audit.record(self.session, "research.trial.allocate", actor=actor,
                         patient_id=member.patient_id, purpose="research",
                         resource_type="ResearchSubject", resource_id=row.id,
                         detail={"trial": str(trial.id), "seq": row.seq})  # fmt: skip
            return row, participant
