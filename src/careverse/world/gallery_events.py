"""Events between the world and the gallery (careverse.gallery).

The gallery decides which works hang where; the world keeps them as the space's persistent
objects. :class:`GalleryWorkHung` (TRANSACTION phase: written with the moderator's approval) adds
an ``artwork`` object whose id is the work's id — a frame on a wall with the image from our own
origin, or a plaque with a poem's text — and :class:`GalleryWorkTakenDown` deletes it (its
author removed it, or a moderator took it down). On every node (EVERYWHERE phase) the copies of
the space running there are told at once (world/__init__.py) through
:class:`GalleryFrameChanged`, which carries ids only (the words stay off the bus): each node
reads the frame from the database. The world knows nothing of the
gallery's tables: only these events. The space itself is made through
:class:`careverse.world.circle_events.GroupSpaceRequested`, as a group session's is.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.kernel.uow import unit_of_work
from careverse.world.models import SpaceObject
from careverse.world.objects import ARTWORK


class GalleryWorkHung(DomainEvent, frozen=True):
    """A work is hung on a wall of the gallery space (the object's id is the work's)."""

    space_id: uuid.UUID
    work_id: uuid.UUID
    p: tuple[float, float, float]
    yaw: float
    title: str
    text: str  # the caption, or a text work's words (a plaque)
    url: str | None  # the image's path on our own origin


class GalleryWorkTakenDown(DomainEvent, frozen=True):
    space_id: uuid.UUID
    work_id: uuid.UUID


class GalleryFrameChanged(DomainEvent, frozen=True):
    """A frame was hung (``hung``) or taken down: ids only, for every node's running copies."""

    space_id: uuid.UUID
    work_id: uuid.UUID
    hung: bool


async def hang_work(event: GalleryWorkHung, session: AsyncSession) -> None:
    """Write the frame (once) with the approval."""
    if await session.get(SpaceObject, event.work_id) is not None:
        return
    await unit_of_work(session).publish(GalleryFrameChanged(
        space_id=event.space_id, work_id=event.work_id, hung=True))  # fmt: skip
    session.add(SpaceObject(
        id=event.work_id, space_id=event.space_id, kind=ARTWORK,
        label=json.dumps({"title": event.title[:120], "text": event.text[:2000]}),
        asset=event.url, x=event.p[0], y=event.p[1], z=event.p[2], yaw=event.yaw,
        created_by=None, data=json.dumps({"shared": False, "scale": 1.0, "rot": None}),
    ))  # fmt: skip
    await session.flush()


async def take_down_work(event: GalleryWorkTakenDown, session: AsyncSession) -> None:
    await session.execute(delete(SpaceObject).where(SpaceObject.id == event.work_id))
    await unit_of_work(session).publish(GalleryFrameChanged(
        space_id=event.space_id, work_id=event.work_id, hung=False))  # fmt: skip
