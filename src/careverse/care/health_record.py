"""The patient's health record: conditions, medicines, allergies and care plans with goals.

Who may do what (through :func:`careverse.kernel.policy.authorize`, ``Category.RECORD``):

- the patient reads their own record; a caregiver reads it when the patient's delegation grants
  ``record:read`` (or ``record:write``); a clinician with a care relationship (or break-glass)
  reads and writes it. Writing is the care team's: a patient or caregiver who may read the record
  is answered 403, anyone who may not see it 404 (so ids cannot be probed). Every access is
  audited by the policy (``record.read`` / ``record.write`` with the resource's type and id).
- A problem coded in a **signed** visit note joins the patient's condition list (``problem_id``,
  ``encounter_id``), the first time the list is read after signing; unsigned drafts stay the
  clinician's working copy. The care team then resolves or edits it like any other condition.

All free text is encrypted at rest (``Encrypted`` columns); statuses and dates are not.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.models import (
    Allergy,
    CarePlan,
    CarePlanGoal,
    Condition,
    Encounter,
    EncounterProblem,
    MedicationStatement,
)
from careverse.identity.directory import display_names
from careverse.kernel import audit, clock
from careverse.kernel.errors import Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, decide
from careverse.kernel.uow import audit_refusal, unit_of_work

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CODE_SYSTEMS = {"snomed": SNOMED, "icd-10": ICD10, SNOMED: SNOMED, ICD10: ICD10}

Item = Condition | MedicationStatement | Allergy | CarePlan
ItemModel = type[Condition] | type[MedicationStatement] | type[Allergy] | type[CarePlan]
T = TypeVar("T", bound=Item)

# The FHIR resource type each list is (used in the audit trail and by care/health_fhir.py).
RESOURCE_TYPES: dict[type, str] = {
    Condition: "Condition",
    MedicationStatement: "MedicationStatement",
    Allergy: "AllergyIntolerance",
    CarePlan: "CarePlan",
    CarePlanGoal: "Goal",
}
# The lists by their name in the API's paths (for callers outside care, such as the demo).
LISTS: dict[str, ItemModel] = {
    "conditions": Condition,
    "medications": MedicationStatement,
    "allergies": Allergy,
    "care-plans": CarePlan,
}
# Fields a PATCH may not clear (the row would mean nothing without them).
REQUIRED: dict[type, set[str]] = {
    Condition: {"text", "clinical_status"},
    MedicationStatement: {"name", "status"},
    Allergy: {"substance", "kind", "clinical_status"},
    CarePlan: {"title", "status"},
    CarePlanGoal: {"description", "status"},
}
DATES = {"onset", "resolved_on", "started", "due"}
ORDER: dict[type, Any] = {
    Condition: Condition.created_at,
    MedicationStatement: MedicationStatement.created_at,
    Allergy: Allergy.created_at,
    CarePlan: CarePlan.created_at,
}


@dataclass
class HealthRecord:
    """The patient's whole record as the caller may see it."""

    patient_id: uuid.UUID
    conditions: list[Condition]
    medications: list[MedicationStatement]
    allergies: list[Allergy]
    care_plans: list[CarePlan]
    goals: dict[uuid.UUID, list[CarePlanGoal]]
    names: dict[uuid.UUID, str]
    can_write: bool
    extra: dict = field(default_factory=dict)


def _stored(name: str, value: object) -> object:
    """A field's value as stored: dates as ISO text, code systems as their URI."""
    if name in DATES and isinstance(value, date):
        return value.isoformat()
    if name == "system" and isinstance(value, str):
        return CODE_SYSTEMS[value]
    return value


def _apply(row: Any, fields: Mapping[str, object]) -> None:
    for name, value in fields.items():
        if value is None and name in REQUIRED[type(row)]:
            raise InvalidInput(f"{name} cannot be empty.", field=name)
        setattr(row, name, _stored(name, value))
    if isinstance(row, Condition):
        if (row.system is None) != (row.code is None):
            raise InvalidInput("Give a code with its system, or neither.", field="code")
        if row.clinical_status == "resolved" and row.resolved_on is None:
            row.resolved_on = clock.now().date().isoformat()
        if row.clinical_status == "active":
            row.resolved_on = None


class HealthRecordService:
    def __init__(self, session: AsyncSession):
        self.session = session

    # ---- access --------------------------------------------------------------------------

    async def _read(self, actor: Actor, patient_id: uuid.UUID, resource_type: str) -> bool:
        """Authorize a read (audited); answers whether the caller may also write."""
        await authorize(
            self.session, actor, patient_id, Category.RECORD, resource_type=resource_type
        )
        if actor.role is not Role.CLINICIAN:
            return False
        grant, _ = await decide(self.session, actor, patient_id, Category.RECORD, True)
        return grant is not None

    async def _write(
        self, actor: Actor, patient_id: uuid.UUID, resource_type: str, resource_id: uuid.UUID
    ) -> None:
        """Authorize a write (audited): the care team only; 404 for whoever may not see it."""
        if actor.role is not Role.CLINICIAN:
            grant, can_read = await decide(self.session, actor, patient_id, Category.RECORD, False)
            if grant is None or not can_read:
                await authorize(self.session, actor, patient_id, Category.RECORD)  # 404, audited

            def write_refusal(own) -> None:
                audit.record(
                    own, "record.write", actor=actor, outcome=audit.Outcome.DENIED,
                    patient_id=patient_id, resource_type=resource_type, resource_id=resource_id,
                )  # fmt: skip

            await audit_refusal(self.session, write_refusal)
            raise Forbidden("Only the care team changes the health record.", code="care_team_only")
        await authorize(
            self.session, actor, patient_id, Category.RECORD, write=True,
            resource_type=resource_type, resource_id=resource_id,
        )  # fmt: skip

    # ---- reads ---------------------------------------------------------------------------

    async def record(self, actor: Actor, patient_id: uuid.UUID) -> HealthRecord:
        """Everything on the patient's record (one audited read)."""
        async with unit_of_work(self.session):
            can_write = await self._read(actor, patient_id, "Bundle")
            return await self.load(patient_id, can_write)

    async def load(self, patient_id: uuid.UUID, can_write: bool = False) -> HealthRecord:
        """The record, unchecked: for callers that have authorized the read themselves."""
        await self.adopt_problems(patient_id)
        lists = {model: await self._rows(model, patient_id) for model in ORDER}
        plans = lists[CarePlan]
        goals = await self._goals([p.id for p in plans])
        rows = [r for items in lists.values() for r in items]
        names = await display_names(
            self.session, {r.recorded_by for r in rows if r.recorded_by is not None}
        )
        return HealthRecord(
            patient_id=patient_id, conditions=lists[Condition],
            medications=lists[MedicationStatement], allergies=lists[Allergy], care_plans=plans,
            goals=goals, names=names, can_write=can_write,
        )  # fmt: skip

    async def items(self, actor: Actor, patient_id: uuid.UUID, model: ItemModel) -> HealthRecord:
        """One list of the record (the others left empty)."""
        async with unit_of_work(self.session):
            can_write = await self._read(actor, patient_id, RESOURCE_TYPES[model])
            if model is Condition:
                await self.adopt_problems(patient_id)
            rows = await self._rows(model, patient_id)
            goals = await self._goals([r.id for r in rows]) if model is CarePlan else {}
            names = await display_names(
                self.session, {r.recorded_by for r in rows if r.recorded_by is not None}
            )
            record = HealthRecord(patient_id, [], [], [], [], goals, names, can_write)
            attr = {Condition: "conditions", MedicationStatement: "medications",
                    Allergy: "allergies", CarePlan: "care_plans"}[model]  # fmt: skip
            setattr(record, attr, list(rows))
            return record

    async def item(self, actor: Actor, model: type[T], item_id: uuid.UUID) -> T:
        """One item by id (404 when missing or not the caller's to see)."""
        async with unit_of_work(self.session):
            row = await self.session.get(model, item_id)
            if row is None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, row.patient_id, Category.RECORD,
                resource_type=RESOURCE_TYPES[model], resource_id=row.id,
            )  # fmt: skip
            return row

    async def goal(self, actor: Actor, goal_id: uuid.UUID) -> CarePlanGoal:
        async with unit_of_work(self.session):
            row = await self.session.get(CarePlanGoal, goal_id)
            if row is None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, row.patient_id, Category.RECORD, resource_type="Goal",
                resource_id=row.id,
            )  # fmt: skip
            return row

    async def goals_of(self, plan_id: uuid.UUID) -> list[CarePlanGoal]:
        return (await self._goals([plan_id])).get(plan_id, [])

    async def names(self, *account_ids: uuid.UUID | None) -> dict[uuid.UUID, str]:
        return await display_names(self.session, {a for a in account_ids if a is not None})

    async def _rows(self, model: ItemModel, patient_id: uuid.UUID) -> list:
        rows = await self.session.scalars(
            select(model).where(model.patient_id == patient_id).order_by(ORDER[model])
        )
        return list(rows.all())

    async def _goals(self, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[CarePlanGoal]]:
        out: dict[uuid.UUID, list[CarePlanGoal]] = {p: [] for p in plan_ids}
        if not plan_ids:
            return out
        rows = await self.session.scalars(
            select(CarePlanGoal)
            .where(CarePlanGoal.care_plan_id.in_(plan_ids))
            .order_by(CarePlanGoal.created_at)
        )
        for g in rows.all():
            out[g.care_plan_id].append(g)
        return out

    async def adopt_problems(self, patient_id: uuid.UUID) -> None:
        """Put each problem of the patient's signed visit notes on their condition list, once
        (the unique ``problem_id`` makes a concurrent second try a no-op)."""
        adopted = select(Condition.problem_id).where(
            Condition.patient_id == patient_id, Condition.problem_id.is_not(None)
        )
        found = (
            await self.session.execute(
                select(EncounterProblem, Encounter)
                .join(Encounter, Encounter.id == EncounterProblem.encounter_id)
                .where(
                    Encounter.patient_id == patient_id,
                    Encounter.signed_at.is_not(None),
                    EncounterProblem.id.not_in(adopted),
                )
                .order_by(EncounterProblem.created_at)
            )
        ).all()
        if not found:
            return
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        now = clock.now()
        values = [
            {
                "id": uuid.uuid4(), "created_at": now, "patient_id": patient_id, "text": p.text,
                "plain_text": p.plain_text, "system": p.system, "code": p.code,
                "clinical_status": "active", "onset": e.started_at.date().isoformat(),
                "encounter_id": e.id, "problem_id": p.id,
                "recorded_by": e.signed_by or e.clinician_id,
            }
            for p, e in found
        ]  # fmt: skip
        await self.session.execute(
            insert(Condition).values(values).on_conflict_do_nothing(index_elements=["problem_id"])
        )

    # ---- writes (the care team) -----------------------------------------------------------

    async def add(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        model: type[T],
        fields: Mapping[str, object],
        goals: Sequence[Mapping[str, object]] = (),
    ) -> T:
        """Add an item to the patient's record; a care plan's ``goals`` are added with it."""
        async with unit_of_work(self.session):
            row = model(id=uuid.uuid4(), patient_id=patient_id, recorded_by=actor.account_id)
            await self._write(actor, patient_id, RESOURCE_TYPES[model], row.id)
            _apply(row, fields)
            row.created_at = clock.now()
            self.session.add(row)
            for goal in goals:
                g = CarePlanGoal(id=uuid.uuid4(), care_plan_id=row.id, patient_id=patient_id)
                _apply(g, goal)
                self.session.add(g)
            await self.session.flush()
            return row

    async def change(
        self, actor: Actor, model: type[T], item_id: uuid.UUID, fields: Mapping[str, object]
    ) -> T:
        """Change the named fields of one item (resolve a condition, stop a medicine …)."""
        async with unit_of_work(self.session):
            row = await self.session.get(model, item_id)
            if row is None:
                raise NotFound("Not found.")
            await self._write(actor, row.patient_id, RESOURCE_TYPES[model], row.id)
            _apply(row, fields)
            row.updated_at = clock.now()
            await self.session.flush()
            return row

    async def add_goal(
        self, actor: Actor, plan_id: uuid.UUID, fields: Mapping[str, object]
    ) -> CarePlanGoal:
        async with unit_of_work(self.session):
            plan = await self.session.get(CarePlan, plan_id)
            if plan is None:
                raise NotFound("Not found.")
            goal = CarePlanGoal(id=uuid.uuid4(), care_plan_id=plan.id, patient_id=plan.patient_id)
            await self._write(actor, plan.patient_id, "Goal", goal.id)
            _apply(goal, fields)
            self.session.add(goal)
            plan.updated_at = clock.now()
            await self.session.flush()
            return goal

    async def change_goal(
        self, actor: Actor, goal_id: uuid.UUID, fields: Mapping[str, object]
    ) -> CarePlanGoal:
        async with unit_of_work(self.session):
            goal = await self.session.get(CarePlanGoal, goal_id)
            if goal is None:
                raise NotFound("Not found.")
            await self._write(actor, goal.patient_id, "Goal", goal.id)
            _apply(goal, fields)
            goal.updated_at = clock.now()
            await self.session.flush()
            return goal
