"""The health record as FHIR R4: Condition, MedicationStatement, AllergyIntolerance, CarePlan and
Goal; their reads and ``?patient=`` searches under ``/fhir``, and care's section of the patient's
record (``$everything`` and the export). Choices are in docs/health-record.md.

Search is strict, like Observation's: ``patient`` (``<id>`` or ``Patient/<id>``) or ``subject``
(``Patient/<id>``) is required, any other parameter answers 400 with an OperationOutcome naming
the parameter; a patient the caller may not see answers 404, like a missing one.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.health_record import HealthRecord, HealthRecordService
from careverse.care.models import (
    Allergy,
    CarePlan,
    CarePlanGoal,
    Condition,
    MedicationStatement,
)
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import DomainError, NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse, bundle, iso
from careverse.kernel.policy import Actor, Category, authorize, decide
from careverse.kernel.uow import unit_of_work

ACCOUNT_SYSTEM = "urn:careverse:account"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
CONDITION_CLINICAL = f"{TERMINOLOGY}/condition-clinical"
CONDITION_VERIFICATION = f"{TERMINOLOGY}/condition-ver-status"
CONDITION_CATEGORY = f"{TERMINOLOGY}/condition-category"
ALLERGY_CLINICAL = f"{TERMINOLOGY}/allergyintolerance-clinical"
ALLERGY_VERIFICATION = f"{TERMINOLOGY}/allergyintolerance-verification"
GOAL_ACHIEVEMENT = f"{TERMINOLOGY}/goal-achievement"
GOAL_LIFECYCLE = {"active": "active", "achieved": "completed", "cancelled": "cancelled"}
GOAL_ACHIEVED = {"active": "in-progress", "achieved": "achieved", "cancelled": "not-achieved"}
SEARCH_PARAMETERS = ("patient", "subject")


def _coding(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def _patient(patient_id: uuid.UUID) -> dict:
    return {"reference": f"Patient/{patient_id}"}


def _recorder(account_id: uuid.UUID | None, names: dict[uuid.UUID, str]) -> dict | None:
    if account_id is None:
        return None
    ref: dict = {"identifier": {"system": ACCOUNT_SYSTEM, "value": str(account_id)}}
    if account_id in names:
        ref["display"] = names[account_id]
    return ref


def condition(c: Condition, names: dict[uuid.UUID, str]) -> dict:
    code: dict = {"text": c.text}
    if c.system and c.code:
        code["coding"] = [{"system": c.system, "code": c.code, "display": c.text}]
    out: dict = {
        "resourceType": "Condition",
        "id": str(c.id),
        "clinicalStatus": _coding(CONDITION_CLINICAL, c.clinical_status),
        "verificationStatus": _coding(CONDITION_VERIFICATION, "confirmed"),
        "category": [_coding(CONDITION_CATEGORY, "problem-list-item")],
        "code": code,
        "subject": _patient(c.patient_id),
        "recordedDate": iso(c.created_at),
    }
    if c.onset:
        out["onsetDateTime"] = c.onset
    if c.clinical_status == "resolved" and c.resolved_on:
        out["abatementDateTime"] = c.resolved_on
    if c.encounter_id:
        out["encounter"] = {"reference": f"Encounter/{c.encounter_id}"}
    if recorder := _recorder(c.recorded_by, names):
        out["recorder"] = recorder
    if c.plain_text:
        out["note"] = [{"text": f"In plain words: {c.plain_text}"}]
    return out


def medication_statement(m: MedicationStatement, names: dict[uuid.UUID, str]) -> dict:
    out: dict = {
        "resourceType": "MedicationStatement",
        "id": str(m.id),
        "status": m.status,
        "medicationCodeableConcept": {"text": m.name},
        "subject": _patient(m.patient_id),
        "dateAsserted": iso(m.created_at),
    }
    dosage = ", ".join(part for part in (m.dose, m.how_taken) if part)
    if dosage:
        out["dosage"] = [{"text": dosage}]
    if m.started:
        out["effectivePeriod"] = {"start": m.started}
    if m.reason:
        out["reasonCode"] = [{"text": m.reason}]
    if source := _recorder(m.recorded_by, names):
        out["informationSource"] = source
    return out


def allergy_intolerance(a: Allergy, names: dict[uuid.UUID, str]) -> dict:
    out: dict = {
        "resourceType": "AllergyIntolerance",
        "id": str(a.id),
        "clinicalStatus": _coding(ALLERGY_CLINICAL, a.clinical_status),
        "verificationStatus": _coding(ALLERGY_VERIFICATION, "confirmed"),
        "type": a.kind,
        "code": {"text": a.substance},
        "patient": _patient(a.patient_id),
        "recordedDate": iso(a.created_at),
    }
    if a.category:
        out["category"] = [a.category]
    if a.criticality:
        out["criticality"] = a.criticality
    if a.reaction:
        out["reaction"] = [{"manifestation": [{"text": a.reaction}]}]
    if recorder := _recorder(a.recorded_by, names):
        out["recorder"] = recorder
    return out


def goal(g: CarePlanGoal) -> dict:
    out: dict = {
        "resourceType": "Goal",
        "id": str(g.id),
        "lifecycleStatus": GOAL_LIFECYCLE.get(g.status, "active"),
        "achievementStatus": _coding(GOAL_ACHIEVEMENT, GOAL_ACHIEVED.get(g.status, "in-progress")),
        "description": {"text": g.description},
        "subject": _patient(g.patient_id),
    }
    target: dict = {}
    if g.target:
        target["detailString"] = g.target
    if g.due:
        target["dueDate"] = g.due
    if target:
        out["target"] = [target]
    return out


def care_plan(p: CarePlan, goals: list[CarePlanGoal], names: dict[uuid.UUID, str]) -> dict:
    out: dict = {
        "resourceType": "CarePlan",
        "id": str(p.id),
        "status": p.status,
        "intent": "plan",
        "title": p.title,
        "subject": _patient(p.patient_id),
        "created": iso(p.created_at),
    }
    if p.description:
        out["description"] = p.description
    if author := _recorder(p.recorded_by, names):
        out["author"] = author
    if goals:
        out["goal"] = [{"reference": f"Goal/{g.id}"} for g in goals]
    return out


def resources(r: HealthRecord) -> list[dict]:
    """The whole record as FHIR resources (each plan followed by its goals)."""
    out = [condition(c, r.names) for c in r.conditions]
    out += [medication_statement(m, r.names) for m in r.medications]
    out += [allergy_intolerance(a, r.names) for a in r.allergies]
    for p in r.care_plans:
        goals = r.goals.get(p.id, [])
        out.append(care_plan(p, goals, r.names))
        out += [goal(g) for g in goals]
    return out


async def record_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list:
    """Care's health-record section of ``$everything`` and the export (the caller authorised the
    record; a caregiver without ``record:read`` gets nothing of it)."""
    grant, _ = await decide(session, actor, patient_id, Category.RECORD, False)
    if grant is None:
        return []
    return resources(await HealthRecordService(session).load(patient_id))


# ---- reads and searches ------------------------------------------------------------------------


class BadSearch(DomainError):
    """A search parameter that is not supported or not well formed (400 OperationOutcome)."""

    status_code = 400
    code = "bad_search"


MODELS: dict[str, type] = {
    "Condition": Condition,
    "MedicationStatement": MedicationStatement,
    "AllergyIntolerance": Allergy,
    "CarePlan": CarePlan,
}
ATTRS = {
    "Condition": "conditions",
    "MedicationStatement": "medications",
    "AllergyIntolerance": "allergies",
    "CarePlan": "care_plans",
}


def search_patient(pairs: list[tuple[str, str]]) -> uuid.UUID:
    """The one patient a search names (400 for anything else, 404 for a foreign id)."""
    for name, _ in pairs:
        if name not in SEARCH_PARAMETERS:
            raise BadSearch(f"Unsupported search parameter: {name[:40]}.")
    given = [(name, value) for name, value in pairs]
    if len(given) != 1:
        raise BadSearch("Name the patient once, with patient or subject.")
    name, value = given[0]
    ref = value.removeprefix("Patient/")
    if name == "subject" and not value.startswith("Patient/"):
        raise BadSearch("subject must reference a Patient.")
    try:
        return uuid.UUID(ref)
    except ValueError:
        raise NotFound("Not found.") from None


class HealthFhir:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.base = settings.public_url.rstrip("/")
        self.service = HealthRecordService(session)

    async def read(self, actor: Actor, kind: str, item_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            if kind == "Goal":
                g = await self.service.goal(actor, item_id)
                return goal(g)
            row = await self.service.item(actor, MODELS[kind], item_id)
            names = await self.service.names(row.recorded_by)
            if isinstance(row, CarePlan):
                return care_plan(row, await self.service.goals_of(row.id), names)
            return resources(self._one(row, names))[0]

    @staticmethod
    def _one(row, names: dict[uuid.UUID, str]) -> HealthRecord:
        record = HealthRecord(row.patient_id, [], [], [], [], {}, names, False)
        attr = ATTRS[next(k for k, m in MODELS.items() if isinstance(row, m))]
        getattr(record, attr).append(row)
        return record

    async def search(self, actor: Actor, kind: str, pairs: list[tuple[str, str]]) -> dict:
        patient_id = search_patient(pairs)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.RECORD, resource_type="Bundle"
            )
            record = await self.service.load(patient_id)
        if kind == "CarePlan":
            goals, names = record.goals, record.names
            found = [care_plan(p, goals.get(p.id, []), names) for p in record.care_plans]
        else:
            only = HealthRecord(patient_id, [], [], [], [], {}, record.names, False)
            setattr(only, ATTRS[kind], getattr(record, ATTRS[kind]))
            found = resources(only)
        return bundle("searchset", found, self.base)


router = APIRouter(tags=["fhir"])


def _health_fhir(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> HealthFhir:
    return HealthFhir(session, settings)


HealthFhirDep = Annotated[HealthFhir, Depends(_health_fhir)]
SEARCH_DOC = [
    {"name": "patient", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The patient: `<id>` or `Patient/<id>`"},
    {"name": "subject", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The patient as `Patient/<id>`"},
]  # fmt: skip


def _id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


def _routes(kind: str) -> None:
    async def read(item_id: str, actor: CurrentActor, fhir: HealthFhirDep) -> JSONResponse:
        return FhirResponse(await fhir.read(actor, kind, _id(item_id)))

    read.__doc__ = f"One {kind} of a patient's health record."
    router.add_api_route(
        f"/{kind}/{{item_id}}", read, methods=["GET"], responses=OUTCOMES,
        response_class=FhirResponse, name=f"read_{kind}",
    )  # fmt: skip
    if kind == "Goal":
        return

    async def search(request: Request, actor: CurrentActor, fhir: HealthFhirDep) -> JSONResponse:
        pairs = list(request.query_params.multi_items())
        return FhirResponse(await fhir.search(actor, kind, pairs))

    search.__doc__ = f"The {kind} resources of one patient (``patient=`` required)."
    router.add_api_route(
        f"/{kind}", search, methods=["GET"], response_class=FhirResponse, name=f"search_{kind}",
        responses={400: {"description": "Unsupported search parameters"}, **OUTCOMES},
        openapi_extra={"parameters": SEARCH_DOC},
    )  # fmt: skip


for _kind in (*MODELS, "Goal"):
    _routes(_kind)
