"""HTTP shapes of the patient's health record (``/api/care/patients/{id}/conditions`` …).

Writes (``…In``) come from the care team; a ``PATCH`` body (``…Patch``) changes only the fields
it names. Reads (``…Out``) carry the clinical wording and, where the care team gave one, the
patient's plain-language wording beside it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
CodeValue = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,20}$")]
CodeSystem = Literal["snomed", "icd-10", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10"]
ConditionStatus = Literal["active", "resolved"]
MedicationStatus = Literal["active", "stopped", "completed"]
AllergyStatus = Literal["active", "inactive", "resolved"]
Criticality = Literal["low", "high", "unable-to-assess"]
AllergyKind = Literal["allergy", "intolerance"]
AllergyCategory = Literal["food", "medication", "environment", "biologic"]
PlanStatus = Literal["active", "completed", "revoked"]
GoalStatus = Literal["active", "achieved", "cancelled"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- conditions -------------------------------------------------------------------------------


class ConditionIn(_Strict):
    text: ShortText
    plain_text: ShortText | None = None
    system: CodeSystem | None = None
    code: CodeValue | None = None
    clinical_status: ConditionStatus = "active"
    onset: date | None = None


class ConditionPatch(_Strict):
    text: ShortText | None = None
    plain_text: ShortText | None = None
    system: CodeSystem | None = None
    code: CodeValue | None = None
    clinical_status: ConditionStatus | None = None
    onset: date | None = None
    resolved_on: date | None = None


class ConditionOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    text: str
    plain_text: str | None
    system: str | None
    code: str | None
    clinical_status: str
    onset: date | None
    resolved_on: date | None
    encounter_id: uuid.UUID | None  # the visit where it was noted, when it came from one
    recorded_at: datetime
    recorded_by_name: str | None


# ---- medicines --------------------------------------------------------------------------------


class MedicationIn(_Strict):
    name: ShortText
    dose: ShortText | None = None
    how_taken: ShortText | None = None
    reason: ShortText | None = None
    status: MedicationStatus = "active"
    started: date | None = None


class MedicationPatch(_Strict):
    name: ShortText | None = None
    dose: ShortText | None = None
    how_taken: ShortText | None = None
    reason: ShortText | None = None
    status: MedicationStatus | None = None
    started: date | None = None


class MedicationOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    name: str
    dose: str | None
    how_taken: str | None
    reason: str | None
    status: str
    started: date | None
    recorded_at: datetime
    recorded_by_name: str | None


# ---- allergies and intolerances ---------------------------------------------------------------


class AllergyIn(_Strict):
    substance: ShortText
    reaction: ShortText | None = None
    kind: AllergyKind = "allergy"
    category: AllergyCategory | None = None
    criticality: Criticality | None = None
    clinical_status: AllergyStatus = "active"


class AllergyPatch(_Strict):
    substance: ShortText | None = None
    reaction: ShortText | None = None
    kind: AllergyKind | None = None
    category: AllergyCategory | None = None
    criticality: Criticality | None = None
    clinical_status: AllergyStatus | None = None


class AllergyOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    substance: str
    reaction: str | None
    kind: str
    category: str | None
    criticality: str | None
    clinical_status: str
    recorded_at: datetime
    recorded_by_name: str | None


# ---- care plans and goals ---------------------------------------------------------------------


class GoalIn(_Strict):
    description: ShortText
    target: ShortText | None = None
    due: date | None = None
    status: GoalStatus = "active"


class GoalPatch(_Strict):
    description: ShortText | None = None
    target: ShortText | None = None
    due: date | None = None
    status: GoalStatus | None = None


class GoalOut(BaseModel):
    id: uuid.UUID
    care_plan_id: uuid.UUID
    description: str
    target: str | None
    due: date | None
    status: str


class CarePlanIn(_Strict):
    title: ShortText
    description: LongText | None = None
    status: PlanStatus = "active"
    goals: list[GoalIn] = []


class CarePlanPatch(_Strict):
    title: ShortText | None = None
    description: LongText | None = None
    status: PlanStatus | None = None


class CarePlanOut(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    title: str
    description: str | None
    status: str
    goals: list[GoalOut]
    recorded_at: datetime
    recorded_by_name: str | None


class HealthRecordOut(BaseModel):
    """The whole record at once (the patient's "My health" page reads this, one audit entry)."""

    patient_id: uuid.UUID
    conditions: list[ConditionOut]
    medications: list[MedicationOut]
    allergies: list[AllergyOut]
    care_plans: list[CarePlanOut]
    can_write: bool
