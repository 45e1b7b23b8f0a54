"""Who may see and run mentoring: the community's read rule and staff (the one policy, through
community's public functions), and the two sides of a relationship.

A relationship is seen by its mentor and its mentee only; anyone else gets 404, moderators too (a
report tells them there is one; it does not open the thread). Organisers are the community's
facilitators and moderators and the site's moderators and admins.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, require_full_scope
from careverse.mentoring.models import Relationship


async def community(session: AsyncSession, actor: Actor, slug: str):
    """The community the caller may read (its id and kind); 404 otherwise."""
    found, _m = await community_members.community_for(session, actor, slug)
    readable, _m = await community_members.readable(session, actor, found.id)
    return readable


async def is_organiser(session: AsyncSession, actor: Actor, community_id: uuid.UUID) -> bool:
    if community_members.is_site_staff(actor):
        return True
    membership = await community_members.membership_of(session, community_id, actor.account_id)
    return community_members.is_staff(actor, membership)


async def require_organiser(session: AsyncSession, actor: Actor, community_id: uuid.UUID) -> None:
    if not await is_organiser(session, actor, community_id):
        raise Forbidden(
            "Only this community's facilitators and moderators may do this.", code="not_organiser"
        )


async def relationship(
    session: AsyncSession, actor: Actor, relationship_id: uuid.UUID
) -> Relationship:
    """The relationship when the caller is one of its two sides; 404 otherwise."""
    require_full_scope(actor)
    row = await session.get(Relationship, relationship_id)
    if row is None or actor.account_id not in (row.mentor_id, row.mentee_id):
        raise NotFound("Not found.")
    return row
