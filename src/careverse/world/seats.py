"""Seats: which copy of a space a newcomer enters, how many people a space holds, and the
moderation decisions that outlive one node's copy.

The hub chooses once, at construction: :class:`LocalSeats` counts this node's instances;
:class:`RedisSeats` counts seats in Redis so every node sends a newcomer to the same copy
(``"<instance>|<node>" → people`` per space, summed over nodes with a fresh heartbeat; one Lua
script in cluster.py picks and takes a seat atomically). Redis is a cache here: when it restarts
empty, each node's heartbeat finds itself forgotten and writes back its own seats, locks and
removals from memory, and the people in its spaces are told while the nodes cannot hear each other.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import structlog

from careverse.world import cluster
from careverse.world.templates import Template

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from careverse.world.hub import Hub
    from careverse.world.instance import Instance

log = structlog.get_logger(__name__)

REMEMBER_SECONDS = 12 * 3600  # how long a removal keeps someone out, on every node
# What the people in a space are told while this node cannot reach the other nodes (Redis away).
DEGRADED = "People connected through other servers may not see or hear you for a moment."
RESTORED = "Everyone can see and hear you again."


@dataclass(frozen=True)
class Admission:
    """Where a newcomer goes: a copy of the space, as a spectator or not, holding a seat or not."""

    instance: Instance
    spectator: bool = False
    seated: bool = False


class Seats(Protocol):
    """Admission and head counts, on one node or across nodes."""

    async def admit(
        self, space_id: str, spec: Template, capacity: int, avatar_id: str
    ) -> Admission:
        """The first copy with room, else an overflow copy or a spectator's place.

        Raises ``PermissionError`` with a message when they were removed or the room is locked.
        """
        ...

    async def present(self, space_id: str) -> int:
        """How many people (with an avatar) are in the space now."""
        ...

    def release(self, inst: Instance) -> None:
        """A seated avatar left ``inst``."""

    def remember_mod(self, inst: Instance, action: str, target: str | None) -> None:
        """Keep a removal or lock for admissions elsewhere."""

    def start(self) -> None:
        """Start whatever keeps this node's seats alive (once an instance runs)."""

    async def close(self) -> None:
        """This node stops: its seats go."""


def spectate(inst: Instance, max_spectators: int) -> Admission:
    """A spectator's place in a full ``inst``, unless it is locked or full of spectators too."""
    if inst.locked:
        raise PermissionError("This space is locked; ask a facilitator to let you in.")
    if len(inst.watchers) >= max_spectators:
        raise PermissionError("This space is full, and so are its spectator places.")
    return Admission(inst, spectator=True)


class LocalSeats:
    """One node: the instances in memory are the whole truth."""

    def __init__(self, hub: Hub):
        self.hub = hub

    async def admit(
        self, space_id: str, spec: Template, capacity: int, avatar_id: str
    ) -> Admission:
        hub = self.hub
        copies = hub.instances.setdefault(space_id, [])
        for inst in copies:
            if not inst.full():
                if inst.locked:
                    raise PermissionError("This space is locked; ask a facilitator to let you in.")
                return Admission(inst)
        if not copies:
            return Admission(hub.instance(space_id, spec.key, capacity, 1))
        if spec.overflow:
            return Admission(hub.instance(space_id, spec.key, capacity, copies[-1].number + 1))
        return spectate(copies[0], hub.limits.max_spectators)

    async def present(self, space_id: str) -> int:
        return sum(len(i.avatars) for i in self.hub.instances.get(space_id, []))

    def release(self, inst: Instance) -> None:
        pass

    def remember_mod(self, inst: Instance, action: str, target: str | None) -> None:
        pass

    def start(self) -> None:
        pass

    async def close(self) -> None:
        pass


class RedisSeats:
    """Several nodes: seats, removals and locks in Redis; a heartbeat per node."""

    def __init__(self, hub: Hub, redis: Redis):
        self.hub = hub
        self.redis = redis
        self.node = hub.node
        self._admit_lua = redis.register_script(cluster.ADMIT_LUA)
        self._release_lua = redis.register_script(cluster.RELEASE_LUA)
        self._beat: asyncio.Task | None = None

    async def admit(
        self, space_id: str, spec: Template, capacity: int, avatar_id: str
    ) -> Admission:
        hub, redis = self.hub, self.redis
        if await redis.sismember(cluster.removed_key(space_id), avatar_id):
            raise PermissionError("A facilitator removed you from this space.")
        await self._heartbeat_once()
        for inst in hub.instances.get(space_id, []):
            held = inst.avatars.get(avatar_id)
            if held is not None:  # reconnecting here while another node holds their place
                await redis.hincrby(cluster.seats_key(space_id), f"{inst.number}|{self.node}", 1)
                return Admission(inst, seated=True)
        number = int(
            await self._admit_lua(
                keys=[cluster.seats_key(space_id), cluster.NODES_KEY, cluster.locked_key(space_id)],
                args=[self.node, capacity, int(spec.overflow), cluster.NODE_TTL],
            )
        )
        if number < 0:
            raise PermissionError("This space is locked; ask a facilitator to let you in.")
        if number == 0:
            inst = hub.instance(space_id, spec.key, capacity, 1)
            if await redis.sismember(cluster.locked_key(space_id), "1"):
                inst.locked = True
            admission = spectate(inst, hub.limits.max_spectators)
            await self._in_sync(inst)
            return admission
        inst = hub.instance(space_id, spec.key, capacity, number)
        await self._in_sync(inst)
        return Admission(inst, seated=True)

    async def _in_sync(self, inst: Instance) -> None:
        """Before someone enters, mirror the people of the other nodes holding seats in it."""
        await inst.relay.catch_up(lambda: self._holders(inst))

    async def _holders(self, inst: Instance) -> set[str]:
        """The nodes with people in ``inst``, by the seat count."""
        prefix = f"{inst.number}|"
        seats = await self.redis.hgetall(cluster.seats_key(inst.space_id))
        return {
            _text(key)[len(prefix) :]
            for key, count in seats.items()
            if _text(key).startswith(prefix) and int(count) > 0
        }

    async def present(self, space_id: str) -> int:
        try:
            seats = await self.redis.hgetall(cluster.seats_key(space_id))
            if not seats:
                return 0
            now = int((await self.redis.time())[0])
            beats = await self.redis.hgetall(cluster.NODES_KEY)
        except Exception as exc:  # Redis away: this node's view is better than an error
            log.warning("world.present_failed", error=type(exc).__name__)
            return sum(len(i.avatars) for i in self.hub.instances.get(space_id, []))
        alive = {_text(k) for k, at in beats.items() if now - int(at) <= cluster.NODE_TTL}
        return sum(
            int(count) for key, count in seats.items() if _text(key).split("|", 1)[1] in alive
        )

    def release(self, inst: Instance) -> None:
        self.hub.spawn(
            self._release_lua(
                keys=[cluster.seats_key(inst.space_id)], args=[f"{inst.number}|{self.node}"]
            )
        )

    def remember_mod(self, inst: Instance, action: str, target: str | None) -> None:
        """Removals and locks outlive this node's copy: kept in Redis for admissions elsewhere."""
        if action == "remove" and target:
            self.hub.spawn(self._sadd(cluster.removed_key(inst.space_id), target))
        elif action in ("lock", "unlock"):
            key = cluster.locked_key(inst.space_id)
            change = self._sadd if action == "lock" else self._srem
            self.hub.spawn(change(key, str(inst.number)))

    async def _sadd(self, key: str, member: str) -> None:
        await self.redis.sadd(key, member)

    async def _srem(self, key: str, member: str) -> None:
        await self.redis.srem(key, member)
        await self.redis.expire(key, REMEMBER_SECONDS)

    def start(self) -> None:
        if self._beat is None or self._beat.done():
            self._beat = asyncio.get_running_loop().create_task(self._heartbeat())

    async def _heartbeat_once(self) -> None:
        now = int((await self.redis.time())[0])
        if await self.redis.hset(cluster.NODES_KEY, self.node, now):
            # Redis did not know this node: its first beat, or Redis restarted empty.
            await self._restore()

    async def _restore(self) -> None:
        """Write back what Redis forgot and this node still knows: its seats, locks, removals."""
        for space_id, copies in list(self.hub.instances.items()):
            for inst in copies:
                seated = sum(1 for a in inst.avatars.values() if a.remote is None and a.seated)
                if seated:
                    field = f"{inst.number}|{self.node}"
                    await self.redis.hset(cluster.seats_key(space_id), field, seated)
                if inst.locked:
                    await self.redis.sadd(cluster.locked_key(space_id), str(inst.number))
                if inst.removed:
                    await self.redis.sadd(cluster.removed_key(space_id), *inst.removed)

    async def _heartbeat(self) -> None:
        cut_off = False
        while True:
            try:
                await self._heartbeat_once()
            except Exception as exc:  # Redis away: the other nodes cannot hear us for now
                if not cut_off:
                    cut_off = True
                    log.warning("world.cluster_unreachable", error=type(exc).__name__)
                    self._tell("degraded", DEGRADED)
            else:
                if cut_off:
                    cut_off = False
                    log.info("world.cluster_restored")
                    self._tell("restored", RESTORED)
            await asyncio.sleep(cluster.BEAT_SECONDS)

    def _tell(self, kind: str, detail: str) -> None:
        for copies in list(self.hub.instances.values()):
            for inst in copies:
                inst.broadcast_event(kind, None, detail=detail)

    async def close(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
        with contextlib.suppress(Exception):
            await self.redis.hdel(cluster.NODES_KEY, self.node)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
