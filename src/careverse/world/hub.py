"""The realtime hub: space instances, each ticking at 10-20 Hz and sending one delta per client.

One :class:`Hub` per node. An instance holds the avatars of one copy of a space (a full space opens
an overflow copy), a spatial grid for areas of interest, and the connected clients. Clients write
into the instance (poses, chat, signals) as messages arrive; the tick reads the grid once per
client and queues one batched delta. Each client has its own bounded outbox and writer task, so a
slow reader never stalls the tick: if its outbox fills, it is disconnected as too slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec
import structlog

from careverse.world import protocol as proto
from careverse.world.aoi import Grid
from careverse.world.templates import TEMPLATES, Template

log = structlog.get_logger(__name__)

MAX_MESSAGE_BYTES = 32 * 1024
MAX_SPEED = 12.0  # m/s, generous for running and VR snap moves; beyond it a pose is refused
OUTBOX = 256


@dataclass
class Limits:
    tick_hz: float = 10.0
    aoi_radius: float = 25.0
    rate_per_s: float = 30.0  # messages per second per client, with a burst of twice that
    abuse_threshold: int = 100  # dropped messages (flood, malformed) before disconnecting
    grace_seconds: float = 20.0  # a dropped client keeps its place this long


@dataclass
class Avatar:
    id: str
    name: str
    role: str
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    head: tuple | None = None
    lh: tuple | None = None
    rh: tuple | None = None
    anim: str = "idle"
    seq: int = 0
    muted: bool = False
    away: bool = False
    moved_at: float = 0.0
    dirty: bool = True
    facilitator: bool = False

    def state(self) -> proto.AvatarState:
        return proto.AvatarState(
            id=self.id, name=self.name, role=self.role, p=(self.x, self.y, self.z), yaw=self.yaw,
            head=self.head, lh=self.lh, rh=self.rh, anim=self.anim, muted=self.muted,
            away=self.away,
        )  # fmt: skip

    def update(self) -> proto.AvatarUpdate:
        return proto.AvatarUpdate(self.id, self.x, self.y, self.z, self.yaw, self.anim, self.seq)


class Client:
    """One connection's outbox, writer task, rate bucket and view of the space."""

    def __init__(
        self,
        avatar_id: str,
        send: Callable[[bytes], Awaitable[None]],
        close: Callable[[int, str], Awaitable[None]],
        limits: Limits,
    ):
        self.avatar_id = avatar_id
        self._send = send
        self._close = close
        self.limits = limits
        self.outbox: asyncio.Queue[bytes | None] = asyncio.Queue(OUTBOX)
        self.known: set[str] = set()
        self.blocked: set[str] = set()
        self.tokens = limits.rate_per_s * 2
        self.refilled = time.monotonic()
        self.dropped = 0
        self.closed = False
        self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while (data := await self.outbox.get()) is not None:
                await self._send(data)
        except Exception:
            self.closed = True

    def push(self, message: msgspec.Struct) -> None:
        if self.closed:
            return
        try:
            self.outbox.put_nowait(proto.encode(message))
        except asyncio.QueueFull:
            self.close_soon(proto.CLOSE_TOO_SLOW, "You are not keeping up; reconnect.")

    def allow(self) -> bool:
        """Token bucket: refill by elapsed time, spend one per message."""
        now = time.monotonic()
        rate = self.limits.rate_per_s
        self.tokens = min(rate * 2, self.tokens + (now - self.refilled) * rate)
        self.refilled = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def strike(self) -> bool:
        """Count a dropped message; True when the client has crossed the abuse threshold."""
        self.dropped += 1
        return self.dropped >= self.limits.abuse_threshold

    def close_soon(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.outbox.put_nowait(None)
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def shutdown(self) -> None:
        self.closed = True
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.writer


@dataclass
class Instance:
    """One running copy of a space."""

    space_id: str
    number: int
    template: Template
    capacity: int
    limits: Limits
    avatars: dict[str, Avatar] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    away_since: dict[str, float] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    muted: set[str] = field(default_factory=set)
    locked: bool = False
    tick: int = 0
    task: asyncio.Task | None = None

    def __post_init__(self) -> None:
        self.grid = Grid(max(4.0, self.limits.aoi_radius / 2))

    @property
    def name(self) -> str:
        return f"{self.space_id}#{self.number}"

    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    def visible_to(self, avatar: Avatar, client: Client) -> set[str]:
        near = self.grid.near(avatar.x, avatar.z, self.limits.aoi_radius)
        return {k for k in near if k != avatar.id and k not in client.blocked}

    # ---- the tick ------------------------------------------------------------------------------

    def step(self, now: float) -> None:
        """One tick: a batched delta per client with the avatars in its area of interest."""
        self.tick += 1
        for avatar_id, since in list(self.away_since.items()):
            if now - since > self.limits.grace_seconds:
                self._drop(avatar_id)
        for avatar_id, client in self.clients.items():
            me = self.avatars.get(avatar_id)
            if me is None or client.closed:
                continue
            visible = self.visible_to(me, client)
            enter = visible - client.known
            leave = client.known - visible
            upd = [
                self.avatars[k].update() for k in visible & client.known if self.avatars[k].dirty
            ]
            if enter or leave or upd:
                client.push(
                    proto.Delta(
                        tick=self.tick,
                        now=now,
                        enter=[self.avatars[k].state() for k in enter],
                        upd=upd,
                        leave=sorted(leave),
                    )
                )
            client.known = visible
        for avatar in self.avatars.values():
            avatar.dirty = False

    async def run(self) -> None:
        period = 1.0 / self.limits.tick_hz
        next_at = time.monotonic()
        while self.avatars:
            self.step(time.time())
            next_at += period
            delay = next_at - time.monotonic()
            if delay < 0:  # running late: skip ahead rather than bunch ticks together
                next_at = time.monotonic()
                delay = 0
            await asyncio.sleep(delay)

    # ---- membership --------------------------------------------------------------------------

    def spawn_point(self, key: str) -> tuple[float, float]:
        angle = (uuid.UUID(key).int % 3600) / 3600 * 2 * math.pi if _is_uuid(key) else 0.0
        r = self.template.spawn_radius
        return math.cos(angle) * r, math.sin(angle) * r

    def attach(self, avatar: Avatar, client: Client) -> None:
        old = self.clients.get(avatar.id)
        if old is not None:
            old.close_soon(proto.CLOSE_REPLACED, "You joined from somewhere else.")
        existing = self.avatars.get(avatar.id)
        if existing is not None:  # a reconnect within the grace period keeps its place
            avatar = existing
            avatar.away = False
            avatar.dirty = True
            self.away_since.pop(avatar.id, None)
        else:
            avatar.x, avatar.z = self.spawn_point(avatar.id)
            avatar.moved_at = time.monotonic()  # the speed limit applies from the first step
            avatar.muted = avatar.id in self.muted
            self.avatars[avatar.id] = avatar
        self.grid.place(avatar.id, avatar.x, avatar.z)
        self.clients[avatar.id] = client
        client.known = self.visible_to(avatar, client)
        client.push(
            proto.Welcome(
                you=avatar.id, space=self.space_id, instance=self.name,
                template=self.template.key, tick_hz=self.limits.tick_hz, server_time=time.time(),
                avatars=[avatar.state()] + [self.avatars[k].state() for k in client.known],
            )
        )  # fmt: skip
        self._broadcast_event("back" if existing else "joined", avatar.id, exclude=avatar.id)

    def detach(self, avatar_id: str, client: Client, *, left: bool) -> None:
        """The connection ended: leave now, or wait out the grace period as 'away'."""
        if self.clients.get(avatar_id) is not client:
            return  # already replaced by a newer connection
        del self.clients[avatar_id]
        avatar = self.avatars.get(avatar_id)
        if avatar is None:
            return
        if left or self.limits.grace_seconds <= 0:
            self._drop(avatar_id)
        else:
            avatar.away = True
            avatar.dirty = True
            self.away_since[avatar_id] = time.time()
            self._broadcast_event("away", avatar_id)

    def _drop(self, avatar_id: str) -> None:
        self.avatars.pop(avatar_id, None)
        self.away_since.pop(avatar_id, None)
        self.grid.remove(avatar_id)

    def _broadcast_event(self, kind: str, target: str | None, exclude: str | None = None) -> None:
        event = proto.Event(kind=kind, target=target)
        for key, client in self.clients.items():
            if key != exclude:
                client.push(event)

    # ---- messages from a client --------------------------------------------------------------

    def handle(self, avatar_id: str, client: Client, message: proto.ClientMessage) -> None:
        me = self.avatars.get(avatar_id)
        if me is None:
            return
        match message:
            case proto.Pose():
                self._pose(me, client, message)
            case proto.Chat():
                self._chat(me, client, message)
            case proto.Emote(name=name):
                out = proto.EmoteOut(id=me.id, name=name)
                for key in self.visible_to(me, client) | {me.id}:
                    self._deliver(key, me.id, out)
            case proto.Signal():
                target = self.clients.get(message.to)
                if target is not None and me.id not in target.blocked:
                    target.push(proto.SignalOut(peer=me.id, kind=message.kind, data=message.data))
            case proto.Block(target=target, on=on):
                (client.blocked.add if on else client.blocked.discard)(target)
            case proto.Moderate():
                self._moderate(me, client, message)
            case proto.Ping(c=c):
                client.push(proto.Pong(c=c, s=time.time()))
            case proto.Hello():
                client.push(proto.Error(code="already_joined", message="You are already here."))

    def _pose(self, me: Avatar, client: Client, pose: proto.Pose) -> None:
        x, y, z = pose.p
        if not all(math.isfinite(v) for v in (x, y, z, pose.yaw)):
            client.push(proto.Error(code="bad_pose", message="Position must be finite numbers."))
            return
        bound = self.template.half_extent
        x, z = max(-bound, min(bound, x)), max(-bound, min(bound, z))
        y = max(-2.0, min(20.0, y))
        now = time.monotonic()
        dt = max(now - me.moved_at, 1e-3)
        if math.dist((x, z), (me.x, me.z)) > MAX_SPEED * dt + 1.0:
            client.push(proto.Error(code="too_fast", message="That move was too fast."))
            return
        me.x, me.y, me.z, me.yaw = x, y, z, pose.yaw
        me.head, me.lh, me.rh, me.anim, me.seq = pose.head, pose.lh, pose.rh, pose.anim, pose.seq
        me.moved_at = now
        me.dirty = True
        self.grid.place(me.id, x, z)

    def _deliver(self, key: str, sender: str, message: msgspec.Struct) -> None:
        target = self.clients.get(key)
        if target is not None and sender not in target.blocked:
            target.push(message)

    def _chat(self, me: Avatar, client: Client, chat: proto.Chat) -> None:
        if me.muted:
            client.push(proto.Error(code="muted", message="A facilitator has muted you."))
            return
        out = proto.ChatOut(
            id=me.id, name=me.name, text=chat.text, scope=chat.scope, at=time.time()
        )
        if chat.scope == "private":
            if chat.to is None or chat.to not in self.clients:
                client.push(proto.Error(code="no_recipient", message="That person is not here."))
                return
            recipients = {chat.to, me.id}
        elif chat.scope == "nearby":
            recipients = self.visible_to(me, client) | {me.id}
        else:
            recipients = set(self.clients)
        for key in recipients:
            self._deliver(key, me.id, out)

    def _moderate(self, me: Avatar, client: Client, mod: proto.Moderate) -> None:
        if not me.facilitator:
            client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
            return
        target = self.avatars.get(mod.target or "")
        if mod.action in ("mute", "unmute", "remove") and target is None:
            client.push(proto.Error(code="no_target", message="That person is not here."))
            return
        if mod.action in ("mute", "unmute"):
            target.muted = mod.action == "mute"
            (self.muted.add if target.muted else self.muted.discard)(target.id)
            target.dirty = True
            self._broadcast_event(mod.action + "d", target.id)
        elif mod.action == "remove":
            self.removed.add(target.id)
            victim = self.clients.get(target.id)
            self._drop(target.id)
            if victim is not None:
                del self.clients[target.id]
                victim.close_soon(proto.CLOSE_REMOVED, "A facilitator removed you from this space.")
            self._broadcast_event("removed", target.id)
        elif mod.action in ("lock", "unlock"):
            self.locked = mod.action == "lock"
            self._broadcast_event(mod.action + "ed", None)
        elif mod.action == "end":
            self._broadcast_event("ended", None)
            for key, other in list(self.clients.items()):
                other.close_soon(proto.CLOSE_ENDED, "The facilitator ended this session.")
                self._drop(key)
            self.clients.clear()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class Hub:
    """Every space instance running on this node."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.instances: dict[str, list[Instance]] = {}

    def admit(self, space_id: str, template: str, capacity: int, avatar_id: str) -> Instance:
        """The instance this person joins: where they already are, else the first with room.

        Raises ``PermissionError`` with a message when they were removed or the room is locked.
        """
        copies = self.instances.setdefault(space_id, [])
        for inst in copies:
            if avatar_id in inst.avatars:
                return inst
        for inst in copies:
            if avatar_id in inst.removed:
                raise PermissionError("A facilitator removed you from this space.")
        for inst in copies:
            if not inst.full():
                if inst.locked:
                    raise PermissionError("This space is locked; ask a facilitator to let you in.")
                return inst
        inst = Instance(space_id, len(copies) + 1, TEMPLATES[template], capacity, self.limits)
        copies.append(inst)
        return inst

    def ensure_running(self, inst: Instance) -> None:
        if inst.task is None or inst.task.done():
            inst.task = asyncio.get_running_loop().create_task(inst.run())

    async def close(self) -> None:
        for copies in self.instances.values():
            for inst in copies:
                if inst.task:
                    inst.task.cancel()
                for client in inst.clients.values():
                    await client.shutdown()
