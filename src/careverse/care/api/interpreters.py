"""Care API: the interpreter pool (administrators; clinicians read it) and the booking screen's
interpreter offer (care/interpreters.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.interpreters import InterpreterService, PoolMember
from careverse.care.schemas import Language
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.kernel.errors import InvalidInput

router = APIRouter(prefix="/api/care", tags=["care"])


def service(session: Annotated[AsyncSession, Depends(get_session)]) -> InterpreterService:
    return InterpreterService(session)


Interpreters = Annotated[InterpreterService, Depends(service)]


class InterpreterIn(BaseModel):
    languages: Annotated[list[Language], Field(min_length=1, max_length=20)]
    available: bool = True


class InterpreterOut(BaseModel):
    account_id: uuid.UUID
    name: str
    languages: list[str]
    available: bool


class OfferOut(BaseModel):
    language: str | None
    clinician_speaks: bool
    needed: bool
    available: bool


def out(m: PoolMember) -> InterpreterOut:
    return InterpreterOut(
        account_id=m.account_id, name=m.name, languages=m.languages, available=m.available
    )


@router.get("/interpreters", response_model=list[InterpreterOut], responses=ERRORS)
async def pool(
    actor: CurrentActor,
    interpreters: Interpreters,
    language: Annotated[str | None, Query(max_length=35)] = None,
) -> list[InterpreterOut]:
    """The interpreter pool, or those who interpret a language (administrators, clinicians)."""
    return [out(m) for m in await interpreters.pool(actor, language)]


@router.put("/interpreters/{account_id}", response_model=InterpreterOut, responses=ERRORS)
async def put(
    account_id: uuid.UUID, body: InterpreterIn, actor: CurrentActor, interpreters: Interpreters
) -> InterpreterOut:
    """Add an account to the pool or change it (administrators); an interpreter sets their own."""
    member = await interpreters.put(actor, account_id, list(body.languages), body.available)
    return out(member)


@router.delete(
    "/interpreters/{account_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
async def remove(account_id: uuid.UUID, actor: CurrentActor, interpreters: Interpreters):
    await interpreters.remove(actor, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/interpreter-offer", response_model=OfferOut, responses=ERRORS)
async def offer(
    actor: CurrentActor,
    interpreters: Interpreters,
    clinician_id: uuid.UUID,
    patient_id: uuid.UUID | None = None,
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
) -> OfferOut:
    """Whether booking this clinician needs an interpreter for the patient, and if one is free
    (between ``start`` and ``end`` when given)."""
    if start is not None and end is not None and end <= start:
        raise InvalidInput("The end must be after the start.", field="end")
    found = await interpreters.offer(actor, clinician_id, patient_id, start, end)
    return OfferOut(
        language=found.language, clinician_speaks=found.clinician_speaks,
        needed=found.needed, available=found.available,
    )  # fmt: skip
