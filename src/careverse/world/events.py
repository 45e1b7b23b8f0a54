"""The world's handlers of other capabilities' events: spaces that care asks for, erasure.

Care decides when a consult room or the waiting space must exist, chooses its id and publishes an
event in its unit of work; these TRANSACTION-phase handlers make the space and its members on the
publisher's session, so care's rows and the world's commit together (or neither do). The event was
published by a service that has already checked who may do this, so no policy check repeats here.

The rows are written as :class:`careverse.world.service.SpaceService` writes them, without its
checks of the caller's role (``create`` takes an actor and chooses the id; here care chose both).

A guest whose invitation ended (``ConsultInviteeRemoved``) leaves the room's members here, in the
transaction; their live sockets are closed on every node by the hub (``Hub.dismiss``, subscribed
in the EVERYWHERE phase in ``world/__init__.py``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.events import (
    ConsultInviteeRemoved,
    ConsultRoomInvited,
    ConsultRoomOpened,
    WaitingRoomNeeded,
)
from careverse.privacy.events import AccountErasureDue
from careverse.world.models import Space, SpaceMember, SpaceObject
from careverse.world.templates import TEMPLATES

CONSULT_TEMPLATE = "consult-room"
WAITING_TEMPLATE = "therapy-garden"
WAITING_NAME = "Waiting garden"
NO_LONGER_INVITED = "You are no longer invited to this consult."
VISIT_ENDED = "The clinician ended the visit."


async def open_consult_room(event: ConsultRoomOpened, session: AsyncSession) -> None:
    """The invite-only, unlisted consult room of an admitted visit, with its members."""
    await _create_space(
        session, event.space_id, name=event.name, template=CONSULT_TEMPLATE,
        owner_id=event.owner_id, access="invite", listed=False,
    )  # fmt: skip
    for account_id in dict.fromkeys(event.member_ids):  # once each, in order
        await _add_member(session, event.space_id, account_id)


async def invite_to_consult_room(event: ConsultRoomInvited, session: AsyncSession) -> None:
    """Someone invited into an open consult room becomes one of its members."""
    await _add_member(session, event.space_id, event.account_id)


async def leave_consult_room(event: ConsultInviteeRemoved, session: AsyncSession) -> None:
    """A guest no longer invited is no longer one of the consult room's members."""
    await session.execute(
        delete(SpaceMember).where(
            SpaceMember.space_id == event.space_id, SpaceMember.account_id == event.account_id
        )
    )


async def open_waiting_room(event: WaitingRoomNeeded, session: AsyncSession) -> None:
    """The clinic's calm, shared waiting space: any signed-in person may enter, nobody sees it
    listed."""
    await _create_space(
        session, event.space_id, name=WAITING_NAME, template=WAITING_TEMPLATE,
        owner_id=event.owner_id, access="members", listed=False,
    )  # fmt: skip


async def forget_person(event: AccountErasureDue, session: AsyncSession) -> None:
    """An erased person leaves every space's member list, and the objects they placed no longer
    name them (the tombstone account stays; spaces they own stay with their other members)."""
    await session.execute(delete(SpaceMember).where(SpaceMember.account_id == event.account_id))
    await session.execute(
        update(SpaceObject)
        .where(SpaceObject.created_by == event.account_id)
        .values(created_by=None)
    )


async def _create_space(
    session: AsyncSession,
    space_id: uuid.UUID,
    *,
    name: str,
    template: str,
    owner_id: uuid.UUID,
    access: str,
    listed: bool,
) -> Space:
    spec = TEMPLATES[template]
    space = Space(
        id=space_id, name=name, template=template, owner_id=owner_id, access=access,
        capacity=spec.capacity, listed=listed and access != "listed",
    )  # fmt: skip
    session.add(space)
    await session.flush()  # the publisher's next statements refer to it (appointments.space_id)
    return space


async def _add_member(
    session: AsyncSession, space_id: uuid.UUID, account_id: uuid.UUID, role: str = "participant"
) -> SpaceMember:
    member = await session.scalar(
        select(SpaceMember).where(
            SpaceMember.space_id == space_id, SpaceMember.account_id == account_id
        )
    )
    if member is None:
        member = SpaceMember(space_id=space_id, account_id=account_id, role=role)
        session.add(member)
    else:
        member.role = role
    await session.flush()
    return member
