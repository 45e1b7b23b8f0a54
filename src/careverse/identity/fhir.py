"""Identity's part of the FHIR API: the Patient resource, its read and search, its record section.

The routes are relative to ``/fhir`` (the fhir package mounts every capability's FHIR router
there). Reads and searches pass the same policy and audit as ``/api/patients``; a patient the
caller may not see is not found, and a search looks only among the patients the caller may see.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.identity.models import Patient
from careverse.identity.patients import PatientService
from careverse.kernel.actor import Actor
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse, bundle

PATIENT_SYSTEM = "urn:careverse:patient"
GENDERS = ("male", "female", "other", "unknown")

router = APIRouter(tags=["fhir"])


def patient(p: Patient) -> dict:
    """A patient record as a FHIR R4 Patient."""
    resource: dict = {
        "resourceType": "Patient",
        "id": str(p.id),
        "identifier": [{"system": PATIENT_SYSTEM, "value": str(p.id)}],
        "active": True,
        "name": [{"text": p.name}],
        "gender": p.sex if p.sex in GENDERS else "unknown",
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


def _patient_id(value: str) -> uuid.UUID:
    """FHIR ids are strings; anything that is not one of ours is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


async def record_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The Patient resource of a record (``$everything``, the export); the caller has authorised."""
    row = await PatientService(session).load(patient_id)
    return [] if row is None else [patient(row)]


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
    found = await PatientService(session).visible(actor, ids)
    # Names and birth dates are encrypted at rest, so the filtering happens here, not in SQL.
    if name:
        needle = name.casefold()
        found = [p for p in found if needle in p.name.casefold()]
    if birthdate:
        found = [p for p in found if p.birth_date == birthdate]
    base = settings.public_url.rstrip("/")
    return FhirResponse(bundle("searchset", [patient(p) for p in found], base))


@router.get("/Patient/{patient_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_patient(patient_id: str, actor: CurrentActor, session: SessionDep) -> FhirResponse:
    """One patient."""
    row = await PatientService(session).get(actor, _patient_id(patient_id))
    return FhirResponse(patient(row))
