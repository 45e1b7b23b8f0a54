"""Events between the world and the live support groups (careverse.groups).

Groups decide when a session's space must exist and who is in it; they publish
:class:`GroupSpaceRequested` in their unit of work and :func:`open_group_space` (TRANSACTION
phase) makes the space and its members on the publisher's session, as consult rooms are made
(world/events.py). The space is invite-only and unlisted; the group's facilitators are its
facilitators (mute, remove, lock, end and the circle tools, world/circle.py).

The world publishes what happens in a circle that must outlive the room: a member's private
"I need support" (:class:`CircleSupportRequested`, which groups turn into a request with an
acknowledgement deadline and the crisis path), a facilitator's acknowledgement, and check-in
scores (kept per member by groups). The world knows nothing of groups: only these events.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.world.models import Space, SpaceMember
from careverse.world.templates import TEMPLATES


class GroupSpaceRequested(DomainEvent, frozen=True):
    """A group session's space is to exist now (made once), with these people in it."""

    space_id: uuid.UUID
    name: str  # "Group session", never the group's name (a condition) nor a person's
    template: str
    owner_id: uuid.UUID
    capacity: int
    members: tuple[tuple[uuid.UUID, str, str], ...]  # (account, role, alias or "")


class CircleSupportRequested(DomainEvent, frozen=True):
    """A member pressed "I need support" in a space (only its facilitators were told, live)."""

    space_id: uuid.UUID
    account_id: uuid.UUID


class CircleSupportAcknowledged(DomainEvent, frozen=True):
    """A facilitator of the space acknowledged a member's request for support."""

    space_id: uuid.UUID
    account_id: uuid.UUID  # whose request
    by_id: uuid.UUID


class CircleSupportClosed(DomainEvent, frozen=True):
    """A request for support was acknowledged away from the room (groups' HTTP endpoint): the
    room is told on every node (EVERYWHERE), as if acknowledged there."""

    space_id: uuid.UUID
    account_id: uuid.UUID  # whose request
    by_name: str  # the facilitator's name, shown to the member


class CircleCheckIn(DomainEvent, frozen=True):
    """A member's check-in mood (1 to 5) at the start or the end of a session."""

    space_id: uuid.UUID
    account_id: uuid.UUID
    phase: str
    score: int


async def open_group_space(event: GroupSpaceRequested, session: AsyncSession) -> None:
    """Make the session's space (once) and put the people in it with their role and alias."""
    space = await session.get(Space, event.space_id)
    if space is None:
        spec = TEMPLATES[event.template]
        space = Space(
            id=event.space_id, name=event.name, template=event.template, owner_id=event.owner_id,
            access="invite", capacity=min(event.capacity, spec.capacity), listed=False,
        )  # fmt: skip
        session.add(space)
        await session.flush()
    for account_id, role, alias in event.members:
        member = await session.scalar(
            select(SpaceMember).where(
                SpaceMember.space_id == event.space_id, SpaceMember.account_id == account_id
            )
        )
        if member is None:
            member = SpaceMember(space_id=event.space_id, account_id=account_id)
            session.add(member)
        member.role = role
        member.alias = alias or None
    await session.flush()
