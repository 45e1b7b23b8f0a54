"""Who may see, read and post in a community, pseudonyms, and trust statistics.

The community policy, deny by default (docs/community.md):
- researchers see no community; professional communities exist only for clinicians (and site
  staff): to anyone else they answer 404, as an invite-only community does to non-members;
- a public community's threads are readable by anyone who may see it; the others' by members;
- only active members post; community staff are its facilitators and moderators, plus the
  site's moderators and admins.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import trust
from careverse.community.models import Community, Membership, MemberStats, Pseudonym
from careverse.kernel import clock, crypto
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope

KINDS = ("condition", "caregiver", "mental_health", "professional")
VISIBILITIES = ("public", "request", "invite")
STAFF_ROLES = ("facilitator", "moderator")
SITE_STAFF = (Role.MODERATOR, Role.ADMIN)
MEMBER_ROLES = (Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN, Role.MODERATOR, Role.ADMIN)
OWNER_PURPOSE = "community-pseudonym-owner"

ADJECTIVES = (
    "quiet", "gentle", "brave", "steady", "kind", "bright", "calm", "patient", "hopeful", "warm",
    "curious", "honest", "early", "evening", "morning", "silver", "amber", "cedar", "misty",
    "sunny",
)  # fmt: skip
NOUNS = (
    "heron", "willow", "harbour", "meadow", "lantern", "otter", "finch", "river", "maple",
    "pebble", "fern", "sparrow", "orchard", "beacon", "badger", "kestrel", "hazel", "brook",
    "thistle", "robin",
)  # fmt: skip


def owner_index(community_id: uuid.UUID, account_id: uuid.UUID) -> str:
    return crypto.keyring().blind_index(f"{community_id}:{account_id}", OWNER_PURPOSE)


def is_site_staff(actor: Actor) -> bool:
    return actor.role in SITE_STAFF


def is_staff(actor: Actor, membership: Membership | None) -> bool:
    """Community staff: its facilitators and moderators, and the site's moderators and admins."""
    if is_site_staff(actor):
        return True
    return (
        membership is not None
        and membership.status == "active"
        and membership.role in (STAFF_ROLES)
    )


def may_see(actor: Actor, community: Community, membership: Membership | None) -> bool:
    if actor.role not in MEMBER_ROLES:
        return False
    if is_site_staff(actor):
        return True
    if community.kind == "professional" and actor.role is not Role.CLINICIAN:
        return False
    if community.visibility == "invite":
        return membership is not None and membership.status in ("active", "invited")
    return True


def may_read(actor: Actor, community: Community, membership: Membership | None) -> bool:
    if not may_see(actor, community, membership):
        return False
    if is_site_staff(actor) or community.visibility == "public":
        return True
    return membership is not None and membership.status == "active"


async def membership_of(
    session: AsyncSession, community_id: uuid.UUID, account_id: uuid.UUID
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.community_id == community_id, Membership.account_id == account_id
        )
    )


async def community_for(
    session: AsyncSession, actor: Actor, slug: str
) -> tuple[Community, Membership | None]:
    """The community with ``slug`` and the caller's membership; 404 when not theirs to see."""
    require_full_scope(actor)
    community = await session.scalar(select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFound("Not found.")
    membership = await membership_of(session, community.id, actor.account_id)
    if not may_see(actor, community, membership):
        raise NotFound("Not found.")
    return community, membership


async def readable(
    session: AsyncSession, actor: Actor, community_id: uuid.UUID
) -> tuple[Community, Membership | None]:
    """The community (by id) if the caller may read its threads; 404 otherwise."""
    require_full_scope(actor)
    community = await session.get(Community, community_id)
    if community is None:
        raise NotFound("Not found.")
    membership = await membership_of(session, community.id, actor.account_id)
    if not may_read(actor, community, membership):
        raise NotFound("Not found.")
    return community, membership


def require_member(membership: Membership | None) -> Membership:
    if membership is None or membership.status != "active":
        raise Forbidden("Join this community to post here.", code="not_a_member")
    return membership


def require_staff(actor: Actor, membership: Membership | None) -> None:
    if not is_staff(actor, membership):
        raise Forbidden("Only this community's facilitators and moderators may do this.",
                        code="not_community_staff")  # fmt: skip


# ---- pseudonyms ----------------------------------------------------------------------------


async def own_pseudonym(
    session: AsyncSession, community_id: uuid.UUID, account_id: uuid.UUID
) -> Pseudonym | None:
    index = owner_index(community_id, account_id)
    return await session.scalar(select(Pseudonym).where(Pseudonym.owner_index == index))


async def pseudonym_for(
    session: AsyncSession, community_id: uuid.UUID, account_id: uuid.UUID
) -> Pseudonym:
    """The member's pseudonym in the community, made on first use (a random handle)."""
    found = await own_pseudonym(session, community_id, account_id)
    if found is not None:
        return found
    taken = set(
        (await session.scalars(select(Pseudonym.handle).where(
            Pseudonym.community_id == community_id))).all()
    )  # fmt: skip
    while True:
        handle = (
            f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}-{secrets.randbelow(90) + 10}"
        )
        if handle not in taken:
            break
    row = Pseudonym(
        id=uuid.uuid4(), community_id=community_id, handle=handle,
        owner_index=owner_index(community_id, account_id), owner=str(account_id),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def pseudonym_ids(session: AsyncSession, account_id: uuid.UUID) -> list[uuid.UUID]:
    """The caller's own pseudonyms in every community they belong (or belonged) to."""
    communities = (
        await session.scalars(
            select(Membership.community_id).where(Membership.account_id == account_id)
        )
    ).all()
    if not communities:
        return []
    indexes = [owner_index(c, account_id) for c in communities]
    return list(
        await session.scalars(select(Pseudonym.id).where(Pseudonym.owner_index.in_(indexes)))
    )


# ---- trust ---------------------------------------------------------------------------------


async def stats_of(session: AsyncSession, account_id: uuid.UUID) -> MemberStats:
    stats = await session.get(MemberStats, account_id)
    if stats is None:
        stats = MemberStats(account_id=account_id, posts_read=0, days_visited=0,
                            good_standing=True, trust_level=0)  # fmt: skip
        session.add(stats)
    return stats


def visited(stats: MemberStats, today: date | None = None) -> None:
    day = (today or clock.now().date()).isoformat()
    if stats.last_visit_on != day:
        stats.last_visit_on = day
        stats.days_visited = (stats.days_visited or 0) + 1


def relevel(stats: MemberStats, actor: Actor) -> int:
    stats.trust_level = trust.earned(
        stats.posts_read or 0, stats.days_visited or 0, bool(stats.good_standing),
        clinician=actor.role is Role.CLINICIAN,
    )  # fmt: skip
    return stats.trust_level


async def staff_communities(session: AsyncSession, account_id: uuid.UUID) -> list[uuid.UUID]:
    """The communities where the account is an active facilitator or moderator."""
    return list((await session.scalars(
        select(Membership.community_id).where(
            Membership.account_id == account_id, Membership.status == "active",
            Membership.role.in_(STAFF_ROLES),
        )
    )).all())  # fmt: skip
