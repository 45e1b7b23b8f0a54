"""Spaces: listing, creating, inviting, and who may enter. No realtime here (see hub.py).

A consult room is care's: besides its membership, care is asked at every entry whether the
person may still be in it (a caregiver's invitation lapses with the patient's delegation).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care.rooms import consult_rooms_barring, ended_consult_rooms
from careverse.care.waiting import waiting_garden_entry
from careverse.identity import directory
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Role, require_full_scope, require_role
from careverse.kernel.uow import unit_of_work
from careverse.world.events import CONSULT_TEMPLATE
from careverse.world.models import Space, SpaceMember, SpaceObject
from careverse.world.templates import NOTICE_BOARD, NOTICE_BOARD_PATH, TEMPLATES

CREATORS = (Role.CLINICIAN, Role.MODERATOR, Role.ADMIN)
# Platform roles that may run any room (mute, remove, lock, end) they are in.
PLATFORM_FACILITATORS = (Role.MODERATOR, Role.ADMIN)
VISIT_ENDED = "This visit has ended. Your summary is on your appointments page."


@dataclass(frozen=True)
class Entry:
    """Admission to a space: the space and the role the person has in it."""

    space: Space
    facilitator: bool
    first_name_only: bool = False  # a waiting patient in the clinic's waiting garden
    alias: str | None = None  # shown instead of the account's name (a group's pseudonym)


class SpaceService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def visible(self, actor: Actor) -> list[Space]:
        """Spaces the caller may see: open and invite-only listed ones, and any they belong to."""
        require_full_scope(actor)
        mine = select(SpaceMember.space_id).where(SpaceMember.account_id == actor.account_id)
        rows = await self.session.scalars(
            select(Space)
            .where(
                or_(
                    Space.access.in_(("members", "invite")) & Space.listed.is_(True),
                    Space.owner_id == actor.account_id,
                    Space.id.in_(mine),
                )
            )
            .order_by(Space.created_at)
        )
        spaces = list(rows.all())
        barred = await self._barred_by_care(actor, spaces)
        return [s for s in spaces if s.id not in barred]

    async def _barred_by_care(self, actor: Actor, spaces: list[Space]) -> set[uuid.UUID]:
        """The consult rooms among ``spaces`` that care no longer lets this person into."""
        rooms = [s.id for s in spaces if s.template == CONSULT_TEMPLATE]
        return await consult_rooms_barring(self.session, actor, rooms)

    async def create(
        self,
        actor: Actor,
        *,
        name: str,
        template: str,
        access: str = "members",
        capacity: int | None = None,
        listed: bool = True,
    ) -> Space:
        require_role(actor, *CREATORS)
        spec = TEMPLATES.get(template)
        if spec is None:
            raise InvalidInput(
                f"Unknown template; choose one of {', '.join(TEMPLATES)}.", field="template"
            )
        if capacity is not None and not 1 <= capacity <= spec.capacity:
            raise InvalidInput(
                f"A {spec.title.lower()} holds 1 to {spec.capacity} people.", field="capacity"
            )
        space = Space(
            name=name,
            template=template,
            owner_id=actor.account_id,
            access=access,
            capacity=capacity or spec.capacity,
            listed=listed and access != "listed",
        )
        async with unit_of_work(self.session):
            self.session.add(space)
        return space

    async def invite(
        self, actor: Actor, space_id: uuid.UUID, account_id: uuid.UUID, role: str = "participant"
    ) -> SpaceMember:
        async with unit_of_work(self.session):
            entry = await self.enter(actor, space_id)
            if not entry.facilitator:
                raise Forbidden("Only the space's facilitators can invite people.")
            # Checked here, not left to the foreign key: an unknown id is the caller's mistake
            # (a 404 like the care rooms' invitations), not a failed INSERT (a 500).
            if await directory.account_role(self.session, account_id) is None:
                raise NotFound("No such person.")
            member = await self.session.scalar(
                select(SpaceMember).where(
                    SpaceMember.space_id == space_id, SpaceMember.account_id == account_id
                )
            )
            if member is None:
                member = SpaceMember(space_id=space_id, account_id=account_id, role=role)
                self.session.add(member)
            else:
                member.role = role
        return member

    async def enter(self, actor: Actor, space_id: uuid.UUID) -> Entry:
        """May the caller enter? Spaces they may not enter are not found (not forbidden)."""
        require_full_scope(actor)
        space = await self.session.get(Space, space_id)
        if space is None:
            raise NotFound("Not found.")
        member = await self.session.scalar(
            select(SpaceMember).where(
                SpaceMember.space_id == space_id, SpaceMember.account_id == actor.account_id
            )
        )
        owner = space.owner_id == actor.account_id
        facilitator = (
            owner
            or actor.role in PLATFORM_FACILITATORS
            or (member is not None and member.role == "facilitator")
        )
        if space.access != "members" and not (owner or member is not None):
            raise NotFound("Not found.")
        if await self._barred_by_care(actor, [space]):
            # One of the room's own people: say why, rather than pretend it is not there.
            mine = owner or member is not None
            if mine and await ended_consult_rooms(self.session, [space.id]):
                raise Conflict(VISIT_ENDED, code="visit_ended")
            raise NotFound("Not found.")
        garden = await waiting_garden_entry(self.session, actor, space.id)
        if garden == "barred":
            raise NotFound("Not found.")
        alias = member.alias if member is not None else None
        return Entry(space, facilitator, first_name_only=garden == "waiting", alias=alias)

    async def add_notice_board(self, space_id: uuid.UUID) -> bool:
        """Stand a community notice board in a space (the demo's lobby), once; True if added.

        It carries only a fixed label and the path it opens, no one's data.
        """
        existing = await self.session.scalar(
            select(SpaceObject.id).where(
                SpaceObject.space_id == space_id, SpaceObject.kind == NOTICE_BOARD
            )
        )
        if existing is not None:
            return False
        async with unit_of_work(self.session):
            self.session.add(
                SpaceObject(
                    space_id=space_id, kind=NOTICE_BOARD, asset=NOTICE_BOARD_PATH,
                    label=json.dumps({"title": "Community notice board",
                                      "text": "Support groups and communities"}),
                    x=0.0, y=0.0, z=-5.0, yaw=0.0,
                    data=json.dumps({"shared": False, "scale": 1.0, "rot": None}),
                )
            )  # fmt: skip
        return True
