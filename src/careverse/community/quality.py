"""Quality marks on posts (docs/community.md, "Health information quality").

A verified clinician (the site verifies the clinician role, as for the ``verified_professional``
badge) marks a published post as ``reviewed`` (consistent with current evidence) or
``contradicts`` (current evidence), with an https source and an optional note. One current mark
per post: a clinician changes or removes it (site moderators and admins may remove it too); every
change is audited (``community.quality_mark``, ``community.quality_mark_remove``) with who and
why. Everyone who may read the thread sees the mark under the clinician's verified name; a
``contradicts`` mark does not hide the post. The mark names the clinician and nothing else: no
pseudonym of theirs is stored or shown, so marking never links their name to a handle (their
own pseudonym is looked up only to refuse marking their own post, 409, to them alone).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.members import is_site_staff, own_pseudonym, readable
from careverse.community.models import Post, Thread
from careverse.community.quality_models import QualityMark
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope
from careverse.kernel.uow import unit_of_work

VERDICTS = ("reviewed", "contradicts")
CLINICIAN_FALLBACK = "A verified clinician"


@dataclass(frozen=True, slots=True)
class MarkView:
    post_id: uuid.UUID
    verdict: str
    source_url: str
    source_title: str
    note: str
    clinician: str
    mine: bool
    marked_at: datetime


def may_mark(actor: Actor) -> bool:
    return actor.role is Role.CLINICIAN


def _require_clinician(actor: Actor) -> None:
    require_full_scope(actor)
    if not may_mark(actor):
        raise Forbidden("Only verified clinicians may mark posts.", code="clinicians_only")


class QualityService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _views(self, actor: Actor, rows: list[QualityMark]) -> list[MarkView]:
        names = await directory.display_names(
            self.session, {r.marked_by for r in rows if r.marked_by is not None}
        )
        return [
            MarkView(
                post_id=r.post_id,
                verdict=r.verdict,
                source_url=r.source_url,
                source_title=r.source_title,
                note=r.note or "",
                clinician=names.get(r.marked_by, CLINICIAN_FALLBACK)
                if r.marked_by
                else CLINICIAN_FALLBACK,
                mine=r.marked_by == actor.account_id,
                marked_at=r.marked_at,
            )
            for r in rows
        ]

    async def thread_marks(self, actor: Actor, thread_id: uuid.UUID) -> list[MarkView]:
        """The current marks on the thread's published posts (404 when it is not readable)."""
        async with unit_of_work(self.session):
            thread = await self.session.get(Thread, thread_id)
            if thread is None:
                raise NotFound("Not found.")
            await readable(self.session, actor, thread.community_id)
            rows = (
                await self.session.scalars(
                    select(QualityMark)
                    .join(Post, Post.id == QualityMark.post_id)
                    .where(QualityMark.thread_id == thread.id, Post.state == "published")
                )
            ).all()
            return await self._views(actor, list(rows))

    async def _markable(self, actor: Actor, post_id: uuid.UUID) -> Post:
        post = await self.session.get(Post, post_id)
        if post is None:
            raise NotFound("Not found.")
        await readable(self.session, actor, post.community_id)
        if post.state != "published":
            raise NotFound("Not found.")
        return post

    async def mark(
        self,
        actor: Actor,
        post_id: uuid.UUID,
        *,
        verdict: str,
        source_url: str,
        source_title: str,
        note: str = "",
        reason: str = "",
    ) -> MarkView:
        """Set (or change) the post's mark; audited with the verdict, the source and why."""
        _require_clinician(actor)
        if verdict not in VERDICTS:
            raise InvalidInput("verdict must be reviewed or contradicts.", field="verdict")
        if not source_url.startswith("https://"):
            raise InvalidInput("The source must be an https:// link.", field="source_url")
        async with unit_of_work(self.session):
            post = await self._markable(actor, post_id)
            mine = await own_pseudonym(self.session, post.community_id, actor.account_id)
            if post.author_account_id == actor.account_id or (
                mine is not None and post.pseudonym_id == mine.id
            ):
                raise Conflict("Another clinician reviews your own posts.", code="own_post")
            row = await self.session.get(QualityMark, post.id)
            previous = None if row is None else row.verdict
            if row is None:
                row = QualityMark(
                    post_id=post.id, community_id=post.community_id, thread_id=post.thread_id
                )
                self.session.add(row)
            row.verdict, row.source_url, row.source_title = verdict, source_url, source_title
            row.note = note.strip()
            row.marked_by, row.marked_at = actor.account_id, clock.now()
            audit.record(
                self.session,
                "community.quality_mark",
                actor=actor,
                resource_type="CommunityPost",
                resource_id=post.id,
                detail={
                    "verdict": verdict,
                    "previous": previous,
                    "source_url": source_url,
                    "source_title": source_title,
                    "reason": reason.strip()[:500],
                },
            )
            await self.session.flush()
            (view,) = await self._views(actor, [row])
        return view

    async def unmark(self, actor: Actor, post_id: uuid.UUID, reason: str) -> None:
        """Remove the post's mark (clinicians; site moderators and admins); audited with why."""
        require_full_scope(actor)
        if not (may_mark(actor) or is_site_staff(actor)):
            raise Forbidden("Only verified clinicians may remove a mark.", code="clinicians_only")
        async with unit_of_work(self.session):
            post = await self._markable(actor, post_id)
            row = await self.session.get(QualityMark, post.id)
            if row is None:
                raise NotFound("This post has no mark.")
            audit.record(
                self.session,
                "community.quality_mark_remove",
                actor=actor,
                resource_type="CommunityPost",
                resource_id=post.id,
                detail={"previous": row.verdict, "reason": reason.strip()[:500]},
            )
            await self.session.delete(row)


async def erase_marker(session: AsyncSession, account_id: uuid.UUID) -> None:
    """An erased clinician's marks stay (they are about the posts) under no name."""
    await session.execute(
        update(QualityMark).where(QualityMark.marked_by == account_id).values(marked_by=None)
    )
