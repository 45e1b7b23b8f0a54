"""Communities and their members: create, list, join (guidelines accepted and recorded), request
and approve, invite, leave, staff roles, per-member and per-topic slow mode, trust levels, and
the audited safety unmasking of a pseudonym. Threads and posts are in :mod:`.posts`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import trust
from careverse.community.members import (
    KINDS,
    STAFF_ROLES,
    VISIBILITIES,
    community_for,
    is_staff,
    may_see,
    membership_of,
    readable,
    relevel,
    require_staff,
    stats_of,
    visited,
)
from careverse.community.models import Community, Membership, Post, Pseudonym, Thread
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope, require_role
from careverse.kernel.uow import unit_of_work

MIN_REASON = 10


@dataclass(frozen=True, slots=True)
class CommunityView:
    community: Community
    membership: Membership | None
    members: int
    staff: bool


@dataclass(frozen=True, slots=True)
class MemberView:
    membership_id: uuid.UUID
    account_id: uuid.UUID
    name: str
    status: str
    role: str


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < MIN_REASON:
        raise InvalidInput(f"Give a reason of at least {MIN_REASON} characters.", field="reason")
    return text


def _until(until: datetime | None) -> datetime | None:
    if until is not None and clock.as_utc(until) <= clock.now():
        raise InvalidInput("'until' must be in the future.", field="until")
    return None if until is None else clock.as_utc(until)


class CommunityService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _count(self, community_id: uuid.UUID) -> int:
        rows = await self.session.scalars(
            select(Membership.id).where(
                Membership.community_id == community_id, Membership.status == "active"
            )
        )
        return len(rows.all())

    async def create(
        self, actor: Actor, *, slug: str, name: str, kind: str, visibility: str,
        description: str = "", guidelines: str = "",
    ) -> Community:  # fmt: skip
        """A new community (admins)."""
        require_role(actor, Role.ADMIN)
        if kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", field="kind")
        if visibility not in VISIBILITIES:
            raise InvalidInput(f"visibility must be one of {', '.join(VISIBILITIES)}.",
                               field="visibility")  # fmt: skip
        async with unit_of_work(self.session):
            row = Community(
                id=uuid.uuid4(), slug=slug, name=name, kind=kind, visibility=visibility,
                description=description, guidelines=guidelines, guidelines_version=1,
                created_by=actor.account_id,
            )  # fmt: skip
            self.session.add(row)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict("A community with this slug exists.", code="slug_taken") from None
            audit.record(self.session, "community.create", actor=actor,
                         resource_type="Community", resource_id=row.id)  # fmt: skip
        return row

    async def list(self, actor: Actor, kind: str | None = None, q: str | None = None):
        """The communities the caller may see, with their membership and member count."""
        require_full_scope(actor)
        if kind is not None and kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", field="kind")
        async with unit_of_work(self.session):
            query = select(Community).order_by(Community.name)
            if kind is not None:
                query = query.where(Community.kind == kind)
            rows = (await self.session.scalars(query)).all()
            mine = {
                m.community_id: m
                for m in await self.session.scalars(
                    select(Membership).where(Membership.account_id == actor.account_id)
                )
            }
            needle = (q or "").strip().casefold()
            out = []
            for c in rows:
                m = mine.get(c.id)
                if not may_see(actor, c, m):
                    continue
                if needle and needle not in f"{c.name} {c.description}".casefold():
                    continue
                out.append(CommunityView(c, m, await self._count(c.id), is_staff(actor, m)))
        return out

    async def get(self, actor: Actor, slug: str) -> CommunityView:
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            return CommunityView(c, m, await self._count(c.id), is_staff(actor, m))

    async def join(
        self, actor: Actor, slug: str, *, accept_guidelines: bool, guidelines_version: int,
        lived_experience: bool = False,
    ) -> CommunityView:  # fmt: skip
        """Join (public), ask to join (request) or accept an invitation (invite-only); the
        guidelines of the version shown must be accepted, and that acceptance is recorded."""
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            if c.kind == "professional" and actor.role is not Role.CLINICIAN:
                raise Forbidden("Only clinicians may join a professional community.",
                                code="clinicians_only")  # fmt: skip
            if not accept_guidelines:
                raise InvalidInput("Accept the community's guidelines to join.",
                                   field="accept_guidelines")  # fmt: skip
            if guidelines_version != c.guidelines_version:
                raise Conflict("The guidelines have changed; read them again.",
                               code="guidelines_changed")  # fmt: skip
            if lived_experience and actor.role is not Role.PATIENT:
                raise InvalidInput("Only patients may show the lived-experience badge.",
                                   field="lived_experience")  # fmt: skip
            if m is not None and m.status in ("active", "requested"):
                raise Conflict("You have already joined or asked to join.", code="already_member")
            invited = m is not None and m.status == "invited"
            if c.visibility == "invite" and not invited:
                raise NotFound("Not found.")
            status = "requested" if c.visibility == "request" and not invited else "active"
            now = clock.now()
            if m is None:
                m = Membership(id=uuid.uuid4(), community_id=c.id, account_id=actor.account_id,
                               role="member")  # fmt: skip
                self.session.add(m)
            m.status = status
            m.lived_experience = lived_experience
            m.guidelines_version = c.guidelines_version
            m.guidelines_accepted_at = now
            m.joined_at = now if status == "active" else None
            audit.record(
                self.session, "community.join", actor=actor, resource_type="Community",
                resource_id=c.id, detail={"status": status, "guidelines": c.guidelines_version},
            )  # fmt: skip
            await self.session.flush()
            return CommunityView(c, m, await self._count(c.id), is_staff(actor, m))

    async def leave(self, actor: Actor, slug: str) -> None:
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            if m is None or m.status == "left":
                raise Conflict("You are not a member.", code="not_a_member")
            m.status, m.role = "left", "member"
            audit.record(self.session, "community.leave", actor=actor,
                         resource_type="Community", resource_id=c.id)  # fmt: skip

    async def members(self, actor: Actor, slug: str, status: str = "active") -> list[MemberView]:
        """Members (or pending requests) by name and role (community staff only). Pseudonyms are
        not listed: nothing here links a handle to a member."""
        if status not in ("active", "requested", "invited"):
            raise InvalidInput("status must be active, requested or invited.", field="status")
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            require_staff(actor, m)
            rows = (await self.session.scalars(select(Membership).where(
                Membership.community_id == c.id, Membership.status == status))).all()  # fmt: skip
            names = await directory.display_names(self.session, {r.account_id for r in rows})
        return [
            MemberView(r.id, r.account_id, names.get(r.account_id, ""), r.status, r.role)
            for r in rows
        ]

    async def _staff_target(self, actor: Actor, slug: str, membership_id: uuid.UUID):
        c, m = await community_for(self.session, actor, slug)
        require_staff(actor, m)
        target = await self.session.get(Membership, membership_id)
        if target is None or target.community_id != c.id:
            raise NotFound("Not found.")
        return c, target

    async def approve(self, actor: Actor, slug: str, membership_id: uuid.UUID) -> MemberView:
        async with unit_of_work(self.session):
            _c, target = await self._staff_target(actor, slug, membership_id)
            if target.status != "requested":
                raise Conflict("There is no request to approve.", code="no_request")
            target.status, target.joined_at = "active", clock.now()
            audit.record(self.session, "community.approve", actor=actor,
                         resource_type="Membership", resource_id=target.id)  # fmt: skip
            names = await directory.display_names(self.session, {target.account_id})
        return MemberView(target.id, target.account_id, names.get(target.account_id, ""),
                          target.status, target.role)  # fmt: skip

    async def invite(self, actor: Actor, slug: str, email: str) -> MemberView:
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            require_staff(actor, m)
            invitee = await directory.account_by_email(self.session, email)
            if invitee is None or (c.kind == "professional" and invitee.role != Role.CLINICIAN):
                raise InvalidInput("No one who may join has this address.", field="email")
            target = await membership_of(self.session, c.id, invitee.id)
            if target is not None and target.status == "active":
                raise Conflict("This person is already a member.", code="already_member")
            if target is None:
                target = Membership(id=uuid.uuid4(), community_id=c.id, account_id=invitee.id,
                                    role="member")  # fmt: skip
                self.session.add(target)
            target.status, target.invited_by = "invited", actor.account_id
            await self.session.flush()
            audit.record(self.session, "community.invite", actor=actor,
                         resource_type="Membership", resource_id=target.id)  # fmt: skip
        return MemberView(target.id, invitee.id, invitee.display_name, "invited", target.role)

    async def set_role(
        self, actor: Actor, slug: str, membership_id: uuid.UUID, role: str
    ) -> MemberView:
        """Make a member a facilitator or moderator, or a member again (site admins and the
        community's moderators)."""
        if role not in ("member", "educator", *STAFF_ROLES):  # educator: a peer educator
            raise InvalidInput("role must be member, educator, facilitator or moderator.",
                               field="role")  # fmt: skip
        async with unit_of_work(self.session):
            _, m = await community_for(self.session, actor, slug)
            if actor.role is not Role.ADMIN and (m is None or m.role != "moderator"):
                raise Forbidden("Only the community's moderators may change roles.",
                                code="not_community_moderator")  # fmt: skip
            _c, target = await self._staff_target(actor, slug, membership_id)
            if target.status != "active":
                raise Conflict("Only active members take a role.", code="not_active")
            target.role = role
            audit.record(self.session, "community.role", actor=actor, resource_type="Membership",
                         resource_id=target.id, detail={"role": role})  # fmt: skip
            names = await directory.display_names(self.session, {target.account_id})
        return MemberView(target.id, target.account_id, names.get(target.account_id, ""),
                          target.status, target.role)  # fmt: skip

    # ---- slow mode -------------------------------------------------------------------------

    async def thread_slow_mode(
        self, actor: Actor, thread_id: uuid.UUID, seconds: int, until: datetime | None,
        reason: str | None,
    ) -> Thread:  # fmt: skip
        """Slow a topic down: each member may post there once per ``seconds`` (0 turns it off)."""
        async with unit_of_work(self.session):
            thread = await self.session.get(Thread, thread_id)
            if thread is None:
                raise NotFound("Not found.")
            _, m = await readable(self.session, actor, thread.community_id)
            require_staff(actor, m)
            why = _reason(reason) if seconds else (reason or "").strip()
            thread.slow_seconds, thread.slow_until = (seconds or None), _until(until)
            audit.record(
                self.session, "community.slow_mode.topic", actor=actor, resource_type="Thread",
                resource_id=thread.id, detail=_slow_detail(seconds, thread.slow_until, why),
            )  # fmt: skip
        return thread

    async def member_slow_mode(
        self, actor: Actor, post_id: uuid.UUID, seconds: int, until: datetime | None,
        reason: str | None,
    ) -> datetime | None:  # fmt: skip
        """Slow down the author of a post in its community, without learning who they are."""
        async with unit_of_work(self.session):
            post = await self.session.get(Post, post_id)
            if post is None:
                raise NotFound("Not found.")
            c, m = await readable(self.session, actor, post.community_id)
            require_staff(actor, m)
            author = await self._author_of(post)
            target = None if author is None else await membership_of(self.session, c.id, author)
            if target is None:
                raise Conflict("The author is no longer a member.", code="not_a_member")
            why = _reason(reason) if seconds else (reason or "").strip()
            target.slow_seconds, target.slow_until = (seconds or None), _until(until)
            audit.record(
                self.session, "community.slow_mode.member", actor=actor,
                resource_type="Membership", resource_id=target.id,
                detail={**_slow_detail(seconds, target.slow_until, why), "post": str(post.id)},
            )  # fmt: skip
        return target.slow_until

    async def _author_of(self, post: Post) -> uuid.UUID | None:
        """The account behind a post, for the service's own use (never returned to a caller
        except through :meth:`unmask`)."""
        if post.author_account_id is not None:
            return post.author_account_id
        if post.pseudonym_id is None:
            return None
        pseudonym = await self.session.get(Pseudonym, post.pseudonym_id)
        return None if pseudonym is None else uuid.UUID(pseudonym.owner)

    # ---- the safety unmasking --------------------------------------------------------------

    async def unmask(self, actor: Actor, post_id: uuid.UUID, reason: str) -> tuple[uuid.UUID, str]:
        """Who wrote a post: the documented safety procedure (docs/community.md). Site admins
        only, with a reason, audited (``community.unmask``, the reason in the detail)."""
        require_role(actor, Role.ADMIN)
        why = _reason(reason)
        async with unit_of_work(self.session):
            post = await self.session.get(Post, post_id)
            if post is None:
                raise NotFound("Not found.")
            author = await self._author_of(post)
            if author is None:
                raise Conflict("The author's account was erased.", code="author_erased")
            audit.record(
                self.session, "community.unmask", actor=actor, resource_type="Post",
                resource_id=post.id, detail={"reason": why},
            )  # fmt: skip
            names = await directory.display_names(self.session, {author})
        return author, names.get(author, "")

    # ---- trust -----------------------------------------------------------------------------

    async def my_trust(self, actor: Actor) -> tuple[trust.TrustLevel, int, int]:
        require_full_scope(actor)
        async with unit_of_work(self.session):
            stats = await stats_of(self.session, actor.account_id)
            visited(stats)
            level = relevel(stats, actor)
        return trust.limits(level), stats.posts_read, stats.days_visited


def _slow_detail(seconds: int, until: datetime | None, reason: str) -> dict:
    return {"seconds": seconds, "until": until.isoformat() if until else None, "reason": reason}
