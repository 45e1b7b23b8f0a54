"""Where works hang: each community's gallery space and the places on its walls.

A community's gallery is a world space of the ``gallery`` template, made through the world's
:class:`GroupSpaceRequested` (as a group session's is) the first time someone opens it or a work
is approved: invite-only and unlisted, each reader of the community added as a participant when
they open it, its staff as facilitators. The server assigns places (:func:`position`): 19 frames
along each of the four outer walls (the room is 80 m square, walls at ±40 m), 76 in all, the
lowest free place first. An approved work beyond 76 is shown in the 2D gallery only, until a
place frees.
"""

from __future__ import annotations

import math
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.gallery.models import GallerySpace, GalleryWork
from careverse.kernel.uow import unit_of_work
from careverse.world.circle_events import GroupSpaceRequested
from careverse.world.gallery_events import GalleryWorkHung, GalleryWorkTakenDown
from careverse.world.templates import TEMPLATES

PER_WALL = 19
SLOTS = 4 * PER_WALL
WALL = 39.6  # just inside the walls at ±40 m
STEP = 4.0  # metres between frames
# (axis along the wall, the wall's fixed coordinate, yaw so the frame faces the room)
WALLS = (
    ("x", -WALL, 0.0),
    ("z", WALL, -math.pi / 2),
    ("x", WALL, math.pi),
    ("z", -WALL, math.pi / 2),
)
SPACE_NAME = "Community gallery"


def position(slot: int) -> tuple[tuple[float, float, float], float]:
    """The place (x, y, z) and yaw of a frame on a wall."""
    axis, fixed, yaw = WALLS[slot // PER_WALL]
    along = (slot % PER_WALL - (PER_WALL - 1) / 2) * STEP
    p = (along, 0.0, fixed) if axis == "x" else (fixed, 0.0, along)
    return p, yaw


def image_url(work_id: uuid.UUID) -> str:
    return f"/api/gallery/works/{work_id}/image"


async def space_of(session: AsyncSession, community_id: uuid.UUID) -> uuid.UUID | None:
    row = await session.get(GallerySpace, community_id)
    return None if row is None else row.space_id


async def open_space(
    session: AsyncSession, community_id: uuid.UUID, owner: uuid.UUID,
    people: tuple[tuple[uuid.UUID, str], ...],
) -> uuid.UUID:  # fmt: skip
    """The community's gallery space (made once), with ``people`` (account, role) in it."""
    row = await session.get(GallerySpace, community_id)
    if row is None:
        row = GallerySpace(community_id=community_id, space_id=uuid.uuid4())
        session.add(row)
        await session.flush()
    await unit_of_work(session).publish(GroupSpaceRequested(
        space_id=row.space_id, name=SPACE_NAME, template="gallery", owner_id=owner,
        capacity=TEMPLATES["gallery"].capacity,
        members=tuple((account, role, "") for account, role in people),
    ))  # fmt: skip
    return row.space_id


def plaque_text(work: GalleryWork) -> str:
    return work.body if work.kind == "text" else work.caption


async def hang(session: AsyncSession, work: GalleryWork, space_id: uuid.UUID) -> None:
    """Give an approved community work the lowest free place and hang it (none free: 2D only)."""
    taken = set((await session.scalars(
        select(GalleryWork.slot).where(
            GalleryWork.community_id == work.community_id, GalleryWork.slot.is_not(None))
    )).all())  # fmt: skip
    free = next((s for s in range(SLOTS) if s not in taken), None)
    if free is None:
        return
    work.slot = free
    await session.flush()
    p, yaw = position(free)
    await unit_of_work(session).publish(GalleryWorkHung(
        space_id=space_id, work_id=work.id, p=p, yaw=yaw, title=work.title,
        text=plaque_text(work), url=image_url(work.id) if work.kind == "image" else None,
    ))  # fmt: skip


async def take_down(session: AsyncSession, work: GalleryWork) -> None:
    """Take a hung work off the wall now (its place frees)."""
    if work.slot is None:
        return
    space_id = await space_of(session, work.community_id)
    work.slot = None
    if space_id is not None:
        await unit_of_work(session).publish(
            GalleryWorkTakenDown(space_id=space_id, work_id=work.id)
        )
