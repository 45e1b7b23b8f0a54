"""Fairness audit (researchers and admins) and the public transparency page's data."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.research.fairness_algorithms import ALGORITHMS
from careverse.research.fairness_schemas import FairnessAuditOut, TransparencyOut
from careverse.research.fairness_service import RULE_TEXT, fairness_audit

router = APIRouter(prefix="/api/research", tags=["research"], responses=ERRORS)
public_router = APIRouter(prefix="/api", tags=["transparency"])
Session = Annotated[AsyncSession, Depends(get_session)]


COMPUTING = {"status": "computing", "retry_after_seconds": 5}


@router.get(
    "/fairness",
    response_model=FairnessAuditOut,
    responses={202: {"description": "Still computing: ask again after Retry-After seconds."}},
)
async def fairness(
    actor: CurrentActor,
    session: Session,
    days: Annotated[int, Query(ge=1, le=730)] = 90,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> FairnessAuditOut | JSONResponse:
    """The fairness audit: aggregate only, small cells suppressed (researchers and admins).
    202 while its bootstrap is still running (it goes on; ask again)."""
    audit = await fairness_audit(session, actor, days=days, seed=seed)
    if audit is None:
        return JSONResponse(COMPUTING, status_code=202, headers={"Retry-After": "5"})
    return FairnessAuditOut.model_validate(audit)


@public_router.get("/transparency", response_model=TransparencyOut)
async def transparency() -> TransparencyOut:
    """What each algorithm that drives care does, its inputs and known limits (public)."""
    return TransparencyOut.model_validate(
        {"algorithms": [asdict(a) for a in ALGORITHMS], "audit_rule": RULE_TEXT}
    )
