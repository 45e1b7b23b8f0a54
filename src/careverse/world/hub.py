"""The realtime hub: every space instance running on this node.

One :class:`Hub` per node. It admits people to a copy of a space (seats.py), runs each copy's
tick (tick.py) while this node has anyone in it, keeps the spaces' persistent objects
(objects.py), and, with a shared bus (Redis), links each copy to the other nodes serving it
(relay.py). Whether this node is alone or one of several is decided once, here, at construction;
the other modules only see the :class:`~careverse.world.seats.Seats` and
:class:`~careverse.world.relay.Relay` it chose.

Module map: connection.py (a client's outbox, writer, rate limit; :class:`Limits`), avatar.py,
instance.py (state and membership), tick.py (area-of-interest deltas), messages.py (one handler
per client message), moderation.py, objects.py, relay.py and cluster.py (other nodes), seats.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from careverse.world import circle, moderation, tick
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import MAX_MESSAGE_BYTES, OUTBOX, Client, Limits
from careverse.world.instance import Instance
from careverse.world.messages import MAX_SPEED
from careverse.world.objects import OWN_PATH, ObjectStore
from careverse.world.relay import ClusterRelay, LocalRelay, Relay
from careverse.world.seats import Admission, LocalSeats, RedisSeats, Seats
from careverse.world.templates import TEMPLATES

__all__ = [
    "MAX_MESSAGE_BYTES", "MAX_SPEED", "OUTBOX", "OWN_PATH", "Admission", "Avatar", "Client",
    "Hub", "Instance", "Limits",
]  # fmt: skip

log = structlog.get_logger(__name__)


class Hub:
    """Every space instance running on this node."""

    def __init__(self, limits: Limits | None = None, *, bus=None, db=None):
        self.limits = limits or Limits()
        self.instances: dict[str, list[Instance]] = {}
        self.bus = bus
        self.db = db
        self.node = uuid.uuid4().hex[:12]
        self.objects = ObjectStore(db, self.instances)
        self._tasks: set[asyncio.Task] = set()
        self._flush: asyncio.Task | None = None
        # Alone or one of several nodes: chosen here, once.
        self.seats: Seats
        self.relay_for: Callable[[Instance], Relay]
        if bus is not None and bus.shared:
            self.seats = RedisSeats(self, bus.redis)
            self.relay_for = lambda inst: ClusterRelay(inst, self)
        else:
            self.seats = LocalSeats(self)
            self.relay_for = lambda inst: LocalRelay()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Background work started from the (synchronous) message handlers."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("world.background_failed", error=type(task.exception()).__name__)

    def instance(self, space_id: str, template: str, capacity: int, number: int) -> Instance:
        """Copy ``number`` of a space on this node, made when first needed."""
        copies = self.instances.setdefault(space_id, [])
        for inst in copies:
            if inst.number == number:
                return inst
        inst = Instance(space_id, number, TEMPLATES[template], capacity, self.limits, self)
        copies.append(inst)
        copies.sort(key=lambda i: i.number)
        return inst

    async def admit(self, space_id: str, template: str, capacity: int, avatar_id: str) -> Admission:
        """Where this person goes: where they already are, else the first copy with room, else an
        overflow copy (templates that allow it) or a spectator's seat.

        Raises ``PermissionError`` with a message when they were removed or the room is locked.
        """
        await self.objects.load(space_id)
        copies = self.instances.setdefault(space_id, [])
        for inst in copies:
            if avatar_id in inst.avatars and inst.avatars[avatar_id].remote is None:
                return Admission(inst)
        for inst in copies:
            if avatar_id in inst.removed:
                raise PermissionError("A facilitator removed you from this space.")
        spec = TEMPLATES[template]
        return await self.seats.admit(space_id, spec, capacity, avatar_id)

    def dismiss(self, space_id: str, account_id: str, reason: str) -> None:
        """Let someone out of every copy of a space on this node, closing their sockets there
        (each node does its own: the caller reaches every node, e.g. through an EVERYWHERE
        event)."""
        for inst in list(self.instances.get(space_id, ())):
            moderation.dismiss(inst, account_id, reason)

    def call(self, account_ids: set[str], space_id: str, appointment_id: str) -> None:
        """Tell these people's sockets on this node, in whatever space, that they are called into
        a consult room (each node does its own, through an EVERYWHERE event)."""
        data = proto.encode(proto.Called(space=space_id, appointment=appointment_id))
        for copies in self.instances.values():
            for inst in copies:
                for key, client in inst.clients.items():
                    if key in account_ids:
                        client.push_raw(data)

    def end_room(self, space_id: str, reason: str) -> None:
        """The space's session is over: everyone in it on this node is told and let go."""
        for inst in list(self.instances.get(space_id, ())):
            moderation.end(inst, reason)

    def support_closed(self, space_id: str, account_id: str, by_name: str) -> None:
        """A request for support acknowledged away from the room: this node's copies apply it
        (each node does its own: the caller reaches every node through an EVERYWHERE event)."""
        for inst in self.instances.get(space_id, ()):
            circle.apply(inst, "ack", account_id, by_name)

    async def present(self, space_id: str) -> int:
        """How many people (with an avatar) are in the space now, on every node."""
        return await self.seats.present(space_id)

    def ensure_running(self, inst: Instance) -> None:
        """Start the instance's tick (and the node's background work) if not running yet."""
        loop = asyncio.get_running_loop()
        if inst.task is None or inst.task.done():
            inst.relay.start()
            inst.task = loop.create_task(tick.run(inst))
        self.seats.start()
        if self._flush is None or self._flush.done():
            self._flush = loop.create_task(self.objects.flush_forever())

    async def close(self) -> None:
        """Stop every instance and background task; write pending object moves."""
        for copies in self.instances.values():
            for inst in copies:
                if inst.task:
                    inst.task.cancel()
                inst.relay.stop()
                for client in inst.clients.values():
                    await client.shutdown()
        for task in (self._flush, *self._tasks):
            if task is not None:
                task.cancel()
        with contextlib.suppress(Exception):
            await self.objects.flush_moves()
        await self.seats.close()
