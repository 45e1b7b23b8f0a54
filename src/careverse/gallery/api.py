"""The gallery's HTTP API (docs/gallery.md)."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Response, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.review import Concern
from careverse.community.schemas import ConcernOut, ResourceOut
from careverse.gallery import images
from careverse.gallery.moderation import GalleryModeration, reasons_of
from careverse.gallery.schemas import (
    CrisisOut,
    GallerySpaceOut,
    GroupWorksOut,
    ReportIn,
    TextWorkIn,
    WorkDecisionIn,
    WorkOut,
    WorksOut,
    WorkSubmittedOut,
)
from careverse.gallery.service import Submission, WorkView
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import InvalidInput

router = APIRouter(prefix="/api/gallery", tags=["gallery"], responses=ERRORS)
Language = Annotated[str | None, Header(alias="Accept-Language", max_length=200)]


def _service(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> GalleryModeration:
    return GalleryModeration(session, settings)


Gallery = Annotated[GalleryModeration, Depends(_service)]


def work_out(view: WorkView, image: tuple[int, int] | None = None) -> WorkOut:
    w = view.work
    private = view.mine or view.moderator
    crisis = None
    if w.crisis and view.moderator:
        crisis = CrisisOut(acknowledge_by=w.acknowledge_by, acknowledged=w.acknowledged_by
                           is not None, escalated=w.escalated_at is not None)  # fmt: skip
    return WorkOut(
        id=w.id, kind=w.kind, title=w.title, alt_text=w.alt_text, caption=w.caption,  # type: ignore[arg-type]
        html=view.html, handle=w.handle, mine=view.mine, status=w.status,  # type: ignore[arg-type]
        created_at=w.created_at,
        image_url=f"/api/gallery/works/{w.id}/image" if w.kind == "image" and w.status !=
        "removed" else None, width=image[0] if image else None,
        height=image[1] if image else None, placed=w.slot is not None,
        community=view.community_slug, group=view.group_slug,
        decision=w.decision if private else None,
        reasons=reasons_of(w) if view.moderator else [], crisis=crisis,
        open_reports=view.open_reports, body=w.body if view.mine and w.kind == "text" else None,
    )  # fmt: skip


def concern_out(concern: Concern | None) -> ConcernOut | None:
    if concern is None:
        return None
    resources = [ResourceOut(name=r.name, contact=r.contact, url=r.url) for r in concern.resources]
    return ConcernOut(message=concern.message, resources=resources)


@router.get("/communities/{slug}/works", response_model=WorksOut)
async def gallery(slug: str, actor: CurrentActor, service: Gallery) -> WorksOut:
    """The community's approved works (readers of the community)."""
    return WorksOut(works=[work_out(v) for v in await service.gallery(actor, slug)])


@router.post(
    "/communities/{slug}/works/text",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkSubmittedOut,
)
async def submit_text(
    slug: str, body: TextWorkIn, actor: CurrentActor, service: Gallery, language: Language = None
) -> WorkSubmittedOut:
    """A poem or short text (Markdown): pending until a moderator approves it."""
    work = Submission(title=body.title, body=body.body, caption=body.caption, group=body.group)
    view, concern = await service.submit(actor, slug, work, language)
    return WorkSubmittedOut(work=work_out(view), concern=concern_out(concern))


@router.post(
    "/communities/{slug}/works/image",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkSubmittedOut,
)
async def submit_image(
    slug: str,
    actor: CurrentActor,
    service: Gallery,
    image: Annotated[UploadFile, File(description="PNG, JPEG or WebP, at most 5 MB")],
    title: Annotated[str, Form(max_length=200)],
    alt_text: Annotated[str, Form(max_length=2000)],
    caption: Annotated[str, Form(max_length=1000)] = "",
    group: Annotated[str | None, Form(max_length=64)] = None,
    language: Language = None,
) -> WorkSubmittedOut:
    """An image with its alt text (required): checked by decoding it, stored without its
    metadata (EXIF, GPS), pending until a moderator approves it."""
    data = await image.read(images.MAX_BYTES + 1)
    if not data:
        raise InvalidInput("Choose an image to upload.", field="image")
    work = Submission(title=title, alt_text=alt_text, caption=caption, image=data,
                      group=group or None)  # fmt: skip
    view, concern = await service.submit(actor, slug, work, language)
    return WorkSubmittedOut(work=work_out(view), concern=concern_out(concern))


@router.post("/communities/{slug}/space", response_model=GallerySpaceOut)
async def space(slug: str, actor: CurrentActor, service: Gallery) -> GallerySpaceOut:
    """The community's 3D gallery space, the caller let in; connect to it as to any space."""
    return GallerySpaceOut(space_id=await service.space(actor, slug))


@router.get("/groups/{slug}/works", response_model=GroupWorksOut)
async def group_works(slug: str, actor: CurrentActor, service: Gallery) -> GroupWorksOut:
    """An art-therapy group's shared works (its members and facilitators only)."""
    community, views = await service.group_works(actor, slug)
    return GroupWorksOut(community=community, works=[work_out(v) for v in views])


@router.get("/me/works", response_model=WorksOut)
async def my_works(actor: CurrentActor, service: Gallery) -> WorksOut:
    """The caller's works and where each stands."""
    return WorksOut(works=[work_out(v) for v in await service.mine(actor)])


@router.get(
    "/works/{work_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}}},
)
async def image(work_id: uuid.UUID, actor: CurrentActor, service: Gallery) -> Response:
    """A work's image (re-encoded, without metadata), to whoever may see the work."""
    row = await service.image(actor, work_id)
    return Response(
        base64.b64decode(row.content), media_type=row.content_type,
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


@router.delete("/works/{work_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove(work_id: uuid.UUID, actor: CurrentActor, service: Gallery) -> Response:
    """The author removes their work: out of the gallery and the space at once."""
    await service.remove(actor, work_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/works/{work_id}/reports", status_code=status.HTTP_204_NO_CONTENT)
async def report(work_id: uuid.UUID, body: ReportIn, actor: CurrentActor, service: Gallery):
    """Report a work (once); ``crisis`` holds it for a human at once."""
    await service.report(actor, work_id, body.reason, body.note)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/moderation/queue", response_model=WorksOut)
async def queue(actor: CurrentActor, service: Gallery) -> WorksOut:
    """Works waiting for a human in the galleries the caller moderates, crisis first."""
    return WorksOut(works=[work_out(v) for v in await service.queue(actor)])


@router.post("/works/{work_id}/approve", response_model=WorkOut)
async def approve(work_id: uuid.UUID, body: WorkDecisionIn, actor: CurrentActor,
                  service: Gallery) -> WorkOut:  # fmt: skip
    return work_out(await service.approve(actor, work_id, body.reason))


@router.post("/works/{work_id}/decline", response_model=WorkOut)
async def decline(work_id: uuid.UUID, body: WorkDecisionIn, actor: CurrentActor,
                  service: Gallery) -> WorkOut:  # fmt: skip
    """Not shown (or taken down), with a reason the author sees."""
    return work_out(await service.decline(actor, work_id, body.reason or ""))


@router.post("/works/{work_id}/acknowledge", response_model=WorkOut)
async def acknowledge(work_id: uuid.UUID, actor: CurrentActor, service: Gallery) -> WorkOut:
    """A human takes a crisis hold on (its escalation stops)."""
    return work_out(await service.acknowledge(actor, work_id))
