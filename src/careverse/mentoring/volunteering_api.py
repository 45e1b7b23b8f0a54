"""Volunteering HTTP API (docs/mentoring.md, "Volunteering")."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.mentoring.volunteering import VolunteeringService

router = APIRouter(prefix="/api/volunteering", tags=["volunteering"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]


class VolunteerOpportunityIn(BaseModel):
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)


class VolunteerOpportunityOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str


class VolunteerOpportunitiesOut(BaseModel):
    opportunities: list[VolunteerOpportunityOut]


class VolunteerBoardItemOut(VolunteerOpportunityOut):
    community_slug: str
    community_name: str
    organiser: bool = Field(description="The caller may confirm hours for it")
    signed_up: bool


class VolunteerBoardOut(BaseModel):
    opportunities: list[VolunteerBoardItemOut]


class VolunteerHoursIn(BaseModel):
    day: date
    minutes: int = Field(ge=15, le=720)
    note: str = Field(default="", max_length=300)


class VolunteerHoursOut(BaseModel):
    id: uuid.UUID
    volunteer: str = ""
    day: date
    minutes: int
    note: str
    status: str


class VolunteerHoursListOut(BaseModel):
    hours: list[VolunteerHoursOut]


class VolunteerDetailOut(VolunteerBoardItemOut):
    my_hours: list[VolunteerHoursOut] = Field(description="The caller's own hours, every state")


class VolunteerHoursDecisionIn(BaseModel):
    confirm: bool


class VolunteerRecordLineOut(BaseModel):
    title: str
    minutes: int


class VolunteerRecordOut(BaseModel):
    lines: list[VolunteerRecordLineOut]


def _opp(row) -> VolunteerOpportunityOut:
    return VolunteerOpportunityOut(id=row.id, title=row.title, description=row.description)


def _hours(row, volunteer: str = "") -> VolunteerHoursOut:
    return VolunteerHoursOut(
        id=row.id,
        volunteer=volunteer,
        day=row.day,
        minutes=row.minutes,
        note=row.note,
        status=row.status,
    )


def _board(entry) -> VolunteerBoardItemOut:
    return VolunteerBoardItemOut(
        **_opp(entry.opportunity).model_dump(),
        community_slug=entry.community_slug,
        community_name=entry.community_name,
        organiser=entry.organiser,
        signed_up=entry.signed_up,
    )


@router.get("/opportunities", response_model=VolunteerBoardOut)
async def board(
    actor: CurrentActor, session: Session, q: Annotated[str, Query(max_length=100)] = ""
) -> VolunteerBoardOut:
    """Opportunities in every community the caller may read, searched by ``q``."""
    rows = await VolunteeringService(session).board(actor, q)
    return VolunteerBoardOut(opportunities=[_board(r) for r in rows])


@router.get("/opportunities/{opportunity_id}", response_model=VolunteerDetailOut)
async def detail(opportunity_id: uuid.UUID, actor: CurrentActor, session: Session):
    """One opportunity, with the caller's own hours on it (404 unless its community is readable)."""
    entry, hours = await VolunteeringService(session).detail(actor, opportunity_id)
    return VolunteerDetailOut(**_board(entry).model_dump(), my_hours=[_hours(h) for h in hours])


@router.post("/communities/{community}", response_model=VolunteerOpportunityOut, status_code=201)
async def post(community: str, body: VolunteerOpportunityIn, actor: CurrentActor, session: Session):
    """An organiser posts an opportunity (greeter, co-host, translator, campaign helper)."""
    row = await VolunteeringService(session).post(actor, community, body.title, body.description)
    return _opp(row)


@router.get("/communities/{community}", response_model=VolunteerOpportunitiesOut)
async def listing(community: str, actor: CurrentActor, session: Session):
    rows = await VolunteeringService(session).listing(actor, community)
    return VolunteerOpportunitiesOut(opportunities=[_opp(r) for r in rows])


@router.post("/opportunities/{opportunity_id}/sign-up", status_code=204)
async def sign_up(opportunity_id: uuid.UUID, actor: CurrentActor, session: Session) -> Response:
    await VolunteeringService(session).sign_up(actor, opportunity_id)
    return Response(status_code=204)


@router.post(
    "/opportunities/{opportunity_id}/hours", response_model=VolunteerHoursOut, status_code=201
)
async def log_hours(
    opportunity_id: uuid.UUID, body: VolunteerHoursIn, actor: CurrentActor, session: Session
) -> VolunteerHoursOut:
    row = await VolunteeringService(session).log_hours(
        actor, opportunity_id, body.day, body.minutes, body.note
    )
    return _hours(row)


@router.get("/opportunities/{opportunity_id}/hours", response_model=VolunteerHoursListOut)
async def pending(opportunity_id: uuid.UUID, actor: CurrentActor, session: Session):
    """Hours waiting for confirmation (the organisers)."""
    rows = await VolunteeringService(session).pending(actor, opportunity_id)
    return VolunteerHoursListOut(hours=[_hours(r, name) for r, name in rows])


@router.post("/opportunities/{opportunity_id}/hours/{hours_id}", response_model=VolunteerHoursOut)
async def decide(
    opportunity_id: uuid.UUID,
    hours_id: uuid.UUID,
    body: VolunteerHoursDecisionIn,
    actor: CurrentActor,
    session: Session,
) -> VolunteerHoursOut:
    row = await VolunteeringService(session).confirm(actor, opportunity_id, hours_id, body.confirm)
    return _hours(row)


@router.get("/me", response_model=VolunteerRecordOut)
async def my_record(actor: CurrentActor, session: Session) -> VolunteerRecordOut:
    lines = await VolunteeringService(session).record(actor)
    return VolunteerRecordOut(
        lines=[VolunteerRecordLineOut(title=x.title, minutes=x.minutes) for x in lines]
    )


@router.get(
    "/me/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def certificate(actor: CurrentActor, session: Session) -> Response:
    """The caller's confirmed hours as a certificate (PDF)."""
    pdf = await VolunteeringService(session).certificate(actor)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="volunteering.pdf"'},
    )
