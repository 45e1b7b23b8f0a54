"""Moderating the gallery: the queue of works waiting for a human, approving (a community work
is hung on a wall of the gallery space), declining, taking a reported work down, acknowledging
a crisis hold, and the escalation of holds nobody acknowledged (docs/gallery.md).

The queue answers the works in the communities the caller moderates (all, for site staff), the
art-therapy groups they facilitate and, for the on-call clinician, crisis holds; crisis first,
then oldest first; approved works with open reports too. Reading it is audited once per read;
each decision is audited with ids only and the moderator's reason stored encrypted.
"""

from __future__ import annotations

import json
import uuid

import structlog
from sqlalchemy import and_, func, or_, select, update

from careverse.community.moderation_review import FALLBACK_ROLES, oncall
from careverse.gallery import access, placing
from careverse.gallery.models import GalleryReport, GalleryWork
from careverse.gallery.service import GalleryService, WorkView, words
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)
DECIDED_NOTICE = "News about a work you shared"


class GalleryModeration(GalleryService):
    async def queue(self, actor: Actor) -> list[WorkView]:
        communities, groups = await access.moderated_scope(self.session, actor)
        reported = select(GalleryReport.work_id).where(GalleryReport.status == "open")
        waiting = or_(
            GalleryWork.status.in_(("pending", "held")),
            and_(GalleryWork.status == "approved", GalleryWork.id.in_(reported)),
        )
        mine = []
        if communities is None:
            mine.append(GalleryWork.id.is_not(None))
        else:
            mine.append(GalleryWork.community_id.in_(communities))
        if groups:
            mine.append(GalleryWork.group_id.in_(groups))
        if access.is_oncall(actor, self.settings):
            mine.append(and_(GalleryWork.crisis.is_(True), GalleryWork.status == "held"))
        rows = (await self.session.scalars(
            select(GalleryWork).where(waiting, or_(*mine))
            .order_by(GalleryWork.crisis.desc(), GalleryWork.created_at).limit(200)
        )).all()  # fmt: skip
        counts = dict((await self.session.execute(
            select(GalleryReport.work_id, func.count()).where(
                GalleryReport.status == "open", GalleryReport.work_id.in_([r.id for r in rows]))
            .group_by(GalleryReport.work_id)
        )).all())  # fmt: skip
        async with unit_of_work(self.session):
            audit.record(self.session, "gallery.queue.read", actor=actor,
                         resource_type="GalleryWork", detail={"works": len(rows)})  # fmt: skip
        views = []
        for row in rows:
            view = await self.view(actor, row, mine=row.author_account_id == actor.account_id,
                                   moderator=True)  # fmt: skip
            views.append(WorkView(view.work, view.mine, True, view.community_slug,
                                  view.group_slug, int(counts.get(row.id, 0))))  # fmt: skip
        return views

    async def _decided(self, actor: Actor, work_id: uuid.UUID) -> GalleryWork:
        work, _, moderator = await access.visible_work(self.session, actor, work_id, self.settings)
        access.require_moderator(moderator)
        if work.status == "removed":
            raise Conflict("Its author removed this work.", code="removed")
        return work

    async def _tell_author(self, work: GalleryWork, kind: str, body: str) -> None:
        if work.author_account_id is None:
            return
        await unit_of_work(self.session).publish(NotificationRequested(
            account_id=work.author_account_id, kind=f"gallery.{kind}", title=DECIDED_NOTICE,
            body=body, link="/gallery/mine",
        ))  # fmt: skip

    def _close(self, actor: Actor, work: GalleryWork, status: str, reason: str) -> None:
        now = clock.now()
        if work.crisis and work.acknowledged_by is None:
            work.acknowledged_by = actor.account_id
        work.status, work.decided_by, work.decided_at, work.decision = (
            status, actor.account_id, now, reason)  # fmt: skip

    async def _reports(self, work: GalleryWork, status: str) -> None:
        await self.session.execute(
            update(GalleryReport).where(GalleryReport.work_id == work.id,
                                        GalleryReport.status == "open").values(status=status)
        )  # fmt: skip

    async def approve(self, actor: Actor, work_id: uuid.UUID, reason: str | None) -> WorkView:
        """Show the work: in the 2D gallery (or to its group) and, for a community work, on a
        wall of the gallery space; a reported work stays up (its reports dismissed)."""
        why = words(reason, "reason", 500) or "Approved"
        async with unit_of_work(self.session):
            work = await self._decided(actor, work_id)
            if work.status == "approved":
                await self._reports(work, "dismissed")
            elif work.status not in ("pending", "held"):
                raise Conflict("This work was decided already.", code="decided")
            self._close(actor, work, "approved", why)
            if work.group_id is None and work.slot is None:
                space = await placing.open_space(self.session, work.community_id, actor.account_id,
                                                 ((actor.account_id, "facilitator"),))  # fmt: skip
                await placing.hang(self.session, work, space)
            audit.record(self.session, "gallery.approve", actor=actor, resource_type="GalleryWork",
                         resource_id=work.id)  # fmt: skip
            await self._tell_author(work, "approved", "Your work is now in the gallery.")
        return await self.view(actor, work, moderator=True)

    async def decline(self, actor: Actor, work_id: uuid.UUID, reason: str) -> WorkView:
        """Do not show the work (or take a shown one down): the author sees the reason."""
        why = words(reason, "reason", 500, 3)
        async with unit_of_work(self.session):
            work = await self._decided(actor, work_id)
            if work.status == "declined":
                raise Conflict("This work was declined already.", code="decided")
            await placing.take_down(self.session, work)
            await self._reports(work, "agreed")
            self._close(actor, work, "declined", why)
            audit.record(self.session, "gallery.decline", actor=actor, resource_type="GalleryWork",
                         resource_id=work.id)  # fmt: skip
            await self._tell_author(work, "declined", f"Your work was not shown: {why}")
        return await self.view(actor, work, moderator=True)

    async def acknowledge(self, actor: Actor, work_id: uuid.UUID) -> WorkView:
        """A human has taken a crisis hold on (the escalation stops); the work stays held."""
        async with unit_of_work(self.session):
            work, _, moderator = await access.visible_work(
                self.session, actor, work_id, self.settings)  # fmt: skip
            access.require_moderator(moderator)
            if not work.crisis:
                raise Conflict("This work is not held for crisis.", code="not_crisis")
            if work.acknowledged_by is None:
                work.acknowledged_by = actor.account_id
                audit.record(self.session, "gallery.crisis.acknowledge", actor=actor,
                             resource_type="GalleryWork", resource_id=work.id)  # fmt: skip
        return await self.view(actor, work, moderator=True)


async def escalate_due(db: Database, settings) -> int:
    """Tell the whole on-call group about each crisis hold unacknowledged past its deadline
    (each once, by one node: the ``escalated_at`` claim)."""
    now = clock.now()
    told = 0
    async with db.session() as session, unit_of_work(session) as uow:
        due = (await session.scalars(
            select(GalleryWork.id).where(
                GalleryWork.crisis.is_(True), GalleryWork.acknowledged_by.is_(None),
                GalleryWork.escalated_at.is_(None), GalleryWork.acknowledge_by <= now,
            ).limit(100)
        )).all()  # fmt: skip
        for work_id in due:
            claimed = await session.execute(
                update(GalleryWork).where(GalleryWork.id == work_id,
                                          GalleryWork.escalated_at.is_(None))
                .values(escalated_at=now)
            )  # fmt: skip
            if getattr(claimed, "rowcount", 0) != 1:
                continue
            told += 1
            wider = await oncall(session, settings)
            wider += [a.id for a in await directory.active_with_roles(session, FALLBACK_ROLES)]
            audit.record(session, "gallery.crisis.escalate", actor_role="system",
                         resource_type="GalleryWork", resource_id=work_id)  # fmt: skip
            for account in dict.fromkeys(wider):
                await uow.publish(NotificationRequested(
                    account_id=account, kind="gallery.crisis.escalated",
                    title="Unacknowledged: a gallery work needs a human now",
                    body="A crisis hold in a gallery was not acknowledged in time. "
                    "Please take it on.",
                    link=f"/gallery/moderation?work={work_id}", email=True,
                ))  # fmt: skip
    return told


async def escalate_forever(db: Database, settings, every_seconds: float = 30.0) -> None:
    while True:
        try:
            await escalate_due(db, settings)
        except Exception as exc:  # keep the loop alive; the next run retries
            log.error("gallery.crisis_escalation_failed", error=type(exc).__name__)
        await clock.sleep(every_seconds)


def reasons_of(work: GalleryWork) -> list[str]:
    return json.loads(work.reasons or "[]")
