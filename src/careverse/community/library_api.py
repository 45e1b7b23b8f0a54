"""Education library HTTP API (docs/community.md): items per community, an infographic's image,
quizzes scored on the server."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import text
from careverse.community.library import IMAGE_MAX_BYTES, ItemView, LibraryService, Result
from careverse.community.library_schemas import (
    LibraryItemIn,
    LibraryItemOut,
    LibraryItemsOut,
    LibraryItemSummaryOut,
    LibraryStateIn,
    QuizAnswersIn,
    QuizFeedbackOut,
    QuizQuestionOut,
    QuizResultOut,
)
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session

router = APIRouter(prefix="/api/community", tags=["community"])


def library_service(session: Annotated[AsyncSession, Depends(get_session)]) -> LibraryService:
    return LibraryService(session)


Library = Annotated[LibraryService, Depends(library_service)]


def summary_out(v: ItemView) -> LibraryItemSummaryOut:
    i = v.item
    return LibraryItemSummaryOut.model_validate(
        dict(
            id=i.id,
            kind=i.kind,
            state=i.state,
            title=i.title,
            summary=i.summary,
            author=v.author,
            reviewed_by=v.reviewed_by,
            last_reviewed_at=i.last_reviewed_at,
            updated_at=i.updated_at,
        )
    )


def result_out(r: Result | None) -> QuizResultOut | None:
    if r is None:
        return None
    return QuizResultOut.model_validate(
        {
            "score": r.score,
            "total": r.total,
            "taken_at": r.taken_at,
            "feedback": [
                QuizFeedbackOut(
                    right=f.right, chosen=f.chosen, correct=f.correct, explanation=f.explanation
                )
                for f in r.feedback
            ],
        }
    )


def item_out(v: ItemView) -> LibraryItemOut:
    i = v.item
    questions = [
        QuizQuestionOut(
            prompt=q["prompt"],
            options=q["options"],
            multiple=bool(q.get("multiple")),
            correct=q["correct"] if v.can_edit else None,
            explanation=q["explanation"] if v.can_edit else None,
        )
        for q in (i.questions or [])
    ]
    return LibraryItemOut(
        **summary_out(v).model_dump(),
        community_slug=v.community.slug,
        html=text.render(i.body),
        body=i.body if v.can_edit else None,
        alt_text=i.alt_text,
        has_image=v.has_image,
        questions=questions,
        can_edit=v.can_edit,
        can_review=v.can_review,
        my_result=result_out(v.result),
    )


@router.get("/communities/{slug}/library", response_model=LibraryItemsOut, responses=ERRORS)
async def library(slug: str, actor: CurrentActor, service: Library) -> LibraryItemsOut:
    """The community's education library: published items (authors also see drafts)."""
    views, can_author = await service.items(actor, slug)
    return LibraryItemsOut(items=[summary_out(v) for v in views], can_author=can_author)


@router.post(
    "/communities/{slug}/library", status_code=201, response_model=LibraryItemOut, responses=ERRORS
)
async def create_item(slug: str, body: LibraryItemIn, actor: CurrentActor, service: Library):
    """A new draft (clinicians and the community's peer educators; audited)."""
    return item_out(await service.create(actor, slug, body.model_dump()))


@router.get("/library/{item_id}", response_model=LibraryItemOut, responses=ERRORS)
async def get_item(item_id: uuid.UUID, actor: CurrentActor, service: Library) -> LibraryItemOut:
    return item_out(await service.item(actor, item_id))


@router.put("/library/{item_id}", response_model=LibraryItemOut, responses=ERRORS)
async def edit_item(item_id: uuid.UUID, body: LibraryItemIn, actor: CurrentActor, service: Library):
    """Edit (a peer educator's edit returns a published item to draft until reviewed)."""
    return item_out(await service.update(actor, item_id, body.model_dump()))


@router.put("/library/{item_id}/state", response_model=LibraryItemOut, responses=ERRORS)
async def item_state(
    item_id: uuid.UUID, body: LibraryStateIn, actor: CurrentActor, service: Library
):
    """Publish (needs a clinician's review; a clinician publishing reviews it) or withdraw."""
    return item_out(await service.set_state(actor, item_id, body.state))


@router.post("/library/{item_id}/review", response_model=LibraryItemOut, responses=ERRORS)
async def review_item(item_id: uuid.UUID, actor: CurrentActor, service: Library):
    """A clinician records that the item is consistent with current evidence (today)."""
    return item_out(await service.review(actor, item_id))


@router.put(
    "/library/{item_id}/image",
    response_model=LibraryItemOut,
    responses={
        **ERRORS,
        413: {"description": "Too large"},
        415: {"description": "Not PNG, JPEG or WebP"},
    },
)
async def put_image(
    item_id: uuid.UUID,
    actor: CurrentActor,
    service: Library,
    file: Annotated[UploadFile, File(description="PNG, JPEG or WebP")],
) -> LibraryItemOut:
    """An infographic's image (its type read from its bytes, at most 2 MB)."""
    content = await file.read(IMAGE_MAX_BYTES + 1)
    return item_out(await service.set_image(actor, item_id, content))


@router.get(
    "/library/{item_id}/image",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"image/png": {}, "image/jpeg": {}}}},
)
async def get_image(item_id: uuid.UUID, actor: CurrentActor, service: Library) -> Response:
    content_type, content = await service.image(actor, item_id)
    return Response(
        content,
        media_type=content_type,
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.post("/library/{item_id}/answers", response_model=QuizResultOut, responses=ERRORS)
async def answer_quiz(
    item_id: uuid.UUID, body: QuizAnswersIn, actor: CurrentActor, service: Library
) -> QuizResultOut:
    """Score the caller's answers (one list of option indexes per question) on the server."""
    result = result_out(await service.answer(actor, item_id, body.answers))
    assert result is not None
    return result


@router.delete("/library/{item_id}/answers", status_code=204, responses=ERRORS)
async def forget_answers(item_id: uuid.UUID, actor: CurrentActor, service: Library) -> Response:
    """Erase the caller's own result of this quiz."""
    await service.forget_result(actor, item_id)
    return Response(status_code=204)
