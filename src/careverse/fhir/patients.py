"""TEMPORARY: the Patient resource, its read/search routes and its record section.

These belong to identity (``identity/fhir.py``, exporting ``patient(p)``, ``router`` and the
"patient" record section); they stay here only until that branch is merged, and this module
is then deleted together with the lines in ``fhir/__init__.py`` that register it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.identity.models import Patient
from careverse.identity.patients import PatientService
from careverse.kernel.config import Settings
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse, PatientRecord, bundle
from careverse.kernel.policy import Actor
from careverse.kernel.runtime import Runtime
from careverse.kernel.uow import unit_of_work

PATIENT_SYSTEM = "urn:careverse:patient"


def patient(p: Patient) -> dict:
    """A patient record as a FHIR Patient."""
    resource: dict = {
        "resourceType": "Patient",
        "id": str(p.id),
        "identifier": [{"system": PATIENT_SYSTEM, "value": str(p.id)}],
        "active": True,
        "name": [{"text": p.name}],
        "gender": p.sex if p.sex in ("male", "female", "other", "unknown") else "unknown",
    }
    if p.birth_date:
        resource["birthDate"] = p.birth_date
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if p.contact_email:
        telecom.append({"system": "email", "value": p.contact_email})
    if telecom:
        resource["telecom"] = telecom
    if p.preferred_language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": p.preferred_language}]
                },
                "preferred": True,
            }
        ]
    return resource


async def patient_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list:
    """The Patient itself: the first section of a patient's record."""
    found = await PatientService(session).load(patient_id)
    if found is None:
        raise NotFound("Not found.")
    return [patient(found)]


def _parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


router = APIRouter(tags=["fhir"])


@router.get("/Patient", responses=OUTCOMES, response_class=FhirResponse)
async def search_patients(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str | None, Query(max_length=200)] = None,
    birthdate: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    identifier: Annotated[str | None, Query(max_length=200)] = None,
) -> FhirResponse:
    """Search patients, only among those the caller may see."""
    ids = None
    if identifier:
        value = identifier.split("|", 1)[-1]
        try:
            ids = [uuid.UUID(value)]
        except ValueError:
            ids = []
    async with unit_of_work(session):
        found = await PatientService(session).visible(actor, ids)
    if name:  # names are encrypted at rest: filter here, among the visible ones
        needle = name.casefold()
        found = [p for p in found if needle in p.name.casefold()]
    if birthdate:
        found = [p for p in found if p.birth_date == birthdate]
    return FhirResponse(bundle("searchset", [patient(p) for p in found], _base(settings)))


@router.get("/Patient/{patient_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_patient(patient_id: str, actor: CurrentActor, session: SessionDep) -> FhirResponse:
    """One patient."""
    async with unit_of_work(session):
        found = await PatientService(session).get(actor, _parse_id(patient_id))
    return FhirResponse(patient(found))


def register(runtime: Runtime) -> None:
    """Serve the Patient and make it the first section of the record, unless identity does."""
    if "patient" in runtime.patient_record.names:
        return
    runtime.include_fhir_router(router)
    record = PatientRecord()
    record.add("patient", patient_section)
    record.add("registered before fhir", runtime.patient_record.resources)
    runtime.patient_record = record
