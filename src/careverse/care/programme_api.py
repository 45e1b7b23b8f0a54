"""Care programmes over HTTP (``care/programmes.py``): thin, no domain logic.

- ``GET /api/care/programmes``, ``POST`` (create), ``GET/PATCH/DELETE /api/care/programmes/{id}``
- ``POST /api/care/programmes/{id}/enrolments`` (enrol a patient the clinician cares for),
  ``DELETE /api/care/programmes/{id}/enrolments/{patient_id}`` (end it)
- ``GET /api/me/programmes``: a patient's own programmes, current and past.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.programmes import Member, ProgrammeService, ProgrammeView
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session

router = APIRouter(prefix="/api", tags=["care"])


def service(session: Annotated[AsyncSession, Depends(get_session)]) -> ProgrammeService:
    return ProgrammeService(session)


Programmes = Annotated[ProgrammeService, Depends(service)]


class LeadOut(BaseModel):
    id: uuid.UUID
    name: str


class ProgrammeMemberOut(BaseModel):
    enrolment_id: uuid.UUID
    patient_id: uuid.UUID
    name: str
    enrolled_at: datetime
    ends_at: datetime | None
    enrolled_by: str | None


class ProgrammeOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    leads: list[LeadOut]
    enrolled: int
    is_lead: bool
    members: list[ProgrammeMemberOut] | None = Field(
        None, description="For the programme's leads: the members they may see"
    )
    hidden_members: int = Field(0, description="Members the caller may not see (counted only)")


class ProgrammeIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    lead_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class ProgrammeChange(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    lead_ids: list[uuid.UUID] | None = Field(None, max_length=20)


class EnrolmentIn(BaseModel):
    patient_id: uuid.UUID
    ends_at: datetime | None = Field(None, description="The planned end, with its offset")


class MyProgrammeOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    enrolled_at: datetime
    ends_at: datetime | None
    ended_at: datetime | None
    active: bool


def member_out(m: Member) -> ProgrammeMemberOut:
    return ProgrammeMemberOut(
        enrolment_id=m.enrolment_id, patient_id=m.patient_id, name=m.name,
        enrolled_at=m.enrolled_at, ends_at=m.ends_at, enrolled_by=m.enrolled_by,
    )  # fmt: skip


def out(view: ProgrammeView) -> ProgrammeOut:
    return ProgrammeOut(
        id=view.id, name=view.name, description=view.description,
        leads=[LeadOut(id=i, name=n) for i, n in view.leads], enrolled=view.enrolled,
        is_lead=view.is_lead,
        members=None if view.members is None else [member_out(m) for m in view.members],
        hidden_members=view.hidden,
    )  # fmt: skip


@router.get("/care/programmes", response_model=list[ProgrammeOut], responses=ERRORS)
async def list_programmes(actor: CurrentActor, programmes: Programmes) -> list[ProgrammeOut]:
    """Every care programme (clinicians and admins): name, description, leads, how many."""
    return [out(v) for v in await programmes.list(actor)]


@router.post("/care/programmes", response_model=ProgrammeOut, status_code=201, responses=ERRORS)
async def create_programme(
    body: ProgrammeIn, actor: CurrentActor, programmes: Programmes
) -> ProgrammeOut:
    """Create a programme: a clinician becomes one of its leads; an admin names the leads."""
    return out(await programmes.create(actor, body.name, body.description, body.lead_ids))


@router.get("/care/programmes/{programme_id}", response_model=ProgrammeOut, responses=ERRORS)
async def read_programme(
    programme_id: uuid.UUID, actor: CurrentActor, programmes: Programmes
) -> ProgrammeOut:
    """A programme; for its leads, the members they may see."""
    return out(await programmes.get(actor, programme_id))


@router.patch("/care/programmes/{programme_id}", response_model=ProgrammeOut, responses=ERRORS)
async def change_programme(
    programme_id: uuid.UUID, body: ProgrammeChange, actor: CurrentActor, programmes: Programmes
) -> ProgrammeOut:
    """Rename, describe or change the leads (a lead or an admin)."""
    return out(
        await programmes.update(actor, programme_id, body.name, body.description, body.lead_ids)
    )


@router.delete("/care/programmes/{programme_id}", status_code=204, responses=ERRORS)
async def delete_programme(
    programme_id: uuid.UUID, actor: CurrentActor, programmes: Programmes
) -> Response:
    """Delete a programme nobody is enrolled in now (a lead or an admin)."""
    await programmes.remove(actor, programme_id)
    return Response(status_code=204)


@router.post(
    "/care/programmes/{programme_id}/enrolments",
    response_model=ProgrammeMemberOut, status_code=201, responses=ERRORS,
)  # fmt: skip
async def enrol(
    programme_id: uuid.UUID, body: EnrolmentIn, actor: CurrentActor, programmes: Programmes
) -> ProgrammeMemberOut:
    """Enrol a patient the calling clinician cares for (optionally until a planned end)."""
    return member_out(await programmes.enrol(actor, programme_id, body.patient_id, body.ends_at))


@router.delete(
    "/care/programmes/{programme_id}/enrolments/{patient_id}", status_code=204, responses=ERRORS
)
async def end_enrolment(
    programme_id: uuid.UUID, patient_id: uuid.UUID, actor: CurrentActor, programmes: Programmes
) -> Response:
    """End a patient's enrolment (a clinician who cares for them, or the patient)."""
    await programmes.end(actor, programme_id, patient_id)
    return Response(status_code=204)


@router.get("/me/programmes", response_model=list[MyProgrammeOut], responses=ERRORS)
async def my_programmes(actor: CurrentActor, programmes: Programmes) -> list[MyProgrammeOut]:
    """The calling patient's care programmes, current and past."""
    return [
        MyProgrammeOut(
            id=p.id, name=p.name, description=p.description, enrolled_at=p.enrolled_at,
            ends_at=p.ends_at, ended_at=p.ended_at, active=p.ended_at is None,
        )
        for p in await programmes.mine(actor)
    ]  # fmt: skip
