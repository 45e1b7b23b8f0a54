"""Persistent objects (posters, notes, models) and pointing at things.

A space's objects live in the database and, while a copy of the space runs on this node, in
memory (:class:`ObjectStore`, shared by every copy). Adds and deletes are written before they
are announced; moves are frequent, so their last positions are written in batches.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import uuid
from typing import TYPE_CHECKING

import msgspec
import structlog
from sqlalchemy import delete, select

from careverse.kernel.uow import unit_of_work
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar, is_uuid
from careverse.world.connection import Client
from careverse.world.models import SpaceObject
from careverse.world.templates import COMMUNITY_PATH, MODELS, NOTICE_BOARD

ARTWORK = "artwork"  # a member's work the gallery hung (world/gallery_events.py)

if TYPE_CHECKING:
    from careverse.kernel.db import Database
    from careverse.world.instance import Instance

log = structlog.get_logger(__name__)

# A poster image must come from our own origin: a plain absolute path, no scheme, no host.
OWN_PATH = re.compile(r"^/(?!/)[A-Za-z0-9._~/%-]{1,199}$")


# ---- messages about objects ------------------------------------------------------------------


def in_bounds(inst: Instance, p: tuple[float, float, float]) -> bool:
    """Whether ``p`` stands inside the space (and is a real position)."""
    bound = inst.template.half_extent
    return (
        all(math.isfinite(v) for v in p)
        and abs(p[0]) <= bound
        and abs(p[2]) <= bound
        and -2.0 <= p[1] <= 20.0
    )


def handle(inst: Instance, me: Avatar, client: Client, message) -> bool:
    """``obj_add``, ``obj_move`` or ``obj_del``; False when refused."""

    def refuse(code: str, text: str) -> bool:
        client.push(proto.Error(code=code, message=text))
        return False

    hub = inst.hub
    if hub is None or me.spectator:
        return refuse("forbidden", "Spectators cannot change objects.")
    if isinstance(message, proto.ObjectAdd):
        if not me.facilitator:
            return refuse("forbidden", "Only a facilitator can place objects.")
        if not in_bounds(inst, message.p) or not math.isfinite(message.yaw):
            return refuse("bad_object", "Objects must stand inside the space.")
        if len(inst.objects) >= inst.limits.max_objects:
            return refuse("too_many_objects", "This space holds no more objects.")
        if message.kind == "model" and message.model not in MODELS:
            return refuse("bad_object", f"Choose a model: {', '.join(MODELS)}.")
        if message.kind != "model" and message.model is not None:
            return refuse("bad_object", "Only a model has a model key.")
        if message.kind == NOTICE_BOARD:
            if message.url is None or not COMMUNITY_PATH.match(message.url):
                return refuse("bad_object", "A notice board opens a page under /community.")
        elif message.url is not None and (
            message.kind != "poster" or not OWN_PATH.match(message.url) or ".." in message.url
        ):
            return refuse("bad_object", "A poster image must be a path on this site.")
        if message.kind != "model" and not (message.title or message.text):
            return refuse("bad_object", "A poster or note needs a title or text.")
        state = proto.ObjectState(
            id=str(uuid.uuid4()), kind=message.kind, p=message.p, yaw=message.yaw,
            title=message.title, text=message.text, url=message.url, model=message.model,
            scale=message.scale, shared=message.shared, by=me.id,
        )  # fmt: skip
        hub.spawn(hub.objects.add(inst, state))
        return True
    current = inst.objects.get(message.id)
    if current is None:
        return refuse("no_object", "That object is not here.")
    if current.kind == ARTWORK:  # the gallery hangs and takes down members' works (gallery_events)
        return refuse("forbidden", "A work in the gallery is moved or removed from its page.")
    owner = me.facilitator or current.by == me.id
    if isinstance(message, proto.ObjectDelete):
        if not owner:
            return refuse("forbidden", "Only a facilitator can remove that.")
        hub.spawn(hub.objects.delete(inst, message.id, me.id))
        return True
    if not (owner or current.shared):
        return refuse("forbidden", "Only a facilitator can move that.")
    rot_ok = message.rot is None or all(math.isfinite(v) for v in message.rot)
    if not in_bounds(inst, message.p) or not math.isfinite(message.yaw) or not rot_ok:
        return refuse("bad_object", "Objects must stay inside the space.")
    moved = msgspec.structs.replace(current, p=message.p, yaw=message.yaw, rot=message.rot)
    hub.objects.changed(inst, proto.ObjectOut(op="move", id=moved.id, by=me.id, o=moved))
    return True


def point(inst: Instance, me: Avatar, client: Client, point: proto.Point) -> bool:
    """Pointing at a place or an object: shown to those nearby, not stored."""
    if (point.p is None) == (point.obj is None) or (
        point.p is not None and not in_bounds(inst, point.p)
    ):
        client.push(proto.Error(code="bad_point", message="Point at one place or object."))
        return False
    if point.obj is not None and point.obj not in inst.objects:
        client.push(proto.Error(code="no_object", message="That object is not here."))
        return False
    out = proto.PointOut(id=me.id, p=point.p, obj=point.obj)
    inst.deliver(inst.near_clients(me.x, me.z) | {me.id}, me.id, out)
    inst.relay.pointed(out, me.x, me.z)
    return True


def apply(inst: Instance, out: proto.ObjectOut) -> None:
    """An object changed (here or on another node): update the view, tell this node's people."""
    if out.op == "del":
        inst.objects.pop(out.id, None)
    elif out.o is not None:
        inst.objects[out.id] = out.o
    data = proto.encode(out)
    for client in inst.clients.values():
        client.push_raw(data)


# ---- storage ---------------------------------------------------------------------------------


class ObjectStore:
    """This node's view of the objects of the spaces it runs, and their database rows."""

    def __init__(self, db: Database | None, instances: dict[str, list[Instance]]):
        self.db = db
        self.instances = instances  # the hub's: every copy of a space on this node
        self.spaces: dict[str, dict[str, proto.ObjectState]] = {}
        self.pending_moves: dict[str, tuple[str, proto.ObjectState]] = {}

    def of(self, space_id: str) -> dict[str, proto.ObjectState]:
        """The objects of a space, by id (loaded by :meth:`load`)."""
        return self.spaces.setdefault(space_id, {})

    async def load(self, space_id: str) -> None:
        """Read the space's objects unless this node is following their changes already."""
        running = any(i.task and not i.task.done() for i in self.instances.get(space_id, []))
        if self.db is None or (running and space_id in self.spaces):
            return
        await self.flush_moves()
        async with self.db.session() as session:
            rows = await session.scalars(
                select(SpaceObject)
                .where(SpaceObject.space_id == uuid.UUID(space_id))
                .order_by(SpaceObject.created_at)
            )
            self.spaces[space_id] = {str(r.id): _object_state(r) for r in rows}

    def changed(self, inst: Instance, out: proto.ObjectOut) -> None:
        """Tell every copy of the space on this node and the other nodes."""
        for copy in self.instances.get(inst.space_id, []):
            apply(copy, out)
        inst.relay.object_changed(out)
        if out.op == "move" and out.o is not None:
            self.pending_moves[out.id] = (inst.space_id, out.o)

    async def add(self, inst: Instance, state: proto.ObjectState) -> None:
        """Write a new object, then announce it."""
        if self.db is None:
            return
        async with self.db.session() as session, unit_of_work(session):
            session.add(SpaceObject(**_object_row(inst.space_id, state)))
        self.changed(inst, proto.ObjectOut(op="add", id=state.id, by=state.by, o=state))

    async def delete(self, inst: Instance, object_id: str, by: str) -> None:
        """Delete an object, then announce it."""
        self.pending_moves.pop(object_id, None)
        if self.db is not None:
            async with self.db.session() as session, unit_of_work(session):
                await session.execute(
                    delete(SpaceObject).where(SpaceObject.id == uuid.UUID(object_id))
                )
        self.changed(inst, proto.ObjectOut(op="del", id=object_id, by=by))

    async def flush_moves(self) -> None:
        """Write moved objects' last positions (moves are frequent; writes are coalesced)."""
        if not self.pending_moves or self.db is None:
            return
        pending, self.pending_moves = self.pending_moves, {}
        async with self.db.session() as session, unit_of_work(session):
            for object_id, (_, state) in pending.items():
                row = await session.get(SpaceObject, uuid.UUID(object_id))
                if row is None:
                    continue
                row.x, row.y, row.z = state.p
                row.yaw = state.yaw
                data = json.loads(row.data or "{}")
                data["rot"] = state.rot
                row.data = json.dumps(data)

    async def flush_forever(self) -> None:
        """Write pending moves twice a second until cancelled."""
        while True:
            await asyncio.sleep(0.5)
            try:
                await self.flush_moves()
            except Exception as exc:
                log.warning("world.object_flush_failed", error=type(exc).__name__)


async def read_object(db: Database, object_id: uuid.UUID) -> proto.ObjectState | None:
    """One object as stored (a frame the gallery hung on another node's transaction)."""
    async with db.session() as session:
        row = await session.get(SpaceObject, object_id)
        return None if row is None else _object_state(row)


def _object_row(space_id: str, state: proto.ObjectState) -> dict:
    return dict(
        id=uuid.UUID(state.id), space_id=uuid.UUID(space_id), kind=state.kind,
        label=json.dumps({"title": state.title, "text": state.text}),
        asset=state.model if state.kind == "model" else state.url,
        x=state.p[0], y=state.p[1], z=state.p[2], yaw=state.yaw,
        created_by=uuid.UUID(state.by) if state.by and is_uuid(state.by) else None,
        data=json.dumps({"shared": state.shared, "scale": state.scale, "rot": state.rot}),
    )  # fmt: skip


def _object_state(row: SpaceObject) -> proto.ObjectState:
    label = json.loads(row.label or "{}")
    data = json.loads(row.data or "{}")
    rot = data.get("rot")
    return proto.ObjectState(
        id=str(row.id), kind=row.kind, p=(row.x, row.y, row.z), yaw=row.yaw,
        rot=tuple(rot) if rot else None, title=label.get("title", ""),
        text=label.get("text", ""),
        url=row.asset if row.kind in ("poster", NOTICE_BOARD, ARTWORK) else None,
        model=row.asset if row.kind == "model" else None, scale=data.get("scale", 1.0),
        shared=bool(data.get("shared")), by=str(row.created_by) if row.created_by else None,
    )  # fmt: skip
