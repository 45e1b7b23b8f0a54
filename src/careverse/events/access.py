"""Who may see and run an event, through the one policy.

A ``public`` event (every site event is public) is seen by every signed-in person of a role
that takes part in communities; a ``community`` event by those who may read its community
(community's public functions decide). Its own people (hosts, speakers, registrants) always see
it. Anyone else gets 404. Host tools are the event's hosts' only (403 ``not_host`` to the
others who may see it). Events of a community are made by its staff (facilitators, moderators)
and site staff; site events by site staff.
"""

from __future__ import annotations

import contextlib
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.events.models import Event, EventPerson
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope

TAKES_PART = (Role.PATIENT, Role.CAREGIVER, Role.CLINICIAN, Role.MODERATOR, Role.ADMIN)


async def person_row(
    session: AsyncSession, event_id: uuid.UUID, account_id: uuid.UUID
) -> EventPerson | None:
    return await session.scalar(
        select(EventPerson).where(
            EventPerson.event_id == event_id, EventPerson.account_id == account_id
        )
    )


async def may_see(
    session: AsyncSession, actor: Actor, event: Event, mine: EventPerson | None
) -> bool:
    if mine is not None and mine.status != "cancelled":
        return True
    if actor.role not in TAKES_PART:
        return False
    if event.visibility == "public" or event.community_id is None:
        return True
    with contextlib.suppress(NotFound):  # community's own rule: may this person read it?
        await community_members.readable(session, actor, event.community_id)
        return True
    return False


async def visible_event(
    session: AsyncSession, actor: Actor, slug: str
) -> tuple[Event, EventPerson | None]:
    """The event and the caller's row in it; 404 when not theirs to see."""
    require_full_scope(actor)
    event = await session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound("Not found.")
    mine = await person_row(session, event.id, actor.account_id)
    if not await may_see(session, actor, event, mine):
        raise NotFound("Not found.")
    return event, mine


def is_host(mine: EventPerson | None) -> bool:
    return mine is not None and mine.role == "host" and mine.status == "registered"


def require_host(mine: EventPerson | None) -> None:
    if not is_host(mine):
        raise Forbidden("Only this event's hosts may do this.", code="not_host")


async def may_organise(session: AsyncSession, actor: Actor, community_id: uuid.UUID | None) -> bool:
    """Site staff anywhere; a community's facilitators and moderators for its events."""
    if community_members.is_site_staff(actor):
        return True
    if community_id is None:
        return False
    membership = await community_members.membership_of(session, community_id, actor.account_id)
    return community_members.is_staff(actor, membership)


async def people_ids(session: AsyncSession, event_id: uuid.UUID, *roles: str) -> list[uuid.UUID]:
    return list(
        (
            await session.scalars(
                select(EventPerson.account_id)
                .where(
                    EventPerson.event_id == event_id,
                    EventPerson.role.in_(roles),
                    EventPerson.status == "registered",
                )
                .order_by(EventPerson.since)
            )
        ).all()
    )
