"""Who may see and run a group: the community's read rule, the group's own roles.

A group is seen by those who may read its community (community's public functions decide) and by
its own members; anyone else gets 404, as for the community. Facilitators are the group's
members with role ``facilitator``; the community's staff (facilitators, moderators, site staff)
create groups and name facilitators.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.groups.models import GroupMember, SupportGroup
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, require_full_scope


async def member_row(
    session: AsyncSession, group_id: uuid.UUID, account_id: uuid.UUID
) -> GroupMember | None:
    return await session.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group_id, GroupMember.account_id == account_id
        )
    )


async def may_read_community(session: AsyncSession, actor: Actor, community_id: uuid.UUID) -> bool:
    try:
        await community_members.readable(session, actor, community_id)
    except NotFound:
        return False
    return True


async def community_staff(session: AsyncSession, actor: Actor, community_id: uuid.UUID) -> bool:
    """The community's facilitators and moderators, and site staff."""
    if community_members.is_site_staff(actor):
        return True
    membership = await community_members.membership_of(session, community_id, actor.account_id)
    return community_members.is_staff(actor, membership)


async def visible_group(
    session: AsyncSession, actor: Actor, slug: str
) -> tuple[SupportGroup, GroupMember | None]:
    """The group and the caller's row in it; 404 when not theirs to see."""
    require_full_scope(actor)
    group = await session.scalar(select(SupportGroup).where(SupportGroup.slug == slug))
    if group is None:
        raise NotFound("Not found.")
    mine = await member_row(session, group.id, actor.account_id)
    outside = mine is None or mine.status == "left"
    if outside and not await may_read_community(session, actor, group.community_id):
        raise NotFound("Not found.")
    return group, mine


def is_facilitator(mine: GroupMember | None) -> bool:
    return mine is not None and mine.role == "facilitator" and mine.status == "active"


async def require_runner(
    session: AsyncSession, actor: Actor, group: SupportGroup, mine: GroupMember | None
) -> None:
    """The group's facilitators and its community's staff."""
    if is_facilitator(mine) or await community_staff(session, actor, group.community_id):
        return
    raise Forbidden("Only this group's facilitators may do this.", code="not_facilitator")


async def facilitator_ids(session: AsyncSession, group_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        (
            await session.scalars(
                select(GroupMember.account_id)
                .where(
                    GroupMember.group_id == group_id,
                    GroupMember.role == "facilitator",
                    GroupMember.status == "active",
                )
                .order_by(GroupMember.since)
            )
        ).all()
    )


async def facilitated_groups(session: AsyncSession, account_id: uuid.UUID) -> list[uuid.UUID]:
    """The groups the account facilitates (active)."""
    return list(
        (
            await session.scalars(
                select(GroupMember.group_id).where(
                    GroupMember.account_id == account_id,
                    GroupMember.role == "facilitator",
                    GroupMember.status == "active",
                )
            )
        ).all()
    )


async def slug_of(session: AsyncSession, group_id: uuid.UUID) -> str | None:
    return await session.scalar(select(SupportGroup.slug).where(SupportGroup.id == group_id))
