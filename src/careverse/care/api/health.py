"""Care API: the patient's health record (docs/health-record.md).

``GET /api/care/patients/{patient_id}/health`` — everything at once; per list
``GET|POST /api/care/patients/{patient_id}/conditions|medications|allergies|care-plans``;
``GET|PATCH /api/care/conditions|medications|allergies|care-plans/{id}``;
``POST /api/care/care-plans/{id}/goals`` and ``PATCH /api/care/goals/{id}``.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.health_record import HealthRecord, HealthRecordService
from careverse.care.health_schemas import (
    AllergyIn,
    AllergyOut,
    AllergyPatch,
    CarePlanIn,
    CarePlanOut,
    CarePlanPatch,
    ConditionIn,
    ConditionOut,
    ConditionPatch,
    GoalIn,
    GoalOut,
    GoalPatch,
    HealthRecordOut,
    MedicationIn,
    MedicationOut,
    MedicationPatch,
)
from careverse.care.models import (
    Allergy,
    CarePlan,
    CarePlanGoal,
    Condition,
    MedicationStatement,
)
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session

router = APIRouter(prefix="/api/care", tags=["care"])


def _service(session: Annotated[AsyncSession, Depends(get_session)]) -> HealthRecordService:
    return HealthRecordService(session)


Health = Annotated[HealthRecordService, Depends(_service)]
Names = dict[uuid.UUID, str]


def condition_out(c: Condition, names: Names) -> ConditionOut:
    return ConditionOut.model_validate(
        {**_common(c, names), "text": c.text, "plain_text": c.plain_text, "system": c.system,
         "code": c.code, "clinical_status": c.clinical_status, "onset": c.onset,
         "resolved_on": c.resolved_on, "encounter_id": c.encounter_id}
    )  # fmt: skip


def medication_out(m: MedicationStatement, names: Names) -> MedicationOut:
    return MedicationOut.model_validate(
        {**_common(m, names), "name": m.name, "dose": m.dose, "how_taken": m.how_taken,
         "reason": m.reason, "status": m.status, "started": m.started}
    )  # fmt: skip


def allergy_out(a: Allergy, names: Names) -> AllergyOut:
    return AllergyOut.model_validate(
        {**_common(a, names), "substance": a.substance, "reaction": a.reaction, "kind": a.kind,
         "category": a.category, "criticality": a.criticality,
         "clinical_status": a.clinical_status}
    )  # fmt: skip


def goal_out(g: CarePlanGoal) -> GoalOut:
    return GoalOut.model_validate(
        {"id": g.id, "care_plan_id": g.care_plan_id, "description": g.description,
         "target": g.target, "due": g.due, "status": g.status}
    )  # fmt: skip


def plan_out(p: CarePlan, goals: list[CarePlanGoal], names: Names) -> CarePlanOut:
    return CarePlanOut.model_validate(
        {**_common(p, names), "title": p.title, "description": p.description,
         "status": p.status, "goals": [goal_out(g) for g in goals]}
    )  # fmt: skip


def _common(row, names: Names) -> dict:
    return {
        "id": row.id, "patient_id": row.patient_id, "recorded_at": row.created_at,
        "recorded_by_name": names.get(row.recorded_by) if row.recorded_by else None,
    }  # fmt: skip


def record_out(r: HealthRecord) -> HealthRecordOut:
    return HealthRecordOut(
        patient_id=r.patient_id,
        conditions=[condition_out(c, r.names) for c in r.conditions],
        medications=[medication_out(m, r.names) for m in r.medications],
        allergies=[allergy_out(a, r.names) for a in r.allergies],
        care_plans=[plan_out(p, r.goals.get(p.id, []), r.names) for p in r.care_plans],
        can_write=r.can_write,
    )


# ---- the whole record -------------------------------------------------------------------------


@router.get("/patients/{patient_id}/health", response_model=HealthRecordOut, responses=ERRORS)
async def health_record(
    patient_id: uuid.UUID, actor: CurrentActor, health: Health
) -> HealthRecordOut:
    """The patient's conditions, medicines, allergies and care plans (with goals)."""
    return record_out(await health.record(actor, patient_id))


# ---- conditions -------------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/conditions", response_model=list[ConditionOut], responses=ERRORS
)
async def list_conditions(
    patient_id: uuid.UUID, actor: CurrentActor, health: Health
) -> list[ConditionOut]:
    """The patient's problem list, with the problems of their signed visit notes."""
    r = await health.items(actor, patient_id, Condition)
    return [condition_out(c, r.names) for c in r.conditions]


@router.post(
    "/patients/{patient_id}/conditions",
    response_model=ConditionOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
async def add_condition(
    patient_id: uuid.UUID, body: ConditionIn, actor: CurrentActor, health: Health
) -> ConditionOut:
    row = await health.add(actor, patient_id, Condition, body.model_dump())
    return condition_out(row, await health.names(row.recorded_by))


@router.get("/conditions/{condition_id}", response_model=ConditionOut, responses=ERRORS)
async def read_condition(
    condition_id: uuid.UUID, actor: CurrentActor, health: Health
) -> ConditionOut:
    row = await health.item(actor, Condition, condition_id)
    return condition_out(row, await health.names(row.recorded_by))


@router.patch("/conditions/{condition_id}", response_model=ConditionOut, responses=ERRORS)
async def change_condition(
    condition_id: uuid.UUID, body: ConditionPatch, actor: CurrentActor, health: Health
) -> ConditionOut:
    """Change a condition (``{"clinical_status": "resolved"}`` resolves it)."""
    row = await health.change(actor, Condition, condition_id, body.model_dump(exclude_unset=True))
    return condition_out(row, await health.names(row.recorded_by))


# ---- medicines --------------------------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/medications", response_model=list[MedicationOut], responses=ERRORS
)
async def list_medications(
    patient_id: uuid.UUID, actor: CurrentActor, health: Health
) -> list[MedicationOut]:
    r = await health.items(actor, patient_id, MedicationStatement)
    return [medication_out(m, r.names) for m in r.medications]


@router.post(
    "/patients/{patient_id}/medications",
    response_model=MedicationOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
async def add_medication(
    patient_id: uuid.UUID, body: MedicationIn, actor: CurrentActor, health: Health
) -> MedicationOut:
    row = await health.add(actor, patient_id, MedicationStatement, body.model_dump())
    return medication_out(row, await health.names(row.recorded_by))


@router.get("/medications/{medication_id}", response_model=MedicationOut, responses=ERRORS)
async def read_medication(
    medication_id: uuid.UUID, actor: CurrentActor, health: Health
) -> MedicationOut:
    row = await health.item(actor, MedicationStatement, medication_id)
    return medication_out(row, await health.names(row.recorded_by))


@router.patch("/medications/{medication_id}", response_model=MedicationOut, responses=ERRORS)
async def change_medication(
    medication_id: uuid.UUID, body: MedicationPatch, actor: CurrentActor, health: Health
) -> MedicationOut:
    """Change a medicine (``{"status": "stopped"}`` stops it)."""
    fields = body.model_dump(exclude_unset=True)
    row = await health.change(actor, MedicationStatement, medication_id, fields)
    return medication_out(row, await health.names(row.recorded_by))


# ---- allergies --------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/allergies", response_model=list[AllergyOut], responses=ERRORS)
async def list_allergies(
    patient_id: uuid.UUID, actor: CurrentActor, health: Health
) -> list[AllergyOut]:
    r = await health.items(actor, patient_id, Allergy)
    return [allergy_out(a, r.names) for a in r.allergies]


@router.post(
    "/patients/{patient_id}/allergies",
    response_model=AllergyOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
async def add_allergy(
    patient_id: uuid.UUID, body: AllergyIn, actor: CurrentActor, health: Health
) -> AllergyOut:
    row = await health.add(actor, patient_id, Allergy, body.model_dump())
    return allergy_out(row, await health.names(row.recorded_by))


@router.get("/allergies/{allergy_id}", response_model=AllergyOut, responses=ERRORS)
async def read_allergy(allergy_id: uuid.UUID, actor: CurrentActor, health: Health) -> AllergyOut:
    row = await health.item(actor, Allergy, allergy_id)
    return allergy_out(row, await health.names(row.recorded_by))


@router.patch("/allergies/{allergy_id}", response_model=AllergyOut, responses=ERRORS)
async def change_allergy(
    allergy_id: uuid.UUID, body: AllergyPatch, actor: CurrentActor, health: Health
) -> AllergyOut:
    row = await health.change(actor, Allergy, allergy_id, body.model_dump(exclude_unset=True))
    return allergy_out(row, await health.names(row.recorded_by))


# ---- care plans and goals ---------------------------------------------------------------------


@router.get("/patients/{patient_id}/care-plans", response_model=list[CarePlanOut], responses=ERRORS)
async def list_care_plans(
    patient_id: uuid.UUID, actor: CurrentActor, health: Health
) -> list[CarePlanOut]:
    r = await health.items(actor, patient_id, CarePlan)
    return [plan_out(p, r.goals.get(p.id, []), r.names) for p in r.care_plans]


@router.post(
    "/patients/{patient_id}/care-plans",
    response_model=CarePlanOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
async def add_care_plan(
    patient_id: uuid.UUID, body: CarePlanIn, actor: CurrentActor, health: Health
) -> CarePlanOut:
    """A care plan, with its first goals (``goals``) if given."""
    goals = [g.model_dump() for g in body.goals]
    row = await health.add(actor, patient_id, CarePlan, body.model_dump(exclude={"goals"}), goals)
    return plan_out(row, await health.goals_of(row.id), await health.names(row.recorded_by))


@router.get("/care-plans/{plan_id}", response_model=CarePlanOut, responses=ERRORS)
async def read_care_plan(plan_id: uuid.UUID, actor: CurrentActor, health: Health) -> CarePlanOut:
    row = await health.item(actor, CarePlan, plan_id)
    return plan_out(row, await health.goals_of(row.id), await health.names(row.recorded_by))


@router.patch("/care-plans/{plan_id}", response_model=CarePlanOut, responses=ERRORS)
async def change_care_plan(
    plan_id: uuid.UUID, body: CarePlanPatch, actor: CurrentActor, health: Health
) -> CarePlanOut:
    row = await health.change(actor, CarePlan, plan_id, body.model_dump(exclude_unset=True))
    return plan_out(row, await health.goals_of(row.id), await health.names(row.recorded_by))


@router.post(
    "/care-plans/{plan_id}/goals",
    response_model=GoalOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERRORS,
)
async def add_goal(
    plan_id: uuid.UUID, body: GoalIn, actor: CurrentActor, health: Health
) -> GoalOut:
    return goal_out(await health.add_goal(actor, plan_id, body.model_dump()))


@router.patch("/goals/{goal_id}", response_model=GoalOut, responses=ERRORS)
async def change_goal(
    goal_id: uuid.UUID, body: GoalPatch, actor: CurrentActor, health: Health
) -> GoalOut:
    """Change a goal (``{"status": "achieved"}`` when reached)."""
    return goal_out(await health.change_goal(actor, goal_id, body.model_dump(exclude_unset=True)))
