"""The gallery: members place their own images, poems and short texts; every work is moderated
before anyone else sees it (docs/gallery.md).

Submitting runs the work's words (title, alt text, caption, text) through community's moderation
pipeline (watched words, the crisis screen, the abuse score), refusing what a watched word
blocks (422) and a member silenced or suspended there (403). Every work then waits as
``pending`` for a human; a crisis disclosure is ``held`` and takes community's crisis path: the
writer is answered the message of concern, the community's staff and the on-call clinician are
told with an acknowledgement deadline, the author's care team gets an urgent alert when the
author is a patient (monitoring), and an unacknowledged hold escalates (moderation.py). Nothing
held for crisis is ever deleted without a human: an author's removal takes it out of sight, its
words stay for the staff until the case is acknowledged.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import pipeline, text
from careverse.community.members import SITE_STAFF, is_staff, stats_of
from careverse.community.moderation import bounded_text
from careverse.community.moderation_review import (
    concern_for,
    crisis_recipients,
    penalty_in_force,
    refuse_blocked,
    refuse_penalised,
    rules_for,
)
from careverse.community.review import Concern
from careverse.gallery import access, images, placing
from careverse.gallery.access import Where
from careverse.gallery.events import GalleryWorkHeld
from careverse.gallery.models import GalleryImage, GalleryReport, GalleryWork
from careverse.groups.access import slug_of as group_slug
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work

MAX_TITLE, MAX_ALT, MAX_CAPTION, MAX_BODY = 120, 1000, 500, 4000
REPORT_REASONS = ("inappropriate", "spam", "off_topic", "crisis", "patient_details", "other")
CRISIS_NOTICE = "A gallery work needs a human now"
MODERATION_LINK = "/gallery/moderation"


def words(value: str | None, name: str, limit: int, minimum: int = 0) -> str:
    """A work's text field, stripped and within its bounds (community moderation's check)."""
    return bounded_text(value, name, limit, minimum)


@dataclass(frozen=True)
class Submission:
    title: str
    caption: str = ""
    alt_text: str = ""  # images: required
    body: str = ""  # text works: the Markdown
    image: bytes | None = None
    group: str | None = None  # an art-therapy group's slug: shared with that group only


@dataclass(frozen=True)
class WorkView:
    work: GalleryWork
    mine: bool
    moderator: bool
    community_slug: str
    group_slug: str | None = None
    open_reports: int = 0

    @property
    def html(self) -> str:
        return text.render(self.work.body) if self.work.kind == "text" and self.work.body else ""


async def open_crisis(
    session: AsyncSession, settings: Settings, work: GalleryWork, reasons: list[str]
) -> datetime:
    """Hold the work for a human: deadline, audit, the author's alert, the staff told."""
    now = clock.now()
    deadline = now + timedelta(minutes=settings.alert_escalation_minutes)
    work.status, work.crisis, work.acknowledge_by = "held", True, deadline
    work.acknowledged_by = work.escalated_at = None
    work.reasons = json.dumps(list(dict.fromkeys([*json.loads(work.reasons or "[]"), *reasons])))
    await placing.take_down(session, work)
    await session.flush()
    author = work.author_account_id
    assert author is not None
    audit.record(session, "gallery.crisis.hold", actor_role="system", resource_type="GalleryWork",
                 resource_id=work.id, detail={"rules": len(reasons)})  # fmt: skip
    brief = await directory.account(session, author)
    held = GalleryWorkHeld(
        work_id=work.id, community_id=work.community_id, author_account_id=author,
        author_patient_id=brief.patient_id if brief else None, reasons=tuple(reasons),
        acknowledge_by=deadline.isoformat(),
    )  # fmt: skip
    uow = unit_of_work(session)
    await uow.publish(held)
    for account in await crisis_recipients(session, settings, work.community_id, author):
        await uow.publish(NotificationRequested(
            account_id=account, kind="gallery.crisis", title=CRISIS_NOTICE,
            body=f"{held.why()}. Acknowledge by {held.acknowledge_by}.",
            link=f"{MODERATION_LINK}?work={work.id}", email=True,
        ))  # fmt: skip
    return deadline


class GalleryService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def _where(self, actor: Actor, slug: str, group: str | None) -> Where:
        where = await access.community_of(self.session, actor, slug)
        if group is None:
            return where
        in_group = await access.group_of(self.session, actor, group)
        if in_group.community.id != where.community.id:
            raise NotFound("Not found.")
        access.require_art_group(in_group)
        return in_group

    async def submit(
        self, actor: Actor, slug: str, work: Submission, language: str | None = None
    ) -> tuple[WorkView, Concern | None]:
        """A new work, ``pending`` (or ``held`` on crisis language), with the message of concern
        when the crisis screen flagged it."""
        title = words(work.title, "title", MAX_TITLE, 1)
        caption = words(work.caption, "caption", MAX_CAPTION)
        if work.image is not None:
            kind, alt, body = "image", words(work.alt_text, "alt_text", MAX_ALT, 3), ""
        else:
            kind, alt, body = "text", "", words(work.body, "body", MAX_BODY, 1)
        # Decoding and encoding take a few hundred milliseconds: off the event loop.
        cleaned = await asyncio.to_thread(images.clean, work.image) if work.image else None
        async with unit_of_work(self.session):
            where = await self._where(actor, slug, work.group)
            access.require_submitter(where)
            community = where.community
            penalty = await penalty_in_force(self.session, community.id, actor.account_id)
            if penalty is not None:
                refuse_penalised(penalty)
            stats = await stats_of(self.session, actor.account_id)
            verdict = pipeline.review(
                "\n\n".join(p for p in (title, alt, body, caption) if p),
                community_kind=community.kind, trust_level=stats.trust_level or 0,
                rules=await rules_for(self.session, community.id),
            )  # fmt: skip
            refuse_blocked(verdict)
            row = GalleryWork(
                id=uuid.uuid4(), community_id=community.id,
                group_id=where.group.id if where.group is not None else None,
                author_account_id=actor.account_id,
                handle=await access.handles_for(self.session, community.id, actor.account_id),
                kind=kind, title=title, alt_text=alt, caption=caption, body=body,
                status="pending", reasons=json.dumps(verdict.reasons), crisis=False,
                created_at=clock.now(),
            )  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            if cleaned is not None:
                self.session.add(GalleryImage(
                    work_id=row.id, content_type=cleaned.content_type, width=cleaned.width,
                    height=cleaned.height, size=len(cleaned.content),
                    content=base64.b64encode(cleaned.content).decode(),
                ))  # fmt: skip
            audit.record(self.session, "gallery.submit", actor=actor, resource_type="GalleryWork",
                         resource_id=row.id, detail={"community": str(community.id)})  # fmt: skip
            concern = None
            if verdict.crisis is not None:
                await open_crisis(self.session, self.settings, row, list(verdict.crisis.reasons))
                concern = concern_for(self.settings, language)
        view = WorkView(row, True, False, community.slug, where.group.slug if where.group else None)
        return view, concern

    async def gallery(self, actor: Actor, slug: str) -> list[WorkView]:
        """The community's approved works (newest approval first)."""
        where = await access.community_of(self.session, actor, slug)
        return await self._listed(actor, where, GalleryWork.group_id.is_(None))

    async def group_works(self, actor: Actor, slug: str) -> tuple[str, list[WorkView]]:
        """An art-therapy group's community and approved works: its members and facilitators
        only."""
        where = await access.group_of(self.session, actor, slug)
        views = await self._listed(actor, where, GalleryWork.group_id == where.group.id)
        return where.community.slug, views

    async def _listed(self, actor: Actor, where: Where, scope) -> list[WorkView]:
        rows = (await self.session.scalars(
            select(GalleryWork).where(
                GalleryWork.community_id == where.community.id, scope,
                GalleryWork.status == "approved",
            ).order_by(GalleryWork.decided_at.desc(), GalleryWork.id)
        )).all()  # fmt: skip
        group = where.group.slug if where.group is not None else None
        return [
            WorkView(w, w.author_account_id == actor.account_id, False, where.community.slug, group)
            for w in rows
        ]

    async def mine(self, actor: Actor) -> list[WorkView]:
        """The caller's works with where they stand (removed ones are gone from here)."""
        require_full_scope(actor)
        rows = (await self.session.scalars(
            select(GalleryWork).where(
                GalleryWork.author_account_id == actor.account_id, GalleryWork.status != "removed"
            ).order_by(GalleryWork.created_at.desc())
        )).all()  # fmt: skip
        return [await self.view(actor, w, mine=True) for w in rows]

    async def view(self, actor: Actor, work: GalleryWork, *, mine: bool = False,
                   moderator: bool = False) -> WorkView:  # fmt: skip
        where = await access.where_of(self.session, actor, work)
        group = await group_slug(self.session, work.group_id) if work.group_id else None
        return WorkView(work, mine, moderator, where.community.slug if where else "", group)

    async def image(self, actor: Actor, work_id: uuid.UUID) -> GalleryImage:
        work, _, _ = await access.visible_work(self.session, actor, work_id, self.settings)
        row = await self.session.get(GalleryImage, work.id)
        if row is None:
            raise NotFound("Not found.")
        return row

    async def remove(self, actor: Actor, work_id: uuid.UUID) -> None:
        """The author takes their work away, at any time: out of the space and the gallery now.
        Its words and image are deleted, unless a crisis hold is still unacknowledged (then its
        words stay for the staff)."""
        async with unit_of_work(self.session):
            work = await self.session.get(GalleryWork, work_id)
            if (
                work is None
                or work.author_account_id != actor.account_id
                or (work.status == "removed")
            ):
                raise NotFound("Not found.")
            await placing.take_down(self.session, work)
            keep = work.crisis and work.status == "held" and work.acknowledged_by is None
            work.status = "removed"
            if not keep:
                work.title, work.alt_text, work.caption, work.body = "[removed]", "", "", ""
                image = await self.session.get(GalleryImage, work.id)
                if image is not None:
                    await self.session.delete(image)
            for report in (await self.session.scalars(
                select(GalleryReport).where(GalleryReport.work_id == work.id))).all():  # fmt: skip
                report.status = "dismissed"
            audit.record(self.session, "gallery.remove", actor=actor, resource_type="GalleryWork",
                         resource_id=work.id, detail={"kept_for_crisis": keep})  # fmt: skip

    async def report(self, actor: Actor, work_id: uuid.UUID, reason: str, note: str | None) -> None:
        """A member reports an approved work (once); a crisis report holds it for a human."""
        if reason not in REPORT_REASONS:
            raise InvalidInput(f"Choose a reason: {', '.join(REPORT_REASONS)}.", field="reason")
        note = words(note, "note", 500) or None
        async with unit_of_work(self.session):
            work, _, _ = await access.visible_work(self.session, actor, work_id, self.settings)
            if work.author_account_id == actor.account_id:
                raise Conflict("You cannot report your own work.", code="own_work")
            if work.status != "approved":
                raise NotFound("Not found.")
            if await self.session.scalar(select(GalleryReport.id).where(
                GalleryReport.work_id == work.id, GalleryReport.reporter_id == actor.account_id,
            )):  # fmt: skip
                raise Conflict("You reported this work already.", code="already_reported")
            self.session.add(GalleryReport(
                id=uuid.uuid4(), work_id=work.id, reporter_id=actor.account_id, reason=reason,
                note=note, status="open", created_at=clock.now(),
            ))  # fmt: skip
            audit.record(self.session, "gallery.report", actor=actor, resource_type="GalleryWork",
                         resource_id=work.id, detail={"reason": reason})  # fmt: skip
            if reason == "crisis":
                await open_crisis(self.session, self.settings, work, ["flag:crisis"])

    async def space(self, actor: Actor, slug: str) -> uuid.UUID:
        """The community's gallery space, the caller let in (staff as its facilitators)."""
        async with unit_of_work(self.session):
            where = await access.community_of(self.session, actor, slug)
            staff = is_staff(actor, where.membership)
            owner = await self._owner(actor, staff)
            role = "facilitator" if staff else "participant"
            return await placing.open_space(
                self.session, where.community.id, owner, ((actor.account_id, role),)
            )

    async def _owner(self, actor: Actor, staff: bool) -> uuid.UUID:
        """Who owns a new gallery space: the caller if staff, else the site's first admin."""
        if staff:
            return actor.account_id
        admins = await directory.active_with_roles(self.session, SITE_STAFF)
        return admins[0].id if admins else actor.account_id
