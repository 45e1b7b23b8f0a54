"""Who may see, submit and moderate a gallery work: community's and groups' public functions.

- A community's gallery is read by whoever may read the community (community's policy); a work
  shared with an art-therapy group (a support group whose sessions open the ``gallery``
  template) only by that group's active members and facilitators. Anyone else gets 404.
- Active members of the community submit to its gallery; active members and facilitators of an
  art-therapy group submit to the group.
- A work is moderated by the community's staff (its facilitators and moderators, site
  moderators and admins) and, for a group's work, also by the group's facilitators; a crisis
  hold also by the on-call clinician.
- A work not yet approved is seen by its author and its moderators only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.gallery.models import GalleryWork
from careverse.groups import access as group_access
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, NotFound
from careverse.kernel.policy import Actor, require_full_scope

ART_TEMPLATE = "gallery"


@dataclass
class Where:
    """A community (and perhaps an art-therapy group of it) and the caller's place in them."""

    community: Any  # community's Community row (its tables are community's own)
    membership: Any  # the caller's community Membership, or None
    group: Any = None  # the SupportGroup, for a group's work
    group_member: Any = None  # the caller's GroupMember row there


def is_oncall(actor: Actor, settings: Settings) -> bool:
    return str(actor.account_id) == (settings.alert_oncall_account_id or "")


def in_group(where: Where) -> bool:
    row = where.group_member
    return row is not None and row.status == "active"


async def community_of(session: AsyncSession, actor: Actor, slug: str) -> Where:
    """A community whose gallery the caller may read; 404 otherwise."""
    community, membership = await community_members.community_for(session, actor, slug)
    if not community_members.may_read(actor, community, membership):
        raise NotFound("Not found.")
    return Where(community, membership)


async def group_of(session: AsyncSession, actor: Actor, slug: str) -> Where:
    """An art-therapy group the caller belongs to (or facilitates); 404 otherwise."""
    group, mine = await group_access.visible_group(session, actor, slug)
    if mine is None or mine.status != "active":
        raise NotFound("Not found.")
    community, membership = await community_members.readable(session, actor, group.community_id)
    return Where(community, membership, group, mine)


def require_art_group(where: Where) -> None:
    if where.group is not None and where.group.template != ART_TEMPLATE:
        raise Conflict("This group does not meet in the gallery.", code="not_art_therapy")


def require_submitter(where: Where) -> None:
    if where.group is not None:
        return  # group_of admitted only its active members and facilitators
    community_members.require_member(where.membership)


async def is_moderator(
    session: AsyncSession, actor: Actor, work: GalleryWork, where: Where | None
) -> bool:
    """The community's staff, the group's facilitators (for its works)."""
    if community_members.is_site_staff(actor):
        return True
    membership = where.membership if where else await community_members.membership_of(
        session, work.community_id, actor.account_id)  # fmt: skip
    if community_members.is_staff(actor, membership):
        return True
    if work.group_id is None:
        return False
    mine = await group_access.member_row(session, work.group_id, actor.account_id)
    return group_access.is_facilitator(mine)


async def where_of(session: AsyncSession, actor: Actor, work: GalleryWork) -> Where | None:
    """The caller's place around a work: None when they may not read where it is."""
    require_full_scope(actor)
    try:
        community, membership = await community_members.readable(
            session, actor, work.community_id)  # fmt: skip
    except NotFound:
        return None
    where = Where(community, membership)
    if work.group_id is not None:
        where.group_member = await group_access.member_row(session, work.group_id, actor.account_id)
    return where


async def visible_work(
    session: AsyncSession, actor: Actor, work_id: uuid.UUID, settings: Settings
) -> tuple[GalleryWork, Where | None, bool]:
    """The work, the caller's place and whether they moderate it; 404 when not theirs to see."""
    require_full_scope(actor)
    work = await session.get(GalleryWork, work_id)
    if work is None or (work.status == "removed" and work.author_account_id != actor.account_id):
        raise NotFound("Not found.")
    where = await where_of(session, actor, work)
    mine = work.author_account_id == actor.account_id
    moderator = await is_moderator(session, actor, work, where) if where else False
    if work.crisis and work.status == "held" and is_oncall(actor, settings):
        moderator = True
    if mine or moderator:
        return work, where, moderator
    if where is None or work.status != "approved":
        raise NotFound("Not found.")
    if work.group_id is not None and not in_group(where):
        raise NotFound("Not found.")
    return work, where, False


def require_moderator(moderator: bool) -> None:
    if not moderator:
        raise Forbidden("Only this gallery's moderators may do this.", code="not_gallery_staff")


async def moderated_scope(
    session: AsyncSession, actor: Actor
) -> tuple[list[uuid.UUID] | None, list[uuid.UUID]]:
    """Communities the caller moderates (None: all) and art-therapy groups they facilitate."""
    communities = None
    if not community_members.is_site_staff(actor):
        communities = await community_members.staff_communities(session, actor.account_id)
    groups = await group_access.facilitated_groups(session, actor.account_id)
    return communities, groups


async def handles_for(session: AsyncSession, community_id: uuid.UUID, account: uuid.UUID) -> str:
    """The member's pseudonym in the community (made on first use)."""
    return (await community_members.pseudonym_for(session, community_id, account)).handle
