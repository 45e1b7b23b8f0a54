"""FHIR search and read of care's DocumentReferences (signed visit notes) and CareTeams, and the
search of Goals, on the kernel's toolkit (:mod:`careverse.kernel.fhir_search`).

Access as in the record (docs/fhir.md): notes need ``Category.CONSULTS``; the CareTeam and the
health record's Goals ``Category.RECORD``. A patient has few of each, so they are matched in
memory after the patient's rows are read.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.fhir_record import care_team_resource, document_reference
from careverse.care.health_fhir import resources as health_resources
from careverse.care.health_record import HealthRecordService
from careverse.care.models import Addendum, Encounter
from careverse.identity.deps import CurrentActor
from careverse.identity.directory import display_names
from careverse.identity.relationships import care_team
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import OUTCOMES, FhirResponse
from careverse.kernel.fhir_search import (
    COMMON,
    DATE,
    REFERENCE,
    TOKEN,
    Param,
    Spec,
    uuid_or_404,
)
from careverse.kernel.fhir_search_http import endpoint, register
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work

Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]
router = APIRouter(tags=["fhir"])


def codings(element: object) -> list[tuple[str | None, str | None]]:
    items = element if isinstance(element, list) else [element]
    return [
        (c.get("system"), c.get("code"))
        for item in items
        if isinstance(item, dict)
        for c in item.get("coding") or []
    ]


async def _notes(session: AsyncSession, encounters: list[Encounter]) -> list[dict]:
    signed = [e for e in encounters if e.signed_at is not None]
    ids = [e.id for e in signed]
    addenda = (
        await session.scalars(
            select(Addendum).where(Addendum.encounter_id.in_(ids)).order_by(Addendum.signed_at)
        )
    ).all()
    names = await display_names(
        session, {e.signed_by or e.clinician_id for e in signed} | {e.clinician_id for e in signed}
    )
    return [
        document_reference(e, [a for a in addenda if a.encounter_id == e.id], names) for e in signed
    ]


async def notes(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The patient's signed visit notes as DocumentReferences."""
    rows = await session.scalars(select(Encounter).where(Encounter.patient_id == patient_id))
    return await _notes(session, list(rows.all()))


async def care_teams(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The patient's care team (one; none without an active care relationship)."""
    team = await care_team(session, patient_id)
    if not team:
        return []
    return [care_team_resource(patient_id, team, await display_names(session, set(team)))]


async def goals(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
    """The health record's resources (the search keeps its Goals)."""
    return health_resources(await HealthRecordService(session).load(patient_id))


DOCUMENT_REFERENCE = Spec(
    type="DocumentReference",
    category=Category.CONSULTS,
    params=(
        Param("status", TOKEN, "current", lambda r: [(None, r.get("status"))]),
        Param("type", TOKEN, "http://loinc.org|11506-3", lambda r: codings(r.get("type"))),
        Param("date", DATE, "When the note was signed: prefix + date", lambda r: [r.get("date")]),
        Param(
            "encounter", REFERENCE, "Encounter/<id>",
            lambda r: [e["reference"] for e in r.get("context", {}).get("encounter", [])],
        ),
        *COMMON,
    ),
    sorts={"date": lambda r: r.get("date")},
    default_sort="-date",
)  # fmt: skip
CARE_TEAM = Spec(
    type="CareTeam",
    category=Category.RECORD,
    params=(
        Param("status", TOKEN, "active", lambda r: [(None, r.get("status"))]),
        *COMMON,
    ),
    sorts={"_id": lambda r: r.get("id")},
    default_sort="_id",
)
GOAL = Spec(
    type="Goal",
    category=Category.RECORD,
    params=(
        Param(
            "lifecycle-status", TOKEN, "active, completed, cancelled",
            lambda r: [(None, r.get("lifecycleStatus"))],
        ),
        Param(
            "achievement-status", TOKEN, "goal-achievement|in-progress, achieved …",
            lambda r: codings(r.get("achievementStatus")),
        ),
        Param(
            "target-date", DATE, "The target's due date: prefix + date",
            lambda r: [t.get("dueDate") for t in r.get("target", [])],
        ),
        *COMMON,
    ),
    sorts={
        "target-date": lambda r: next((t.get("dueDate") for t in r.get("target", [])), None),
        "_id": lambda r: r.get("id"),
    },
    default_sort="target-date",
)  # fmt: skip


register(router, DOCUMENT_REFERENCE, endpoint(DOCUMENT_REFERENCE, notes, CurrentActor))
register(router, CARE_TEAM, endpoint(CARE_TEAM, care_teams, CurrentActor))
register(router, GOAL, endpoint(GOAL, goals, CurrentActor))


@router.get("/DocumentReference/{note_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_document_reference(
    note_id: str, actor: CurrentActor, session: Session
) -> JSONResponse:
    """One signed visit note (its id is its Encounter's)."""
    async with unit_of_work(session):
        row = await session.get(Encounter, uuid_or_404(note_id))
        if row is None or row.signed_at is None:
            raise NotFound("Not found.")
        await authorize(
            session, actor, row.patient_id, Category.CONSULTS,
            resource_type="DocumentReference", resource_id=row.id,
        )  # fmt: skip
        (note,) = await _notes(session, [row])
        return FhirResponse(note)


@router.get("/CareTeam/{team_id}", responses=OUTCOMES, response_class=FhirResponse)
async def read_care_team(team_id: str, actor: CurrentActor, session: Session) -> JSONResponse:
    """A patient's care team (its id is the patient's)."""
    patient_id = uuid_or_404(team_id)
    async with unit_of_work(session):
        await authorize(
            session, actor, patient_id, Category.RECORD, resource_type="CareTeam",
            resource_id=patient_id,
        )  # fmt: skip
        found = await care_teams(session, actor, patient_id)
        if not found:
            raise NotFound("Not found.")
        return FhirResponse(found[0])
