"""Identity's part of the FHIR API: the Patient resource, its read and search, its record section.

The routes are relative to ``/fhir`` (the fhir package mounts every capability's FHIR router
there). Reads and searches pass the same policy and audit as ``/api/patients``; a patient the
caller may not see is not found, and a search looks only among the patients the caller may see.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.deps import CurrentActor
from careverse.identity.models import Patient
from careverse.identity.patients import PatientService
from careverse.kernel.actor import Actor
from careverse.kernel.deps import SessionDep, SettingsDep
from careverse.kernel.fhir import OUTCOMES, FhirResponse
from careverse.kernel.fhir_search import (
    DATE,
    ID,
    STRING,
    TOKEN,
    Param,
    Query,
    Spec,
    matches,
    parse,
    register_chain,
    search_all,
    uuid_or_404,
)
from careverse.kernel.fhir_search_http import is_lenient, parameters, register
from careverse.kernel.policy import Category

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


async def record_section(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The Patient resource of a record (``$everything``, the export); the caller has authorised."""
    row = await PatientService(session).load(patient_id)
    return [] if row is None else [patient(row)]


ADMINISTRATIVE_GENDER = "http://hl7.org/fhir/administrative-gender"


def _name(r: dict) -> str:
    return next((n.get("text") or "" for n in r.get("name", [])), "")


def _words(r: dict) -> list[str]:
    text = _name(r)
    return [text, *text.split()] if text else []


# The record keeps one name text (no family/given parts): family is its last word, given the
# others, name any word (or the whole text). Names and birth dates are encrypted at rest, so
# the matching happens here, among the patients the caller may see, never in SQL.
PATIENT = Spec(
    type="Patient",
    category=Category.RECORD,
    params=(
        Param("identifier", TOKEN, f"{PATIENT_SYSTEM}|<id>",
              lambda r: [(i.get("system"), i.get("value")) for i in r.get("identifier", [])]),
        Param("name", STRING, "Any word of the name (or the whole name) starts with it", _words),
        Param("family", STRING, "The name's last word starts with it",
              lambda r: _name(r).split()[-1:]),
        Param("given", STRING, "Another word of the name starts with it",
              lambda r: _name(r).split()[:-1]),
        Param("birthdate", DATE, "prefix + date", lambda r: [r.get("birthDate")]),
        Param("gender", TOKEN, "male, female, other, unknown",
              lambda r: [(ADMINISTRATIVE_GENDER, r.get("gender"))]),
        ID,
    ),
    sorts={
        "name": lambda r: _name(r).casefold(),
        "family": lambda r: next(iter(_name(r).casefold().split()[-1:]), ""),
        "birthdate": lambda r: r.get("birthDate"),
    },
    default_sort="name",
    patient_required=False,
)  # fmt: skip


def _ids(query: Query) -> list[uuid.UUID] | None:
    """The patients ``_id``/``identifier`` narrow the search to (so only they are read and
    audited); ``None``: any the caller may see."""
    out: set[uuid.UUID] | None = None
    for criterion in query.criteria:
        name = criterion.param.name
        if criterion.modifier or name not in ("_id", "identifier"):
            continue
        found: set[uuid.UUID] = set()
        for system, code in criterion.values:
            if name == "identifier" and system not in (None, PATIENT_SYSTEM):
                continue
            try:
                found.add(uuid.UUID(code or ""))
            except ValueError:
                continue
        out = found if out is None else out & found
    return None if out is None else sorted(out)


async def visible_patients(session: AsyncSession, actor: Actor, query: Query) -> list[dict]:
    """The patients the caller may see (each audited) as Patients, narrowed by id first."""
    return [patient(p) for p in await PatientService(session).visible(actor, _ids(query))]


async def chained_patients(
    session: AsyncSession, actor: Actor, pairs: Sequence[tuple[str, str]]
) -> list[uuid.UUID]:
    """The ids of the patients the caller may see that ``patient.<p>=`` chains name."""
    query = parse(PATIENT, pairs)
    return [
        uuid.UUID(r["id"]) for r in await visible_patients(session, actor, query)
        if matches(query, r)
    ]  # fmt: skip


register_chain("Patient", PATIENT, chained_patients)


async def search_patients(
    request: Request, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> FhirResponse:
    """Search patients, only among those the caller may see (GET, or POST a form)."""
    query = parse(PATIENT, await parameters(request), is_lenient(request))
    return FhirResponse(
        await search_all(session, actor, query, visible_patients, settings.public_url)
    )


register(router, PATIENT, search_patients)


@router.get("/Patient/{patient_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_patient(patient_id: str, actor: CurrentActor, session: SessionDep) -> FhirResponse:
    """One patient."""
    row = await PatientService(session).get(actor, uuid_or_404(patient_id))
    return FhirResponse(patient(row))
