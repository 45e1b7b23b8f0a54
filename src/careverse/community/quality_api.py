"""Health information quality HTTP API: quality marks on posts and the education library
(docs/community.md). Registered by :func:`setup_quality` from the package's ``setup``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import library_api
from careverse.community.library import erase_member_library
from careverse.community.quality import MarkView, QualityService, may_mark
from careverse.community.quality_schemas import (
    QualityMarkIn,
    QualityMarkOut,
    QualityMarkRemoveIn,
    QualityMarksOut,
)
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.kernel.events import Phase
from careverse.kernel.runtime import Runtime
from careverse.privacy.events import AccountErasureDue

router = APIRouter(prefix="/api/community", tags=["community"])


def quality_service(session: Annotated[AsyncSession, Depends(get_session)]) -> QualityService:
    return QualityService(session)


Marks = Annotated[QualityService, Depends(quality_service)]


def mark_out(v: MarkView) -> QualityMarkOut:
    return QualityMarkOut.model_validate(v, from_attributes=True)


@router.get("/threads/{thread_id}/quality-marks", response_model=QualityMarksOut, responses=ERRORS)
async def thread_marks(thread_id: uuid.UUID, actor: CurrentActor, service: Marks):
    """The clinicians' current marks on the thread's posts, and whether the caller may mark."""
    marks = await service.thread_marks(actor, thread_id)
    return QualityMarksOut(marks=[mark_out(m) for m in marks], can_mark=may_mark(actor))


@router.put("/posts/{post_id}/quality-mark", response_model=QualityMarkOut, responses=ERRORS)
async def set_mark(post_id: uuid.UUID, body: QualityMarkIn, actor: CurrentActor, service: Marks):
    """Mark a post ``reviewed`` or ``contradicts`` with an https source (verified clinicians;
    replaces the current mark; audited)."""
    return mark_out(
        await service.mark(
            actor,
            post_id,
            verdict=body.verdict,
            source_url=str(body.source_url),
            source_title=body.source_title,
            note=body.note,
            reason=body.reason,
        )
    )


@router.delete("/posts/{post_id}/quality-mark", status_code=204, responses=ERRORS)
async def remove_mark(
    post_id: uuid.UUID, body: QualityMarkRemoveIn, actor: CurrentActor, service: Marks
) -> Response:
    """Remove a post's mark, with a reason (audited)."""
    await service.unmark(actor, post_id, body.reason)
    return Response(status_code=204)


def setup_quality(runtime: Runtime) -> None:
    """Quality marks and the education library: routes and their part of every erasure."""
    runtime.include_router(router)
    runtime.include_router(library_api.router)
    runtime.events.subscribe(AccountErasureDue, erase_member_library, phase=Phase.TRANSACTION)
