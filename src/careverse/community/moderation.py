"""Moderation: the queue, flags, moderators' actions and penalties, appeals, watched words and
crisis cases (docs/moderation.md).

Who: a community's staff (its facilitators and moderators, and the site's moderators and
admins) moderate it; the on-call clinician also sees and handles crisis cases. Everyone else
gets 404 for what they may not see and 403 for what they see but may not do. Every action needs
a reason, is kept in the community's action log (reason encrypted) and is audited
(``community.moderation.<action>``, ids only). Moderators never see whose account is behind a
pseudonym: actions on a member are taken through one of their posts.

Penalties escalate along :data:`LADDER` (warn → silence a day → silence a week → suspend a
month → suspend until lifted); a moderator may choose the kind and length, or ``escalate`` to
take the next step.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import text
from careverse.community.members import is_staff, readable, stats_of
from careverse.community.models import Community, Membership, Post, Pseudonym, Thread
from careverse.community.moderation_models import (
    Appeal,
    CrisisCase,
    Flag,
    Hold,
    ModAction,
    ModerationPolicy,
    Penalty,
    PostTag,
)
from careverse.community.moderation_review import hold, open_crisis_case
from careverse.community.post_state import reindex, set_state
from careverse.community.posts import MAX_BODY
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Role, require_full_scope
from careverse.kernel.uow import unit_of_work

FLAG_REASONS = ("inappropriate", "spam", "off_topic", "crisis", "patient_details", "other")
PENALTIES = ("warn", "silence", "suspend", "escalate")
LADDER: tuple[tuple[str, int | None], ...] = (
    ("warn", None), ("silence", 1), ("silence", 7), ("suspend", 30), ("suspend", None),
)  # fmt: skip
APPEALABLE = ("hide", "edit", "warn", "silence", "suspend", "auto_hide")
DEFAULT_POLICY = ModerationPolicy(flags_to_hide=3, flag_min_trust=1)
SITE_STAFF = (Role.MODERATOR, Role.ADMIN)


def bounded_text(value: str | None, name: str, limit: int, minimum: int = 1) -> str:
    """``value`` stripped, or a 422 naming ``name`` when it is shorter than ``minimum`` or longer
    than ``limit`` characters (moderation's reasons and notes, the gallery's works)."""
    value = (value or "").strip()
    if len(value) < minimum:
        raise InvalidInput(f"'{name}' needs at least {minimum} characters.", field=name)
    if len(value) > limit:
        raise InvalidInput(f"'{name}' is longer than {limit} characters.", field=name)
    return value


def _iso(at: datetime | None) -> str | None:
    return clock.as_utc(at).isoformat() if at else None


@dataclass
class Target:
    post: Post
    community: Community
    membership: Membership | None


class ModerationService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    # ---- who ------------------------------------------------------------------------------

    def _is_oncall(self, actor: Actor) -> bool:
        return str(actor.account_id) == (self.settings.alert_oncall_account_id or "")

    async def _target(self, actor: Actor, post_id: uuid.UUID, crisis: bool = False) -> Target:
        """A post the caller moderates: 404 unless they can read its community, 403 unless
        they are its staff (or, for a crisis case, the on-call clinician)."""
        require_full_scope(actor)
        post = await self.session.get(Post, post_id)
        if post is None:
            raise NotFound("Not found.")
        if crisis and self._is_oncall(actor):
            community = await self.session.get(Community, post.community_id)
            assert community is not None
            return Target(post, community, None)
        community, membership = await readable(self.session, actor, post.community_id)
        if not is_staff(actor, membership):
            raise Forbidden("Only this community's facilitators and moderators may do this.",
                            code="not_community_staff")  # fmt: skip
        return Target(post, community, membership)

    async def _staff_communities(self, actor: Actor) -> list[uuid.UUID] | None:
        """Communities the caller moderates (None: all of them, site staff)."""
        if actor.role in SITE_STAFF:
            return None
        return list((await self.session.scalars(
            select(Membership.community_id).where(
                Membership.account_id == actor.account_id, Membership.status == "active",
                Membership.role.in_(("facilitator", "moderator")),
            )
        )).all())  # fmt: skip

    async def _author(self, post: Post) -> uuid.UUID | None:
        """The account behind a post, for penalties only: never returned to a moderator."""
        if post.author_account_id is not None:
            return post.author_account_id
        if post.pseudonym_id is None:
            return None
        pseudonym = await self.session.get(Pseudonym, post.pseudonym_id)
        return None if pseudonym is None else uuid.UUID(pseudonym.owner)

    async def _log(
        self, actor: Actor | None, t: Target, action: str, reason: str, *,
        subject: uuid.UUID | None = None, note: str | None = None, until: datetime | None = None,
    ) -> ModAction:  # fmt: skip
        row = ModAction(
            id=uuid.uuid4(), community_id=t.community.id, post_id=t.post.id,
            subject_account_id=subject, moderator_id=actor.account_id if actor else None,
            action=action, reason=reason, note=note, until=until, created_at=clock.now(),
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        audit.record(
            self.session, f"community.moderation.{action}", actor=actor,
            actor_role=None if actor else "system", resource_type="CommunityPost",
            resource_id=t.post.id, detail={"community": str(t.community.id), "log": str(row.id)},
        )  # fmt: skip
        return row

    async def _close_flags(self, post_id: uuid.UUID, status: str) -> None:
        for f in (await self.session.scalars(
            select(Flag).where(Flag.post_id == post_id, Flag.status == "open"))).all():  # fmt: skip
            f.status, f.resolved_at = status, clock.now()

    async def _close_hold(self, post_id: uuid.UUID) -> None:
        row = await self.session.get(Hold, post_id)
        if row is not None:
            row.resolved_at = clock.now()

    async def _close_case(self, actor: Actor, post_id: uuid.UUID, status: str) -> None:
        case = await self.session.scalar(select(CrisisCase).where(CrisisCase.post_id == post_id))
        if case is not None and case.status in ("open", "acknowledged"):
            now = clock.now()
            if case.acknowledged_at is None:
                case.acknowledged_by, case.acknowledged_at = actor.account_id, now
            case.status, case.closed_by, case.closed_at = status, actor.account_id, now

    # ---- post actions ---------------------------------------------------------------------

    async def approve(self, actor: Actor, post_id: uuid.UUID, reason: str) -> dict:
        """Publish a held or hidden post (or keep a flagged one up): its flags are dismissed;
        a crisis case is closed as released (a false positive)."""
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            t = await self._target(actor, post_id, crisis=True)
            has_flags = await self.session.scalar(
                select(func.count()).select_from(Flag)
                .where(Flag.post_id == post_id, Flag.status == "open"))  # fmt: skip
            if t.post.state == "published" and not has_flags:
                raise Conflict("This post is already published.", code="nothing_to_approve")
            if t.post.state == "removed":
                raise Conflict("This post was removed.", code="removed")
            await set_state(self.session, t.post, "published")
            await self._close_flags(post_id, "dismissed")
            await self._close_hold(post_id)
            await self._close_case(actor, post_id, "released")
            await self._log(actor, t, "approve", why)
        return {"post_id": str(post_id), "state": "published"}

    async def release(self, actor: Actor, post_id: uuid.UUID, reason: str | None) -> dict:
        """One click for a crisis hold that was a false positive (audited as an approval)."""
        return await self.approve(actor, post_id, reason or "False positive: nothing of concern")

    async def hide(self, actor: Actor, post_id: uuid.UUID, reason: str) -> dict:
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            t = await self._target(actor, post_id)
            if t.post.state in ("hidden", "removed"):
                raise Conflict("This post is not shown already.", code="not_shown")
            await set_state(self.session, t.post, "hidden")
            await self._close_flags(post_id, "agreed")
            await self._close_hold(post_id)
            await self._close_case(actor, post_id, "kept")
            await self._log(actor, t, "hide", why, subject=await self._author(t.post))
            await self._tell_author(t, "hide")
        return {"post_id": str(post_id), "state": "hidden"}

    async def edit(self, actor: Actor, post_id: uuid.UUID, body: str, note: str, reason: str):
        """Replace a post's text; the note is shown under it ("Edited by a moderator: …")."""
        new = bounded_text(body, "body", MAX_BODY)
        shown = bounded_text(note, "note", 300)
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            t = await self._target(actor, post_id)
            if t.post.state == "removed":
                raise Conflict("This post was removed.", code="removed")
            t.post.body = f"{new}\n\n*Edited by a moderator: {shown}*"
            t.post.edited_at = clock.now()
            await reindex(self.session, t.post)  # search finds the new words, not the old
            await self._log(actor, t, "edit", why, subject=await self._author(t.post), note=shown)
            await self._tell_author(t, "edit")
        return {"post_id": str(post_id), "state": t.post.state}

    # ---- penalties ------------------------------------------------------------------------

    async def penalise(
        self, actor: Actor, post_id: uuid.UUID, kind: str, reason: str, days: int | None = None
    ) -> dict:
        """Warn, silence or suspend the author of a post (or ``escalate``: the next step)."""
        if kind not in PENALTIES:
            raise InvalidInput(f"kind must be one of {', '.join(PENALTIES)}.", field="kind")
        if days is not None and not 1 <= days <= 3650:
            raise InvalidInput("days must be between 1 and 3650.", field="days")
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            t = await self._target(actor, post_id)
            author = await self._author(t.post)
            if author is None:
                raise Conflict("The author's account was erased.", code="author_erased")
            if author == actor.account_id:
                raise Conflict("You cannot penalise yourself.", code="self")
            prior = list((await self.session.scalars(
                select(Penalty).where(Penalty.community_id == t.community.id,
                                      Penalty.account_id == author, Penalty.lifted_at.is_(None))
            )).all())  # fmt: skip
            step = len(prior)
            if kind == "escalate":
                kind, length = LADDER[min(step, len(LADDER) - 1)]
            else:
                same = sum(1 for p in prior if p.kind == kind)
                ladder = [d for k, d in LADDER if k == kind] or [None]
                length = ladder[min(same, len(ladder) - 1)]
            if days is not None and kind != "warn":
                length = days
            until = clock.now() + timedelta(days=length) if length and kind != "warn" else None
            row = await self._log(actor, t, kind, why, subject=author, until=until)
            self.session.add(Penalty(
                id=uuid.uuid4(), community_id=t.community.id, account_id=author, kind=kind,
                step=step, until=until, action_id=row.id, created_at=clock.now(),
            ))  # fmt: skip
            if kind != "warn":
                (await stats_of(self.session, author)).good_standing = False
            await self._tell_author(t, kind, author)
        return {"action_id": str(row.id), "kind": kind, "step": step, "until": _iso(until)}

    async def _tell_author(self, t: Target, kind: str, author: uuid.UUID | None = None) -> None:
        author = author or await self._author(t.post)
        if author is None:
            return
        await unit_of_work(self.session).publish(NotificationRequested(
            account_id=author, kind=f"community.moderation.{kind}",
            title="A moderator's decision about your post",
            body=f"In {t.community.name}: {kind}. You can read the reason and appeal.",
            link="/community/moderation/mine",
        ))  # fmt: skip

    # ---- flags ----------------------------------------------------------------------------

    async def flag(self, actor: Actor, post_id: uuid.UUID, reason: str, note: str | None) -> dict:
        """A member flags a published post. ``crisis`` holds it and alerts at once; enough
        flags from trusted members hide it (the community's policy)."""
        if reason not in FLAG_REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(FLAG_REASONS)}.", field="reason")
        note = bounded_text(note, "note", 1000, minimum=0) or None
        require_full_scope(actor)
        async with unit_of_work(self.session):
            post = await self.session.get(Post, post_id)
            if post is None or post.state != "published":
                raise NotFound("Not found.")
            community, membership = await readable(self.session, actor, post.community_id)
            if membership is None or membership.status != "active":
                raise Forbidden("Join this community to flag posts.", code="not_a_member")
            author = await self._author(post)
            if author == actor.account_id:
                raise Conflict("You cannot flag your own post.", code="own_post")
            weight = (await stats_of(self.session, actor.account_id)).trust_level or 0
            self.session.add(Flag(
                id=uuid.uuid4(), post_id=post.id, community_id=community.id,
                flagger_id=actor.account_id, reason=reason, note=note, weight=weight,
                status="open", created_at=clock.now(),
            ))  # fmt: skip
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict("You have flagged this post already.", code="flagged") from None
            audit.record(self.session, "community.flag", actor=actor, resource_type="CommunityPost",
                         resource_id=post.id, detail={"reason": reason})  # fmt: skip
            t = Target(post, community, membership)
            if reason == "crisis" and author is not None:
                await set_state(self.session, post, "held")
                await hold(self.session, post, ["flag:crisis"], crisis=True)
                await open_crisis_case(self.session, self.settings, post, author, ["flag:crisis"],
                                       actor_id=actor.account_id)  # fmt: skip
                return {"post_id": str(post.id), "state": "held"}
            policy = await self.session.get(ModerationPolicy, community.id) or DEFAULT_POLICY
            trusted = await self.session.scalar(
                select(func.count()).select_from(Flag).where(
                    Flag.post_id == post.id, Flag.status == "open", Flag.flagger_id.is_not(None),
                    Flag.weight >= policy.flag_min_trust))  # fmt: skip
            if (trusted or 0) >= policy.flags_to_hide:
                await set_state(self.session, post, "hidden")
                await hold(self.session, post, [f"flags:{trusted}-trusted"])
                await self._log(None, t, "auto_hide", f"Hidden by {trusted} members' flags",
                                subject=author)  # fmt: skip
        return {"post_id": str(post.id), "state": post.state}

    async def set_policy(self, actor: Actor, slug_id: uuid.UUID, hide: int, min_trust: int):
        if not 1 <= hide <= 100:
            raise InvalidInput("flags_to_hide must be between 1 and 100.", field="flags_to_hide")
        if not 0 <= min_trust <= 4:
            raise InvalidInput("flag_min_trust must be between 0 and 4.", field="flag_min_trust")
        async with unit_of_work(self.session):
            community, membership = await readable(self.session, actor, slug_id)
            if not is_staff(actor, membership):
                raise Forbidden(
                    "Only this community's staff may do this.", code="not_community_staff"
                )
            row = await self.session.get(ModerationPolicy, community.id)
            if row is None:
                row = ModerationPolicy(community_id=community.id)
                self.session.add(row)
            row.flags_to_hide, row.flag_min_trust = hide, min_trust
            audit.record(self.session, "community.moderation.policy", actor=actor,
                         resource_type="Community", resource_id=community.id,
                         detail={"flags_to_hide": hide, "flag_min_trust": min_trust})  # fmt: skip
        return {"flags_to_hide": hide, "flag_min_trust": min_trust}

    # ---- the queue and logs ---------------------------------------------------------------

    async def queue(self, actor: Actor) -> list[dict]:
        """Held posts and posts with open flags, with their thread's context; crisis first."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            communities = await self._staff_communities(actor)
            oncall = self._is_oncall(actor)
            if communities == [] and not oncall:
                raise Forbidden("You moderate no community.", code="not_community_staff")
            flagged = select(Flag.post_id).where(Flag.status == "open")
            query = select(Post).where(or_(Post.state == "held", Post.id.in_(flagged)))
            if communities is not None:
                crisis_posts = select(CrisisCase.post_id).where(
                    CrisisCase.status.in_(("open", "acknowledged"))
                )
                scope = Post.community_id.in_(communities)
                query = query.where(or_(scope, Post.id.in_(crisis_posts)) if oncall else scope)
            posts = list((await self.session.scalars(
                query.order_by(Post.created_at).limit(200))).all())  # fmt: skip
            items = [await self._item(p) for p in posts]
            audit.record(self.session, "community.moderation.queue", actor=actor,
                         resource_type="CommunityPost", detail={"items": len(items)})  # fmt: skip
        items.sort(key=lambda i: (i["crisis"] is None, i["created_at"]))
        return items

    async def _item(self, post: Post) -> dict:
        s = self.session
        community = await s.get(Community, post.community_id)
        thread = await s.get(Thread, post.thread_id)
        assert community is not None and thread is not None
        context = (await s.scalars(select(Post).where(
            Post.thread_id == thread.id, Post.seq.in_({1, post.seq - 1}), Post.seq < post.seq,
            Post.state == "published").order_by(Post.seq))).all()  # fmt: skip
        row = await s.get(Hold, post.id)
        flags = (await s.scalars(select(Flag).where(Flag.post_id == post.id, Flag.status == "open")
                                 .order_by(Flag.created_at))).all()  # fmt: skip
        case = await s.scalar(select(CrisisCase).where(CrisisCase.post_id == post.id,
                              CrisisCase.status.in_(("open", "acknowledged"))))  # fmt: skip
        tags = (await s.scalars(select(PostTag.tag).where(PostTag.post_id == post.id))).all()
        reasons = json.loads(row.reasons) if row is not None and row.resolved_at is None else []
        excerpts = [{"seq": c.seq, "excerpt": text.excerpt(c.body)} for c in context]
        return {
            "post_id": str(post.id), "state": post.state, "body": post.body,
            "author": await self._author_label(post), "created_at": _iso(post.created_at),
            "community": {"id": str(community.id), "slug": community.slug, "name": community.name},
            "thread": {"id": str(thread.id), "title": thread.title, "context": excerpts},
            "reasons": reasons,
            "flags": [{"reason": f.reason, "note": f.note, "weight": f.weight,
                       "system": f.flagger_id is None, "created_at": _iso(f.created_at)}
                      for f in flags],
            "crisis": None if case is None else {
                "case_id": str(case.id), "status": case.status,
                "acknowledge_by": _iso(case.acknowledge_by) if case.status == "open" else None},
            "tags": list(tags),
        }  # fmt: skip

    async def _author_label(self, post: Post) -> str:
        if post.pseudonym_id is not None:
            pseudonym = await self.session.get(Pseudonym, post.pseudonym_id)
            return pseudonym.handle if pseudonym else "[removed]"
        if post.author_account_id is None:
            return "[removed]"
        names = await directory.display_names(self.session, {post.author_account_id})
        return names.get(post.author_account_id, "[removed]")

    async def my_log(self, actor: Actor) -> list[dict]:
        """The caller's own moderation actions, newest first."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            rows = (await self.session.scalars(
                select(ModAction).where(ModAction.moderator_id == actor.account_id)
                .order_by(ModAction.created_at.desc()).limit(500))).all()  # fmt: skip
            return [await self._action_json(r) for r in rows]

    async def _action_json(self, row: ModAction) -> dict:
        community = await self.session.get(Community, row.community_id)
        appeal = await self.session.scalar(select(Appeal).where(Appeal.action_id == row.id))
        return {
            "id": str(row.id), "action": row.action, "reason": row.reason, "note": row.note,
            "post_id": str(row.post_id) if row.post_id else None,
            "community": community.name if community else "", "until": _iso(row.until),
            "created_at": _iso(row.created_at), "appeal": appeal.status if appeal else None,
        }  # fmt: skip
