"""The member's own community e-mail digest: ``GET|PUT /api/community/digest`` (digest.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import digest
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.kernel.events import Phase
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.runtime import Runtime
from careverse.privacy.events import AccountErasureDue

router = APIRouter(prefix="/api/community", tags=["community"])
Session = Annotated[AsyncSession, Depends(get_session)]


class DigestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    frequency: Literal["off", "daily", "weekly"]


class DigestOut(BaseModel):
    """``off`` (the default) or how often; when the next digest is due. The e-mail carries only
    counts and a link: no post text, titles or community names."""

    frequency: Literal["off", "daily", "weekly"]
    next_at: datetime | None


@router.get("/digest", response_model=DigestOut, responses=ERRORS)
async def my_digest(actor: CurrentActor, session: Session) -> DigestOut:
    """The caller's own e-mail digest choice."""
    c = await digest.current(session, actor)
    return DigestOut.model_validate({"frequency": c.frequency, "next_at": c.next_at})


@router.put("/digest", response_model=DigestOut, responses=ERRORS)
async def choose_digest(body: DigestIn, actor: CurrentActor, session: Session) -> DigestOut:
    """Choose a daily or weekly e-mail digest of mentions, replies and new topics, or none."""
    c = await digest.choose(session, actor, body.frequency)
    return DigestOut.model_validate({"frequency": c.frequency, "next_at": c.next_at})


def setup_digest(runtime: Runtime) -> None:
    """Called by community's setup: the routes, the mention counter, erasure and the job."""
    runtime.include_router(router)
    runtime.events.subscribe(NotificationRequested, digest.count_mention, phase=Phase.TRANSACTION)
    runtime.events.subscribe(AccountErasureDue, digest.erase_digest, phase=Phase.TRANSACTION)
    runtime.add_job(
        "community.digest",
        lambda: digest.digest_forever(runtime.db, runtime.settings, runtime.mailer),
    )
