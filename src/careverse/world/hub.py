"""The realtime hub: space instances, each ticking at 10-20 Hz and sending one delta per client.

One :class:`Hub` per node. An instance holds the avatars of one copy of a space (a full space opens
an overflow copy or admits spectators), a spatial grid for areas of interest, and the connected
clients. Clients write into the instance (poses, chat, signals) as messages arrive; the tick reads
the grid once per client and queues one batched delta, spliced from updates encoded once per tick.
Each client has its own bounded outbox and writer task, so a slow reader never stalls the tick: if
its outbox fills, it is disconnected as too slow.

With a shared bus (Redis), several nodes serve the same instance: each mirrors the others'
avatars (``remote``) and relays what its own clients do (see cluster.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import msgspec
import structlog
from sqlalchemy import delete, select

from careverse.world import cluster
from careverse.world import protocol as proto
from careverse.world.aoi import Grid
from careverse.world.models import SpaceObject
from careverse.world.templates import MODELS, TEMPLATES, Template

log = structlog.get_logger(__name__)

MAX_MESSAGE_BYTES = 32 * 1024
MAX_SPEED = 12.0  # m/s, generous for running and VR snap moves; beyond it a pose is refused
OUTBOX = 256
# A poster image must come from our own origin: a plain absolute path, no scheme, no host.
OWN_PATH = re.compile(r"^/(?!/)[A-Za-z0-9._~/%-]{1,199}$")


@dataclass
class Limits:
    tick_hz: float = 10.0
    aoi_radius: float = 25.0
    rate_per_s: float = 30.0  # messages per second per client, with a burst of twice that
    abuse_threshold: int = 100  # dropped messages (flood, malformed) before disconnecting
    grace_seconds: float = 20.0  # a dropped client keeps its place this long
    max_objects: int = 200  # persistent objects per space
    max_spectators: int = 1000  # per instance


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
    remote: str | None = None  # the node it is connected to, when not this one
    spectator: bool = False  # watching a full space: a viewpoint, no avatar
    seated: bool = False  # holds a seat in the shared (Redis) count
    call: bool = False  # in the space's voice/video call (signal kind "call")

    def state(self) -> proto.AvatarState:
        return proto.AvatarState(
            id=self.id, name=self.name, role=self.role, p=(self.x, self.y, self.z), yaw=self.yaw,
            head=self.head, lh=self.lh, rh=self.rh, anim=self.anim, muted=self.muted,
            away=self.away, call=self.call,
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
        self.slot = 0  # spreads the area-of-interest queries of an instance's clients over ticks
        self.stale = True  # its area of interest must be asked again at the next tick
        self.writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while (data := await self.outbox.get()) is not None:
                await self._send(data)
        except Exception:
            self.closed = True

    def push(self, message: msgspec.Struct) -> None:
        self.push_raw(proto.encode(message))

    def push_raw(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.outbox.put_nowait(data)
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


_encode = proto.encoder.encode


@dataclass
class Instance:
    """One running copy of a space (on this node; other nodes may run the same copy)."""

    space_id: str
    number: int
    template: Template
    capacity: int
    limits: Limits
    hub: Hub | None = None
    avatars: dict[str, Avatar] = field(default_factory=dict)  # in the grid: local and remote
    watchers: dict[str, Avatar] = field(default_factory=dict)  # this node's spectators
    clients: dict[str, Client] = field(default_factory=dict)  # this node's connections
    away_since: dict[str, float] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    muted: set[str] = field(default_factory=set)
    locked: bool = False
    tick: int = 0
    task: asyncio.Task | None = None
    relay: asyncio.Task | None = None
    outgoing: asyncio.Queue | None = None
    heard: dict[str, float] = field(default_factory=dict)  # node → when last heard
    beat_at: float = 0.0
    slots: int = 0
    arriving: int = 0  # admissions waiting for this node's copy to be in sync
    synced: set[str] = field(default_factory=set)  # nodes that answered our Sync
    listening: asyncio.Event | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # a State came in

    def __post_init__(self) -> None:
        self.grid = Grid(max(4.0, self.limits.aoi_radius / 2))

    @property
    def name(self) -> str:
        return f"{self.space_id}#{self.number}"

    @property
    def objects(self) -> dict[str, proto.ObjectState]:
        return self.hub.objects.setdefault(self.space_id, {}) if self.hub else {}

    @property
    def shared(self) -> bool:
        return self.hub is not None and self.hub.bus is not None and self.hub.bus.shared

    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    def has_local(self) -> bool:
        return (
            bool(self.clients)
            or self.arriving > 0
            or any(a.remote is None for a in self.avatars.values())
        )

    def member(self, avatar_id: str) -> Avatar | None:
        return self.avatars.get(avatar_id) or self.watchers.get(avatar_id)

    def visible_to(self, avatar: Avatar, client: Client) -> set[str]:
        near = self.grid.within(avatar.x, avatar.z, self.limits.aoi_radius)
        near.discard(avatar.id)
        if client.blocked:
            near -= client.blocked
        return near

    def _near_clients(self, x: float, z: float) -> set[str]:
        """This node's connections (avatars and spectators) within range of (x, z)."""
        r2 = self.limits.aoi_radius**2
        keys = {k for k in self.grid.within(x, z, self.limits.aoi_radius) if k in self.clients}
        keys.update(k for k, w in self.watchers.items() if (w.x - x) ** 2 + (w.z - z) ** 2 <= r2)
        return keys

    # ---- the tick ------------------------------------------------------------------------------

    def step(self, now: float) -> None:
        """One tick: a batched delta per client with the avatars in its area of interest.

        Each moved avatar's update is encoded once per tick and spliced into every delta that
        carries it; full states (for arrivals) are encoded at most once per tick too.
        """
        self.tick += 1
        for avatar_id, since in list(self.away_since.items()):
            if now - since > self.limits.grace_seconds:
                self._drop(avatar_id)
        avatars = self.avatars
        moved = {k: _encode(a.update()) for k, a in avatars.items() if a.dirty}
        states: dict[str, bytes] = {}
        head = b'{"t":"delta","tick":%d,"now":%s' % (self.tick, repr(now).encode())
        # Who is in range changes slowly: ask the grid about each client about 5 times a
        # second (a different share of the clients at each tick); updates go out every tick.
        every = max(1, round(self.limits.tick_hz / 5))
        phase = self.tick % every
        for avatar_id, client in self.clients.items():
            me = avatars.get(avatar_id) or self.watchers.get(avatar_id)
            if me is None or client.closed:
                continue
            known = client.known
            if client.stale or client.slot % every == phase:
                client.stale = False
                visible = self.visible_to(me, client)
                enter = visible - known
                leave = known - visible
                client.known = visible
                known = known & visible  # updates for those still in range; arrivals get states
            else:
                visible, enter, leave = known, (), ()
            upd = [b for k, b in moved.items() if k in known]
            if enter or leave or upd:
                parts = [head]
                if enter:
                    for k in enter:
                        if k not in states:
                            states[k] = _encode(avatars[k].state())
                    parts += (b',"enter":[', b",".join([states[k] for k in enter]), b"]")
                if upd:
                    parts += (b',"upd":[', b",".join(upd), b"]")
                if leave:
                    parts += (b',"leave":', _encode(sorted(leave)))
                parts.append(b"}")
                client.push_raw(b"".join(parts))
        if self.shared:
            mine = [
                (a.id, a.x, a.y, a.z, a.yaw, a.anim, a.seq, a.head, a.lh, a.rh)
                for a in avatars.values()
                if a.dirty and a.remote is None
            ]
            if mine:
                self._publish(cluster.Poses(self.hub.node, mine))
            if now - self.beat_at >= cluster.BEAT_SECONDS:
                self.beat_at = now
                local = [k for k, a in avatars.items() if a.remote is None]
                self._publish(cluster.Beat(self.hub.node, local))
                self._forget_silent_nodes(now)
        for avatar in avatars.values():
            avatar.dirty = False

    async def run(self) -> None:
        period = 1.0 / self.limits.tick_hz
        next_at = time.monotonic()
        try:
            while self.has_local():
                self.step(time.time())
                next_at += period
                delay = next_at - time.monotonic()
                if delay < 0:  # running late: skip ahead rather than bunch ticks together
                    next_at = time.monotonic()
                    delay = 0
                await asyncio.sleep(delay)
        finally:
            self._stop_relay()

    # ---- membership --------------------------------------------------------------------------

    def spawn_point(self, key: str) -> tuple[float, float]:
        angle = (uuid.UUID(key).int % 3600) / 3600 * 2 * math.pi if _is_uuid(key) else 0.0
        r = self.template.spawn_radius
        return round(math.cos(angle) * r, 3), round(math.sin(angle) * r, 3)

    def attach(self, avatar: Avatar, client: Client, *, spectator: bool = False) -> None:
        self.start_relay()  # before anything is published about this arrival
        old = self.clients.get(avatar.id)
        if old is not None:
            old.close_soon(proto.CLOSE_REPLACED, "You joined from somewhere else.")
        existing = self.avatars.get(avatar.id)
        if existing is not None and existing.remote is not None:
            # They come back here while another node still holds them: that node lets go.
            self._unmirror(avatar.id)
            existing = None
        if spectator:
            avatar.spectator = True
            avatar.x, avatar.z = 0.0, 0.0
            avatar.moved_at = time.monotonic()
            avatar.muted = avatar.id in self.muted
            self.watchers[avatar.id] = avatar
        elif existing is not None:  # a reconnect within the grace period keeps its place
            avatar = existing
            avatar.away = False
            avatar.dirty = True
            self.away_since.pop(avatar.id, None)
        else:
            avatar.x, avatar.z = self.spawn_point(avatar.id)
            avatar.moved_at = time.monotonic()  # the speed limit applies from the first step
            avatar.muted = avatar.id in self.muted
            self.avatars[avatar.id] = avatar
        if not spectator:
            self.grid.place(avatar.id, avatar.x, avatar.z)
        self.clients[avatar.id] = client
        self.slots += 1
        client.slot = self.slots
        client.known = self.visible_to(avatar, client)
        mine = [] if spectator else [avatar.state()]
        client.push(
            proto.Welcome(
                you=avatar.id, space=self.space_id, instance=self.name,
                template=self.template.key, tick_hz=self.limits.tick_hz, server_time=time.time(),
                avatars=mine + [self.avatars[k].state() for k in client.known],
                spectator=spectator, objects=list(self.objects.values()),
            )
        )  # fmt: skip
        if spectator:
            client.push(
                proto.Event(
                    kind="spectator",
                    detail="This space is full; you are watching as a spectator. "
                    "You can see and chat, but you have no avatar.",
                )
            )
            return
        if self.number > 1:
            client.push(
                proto.Event(
                    kind="overflow",
                    detail=f"This space is full; you are in overflow room {self.number}.",
                )
            )
        # Who is in the call (yourself too, so a reloaded page can set the record straight).
        in_call = sorted(k for k, a in self.avatars.items() if a.call and k not in client.blocked)
        client.push(proto.SignalOut(peer=avatar.id, kind="calls", data=json.dumps(in_call)))
        kind = "back" if existing else "joined"
        self._broadcast_event(kind, avatar.id, exclude=avatar.id)
        if self.shared:
            self._publish(cluster.Join(self.hub.node, avatar.state(), avatar.facilitator, kind))

    def detach(self, avatar_id: str, client: Client, *, left: bool) -> None:
        """The connection ended: leave now, or wait out the grace period as 'away'."""
        if self.clients.get(avatar_id) is not client:
            return  # already replaced by a newer connection
        del self.clients[avatar_id]
        if self.watchers.pop(avatar_id, None) is not None:
            return
        avatar = self.avatars.get(avatar_id)
        if avatar is None or avatar.remote is not None:
            return
        if left or self.limits.grace_seconds <= 0:
            self._drop(avatar_id)
        else:
            avatar.away = True
            avatar.dirty = True
            self.away_since[avatar_id] = time.time()
            self._broadcast_event("away", avatar_id)
            if self.shared:
                self._publish(cluster.Away(self.hub.node, avatar_id))

    def _drop(self, avatar_id: str) -> None:
        """A local avatar leaves the instance for good (others see it in ``leave``)."""
        self.watchers.pop(avatar_id, None)
        avatar = self.avatars.pop(avatar_id, None)
        self.away_since.pop(avatar_id, None)
        self.grid.remove(avatar_id)
        if avatar is not None and avatar.call:
            self._call(avatar, False)
        if avatar is not None and avatar.remote is None:
            if avatar.seated and self.hub is not None:
                self.hub.release_seat(self)
            if self.shared:
                self._publish(cluster.Gone(self.hub.node, avatar_id))

    def _unmirror(self, avatar_id: str) -> None:
        avatar = self.avatars.get(avatar_id)
        if avatar is not None and avatar.remote is not None:
            del self.avatars[avatar_id]
            self.grid.remove(avatar_id)

    def _broadcast_event(self, kind: str, target: str | None, exclude: str | None = None) -> None:
        data = proto.encode(proto.Event(kind=kind, target=target))
        for key, client in self.clients.items():
            if key != exclude:
                client.push_raw(data)

    def _deliver(self, keys, sender: str, message: msgspec.Struct) -> None:
        data = proto.encode(message)
        for key in keys:
            target = self.clients.get(key)
            if target is not None and sender not in target.blocked:
                target.push_raw(data)

    # ---- messages from a client --------------------------------------------------------------

    def handle(self, avatar_id: str, client: Client, message: proto.ClientMessage) -> bool:
        """Apply one message; False when it was refused as invalid (counted as abuse)."""
        me = self.member(avatar_id)
        if me is None:
            return True
        match message:
            case proto.Pose():
                self._pose(me, client, message)
            case proto.Chat():
                self._chat(me, client, message)
            case proto.Emote(name=name):
                if me.spectator:
                    return True
                out = proto.EmoteOut(id=me.id, name=name)
                self._deliver(self.visible_to(me, client) | {me.id}, me.id, out)
                if self.shared:
                    self._publish(cluster.Emote(self.hub.node, me.id, name))
            case proto.Signal():
                if me.spectator:
                    return True
                if message.kind == "call":
                    self._call(me, message.data == "on")
                    return True
                out = proto.SignalOut(peer=me.id, kind=message.kind, data=message.data)
                target = self.clients.get(message.to)
                if target is not None:
                    if me.id not in target.blocked:
                        target.push(out)
                elif self.shared and message.to in self.avatars:
                    self._publish(
                        cluster.Signal(self.hub.node, me.id, message.to, message.kind, message.data)
                    )
            case proto.Block(target=target, on=on):
                (client.blocked.add if on else client.blocked.discard)(target)
                client.stale = True
            case proto.Moderate():
                self._moderate(me, client, message)
            case proto.Ping(c=c):
                client.push(proto.Pong(c=c, s=time.time()))
            case proto.Hello():
                client.push(proto.Error(code="already_joined", message="You are already here."))
            case proto.ObjectAdd() | proto.ObjectMove() | proto.ObjectDelete():
                return self._object(me, client, message)
            case proto.Point():
                return self._point(me, client, message)
        return True

    def _call(self, me: Avatar, on: bool) -> None:
        """Joining or leaving the call: remembered, and told to everyone in the instance."""
        me.call = on
        out = proto.SignalOut(peer=me.id, kind="call", data="on" if on else "off")
        self._deliver([k for k in self.clients if k != me.id], me.id, out)
        if self.shared and me.remote is None:
            self._publish(cluster.Signal(self.hub.node, me.id, "*", "call", out.data))

    def _pose(self, me: Avatar, client: Client, pose: proto.Pose) -> None:
        x, y, z = pose.p
        if not all(math.isfinite(v) for v in (x, y, z, pose.yaw)):
            client.push(proto.Error(code="bad_pose", message="Position must be finite numbers."))
            return
        bound = self.template.half_extent
        # Millimetres and milliradians are plenty, and short numbers keep every delta small.
        x, z = round(max(-bound, min(bound, x)), 3), round(max(-bound, min(bound, z)), 3)
        y = round(max(-2.0, min(20.0, y)), 3)
        now = time.monotonic()
        dt = max(now - me.moved_at, 1e-3)
        if math.dist((x, z), (me.x, me.z)) > MAX_SPEED * dt + 1.0:
            client.push(proto.Error(code="too_fast", message="That move was too fast."))
            return
        me.x, me.y, me.z, me.yaw = x, y, z, round(pose.yaw, 3)
        me.head, me.lh, me.rh, me.anim, me.seq = pose.head, pose.lh, pose.rh, pose.anim, pose.seq
        me.moved_at = now
        if me.spectator:  # a spectator only moves its own viewpoint
            return
        me.dirty = True
        self.grid.place(me.id, x, z)

    def _chat(self, me: Avatar, client: Client, chat: proto.Chat) -> None:
        if me.muted:
            client.push(proto.Error(code="muted", message="A facilitator has muted you."))
            return
        out = proto.ChatOut(
            id=me.id, name=me.name, text=chat.text, scope=chat.scope, at=time.time()
        )
        if chat.scope == "private":
            here = chat.to in self.clients or chat.to in self.watchers
            if chat.to is None or not (here or (self.shared and chat.to in self.avatars)):
                client.push(proto.Error(code="no_recipient", message="That person is not here."))
                return
            recipients = {chat.to, me.id}
        elif chat.scope == "nearby":
            recipients = self._near_clients(me.x, me.z) | {me.id}
        else:
            recipients = set(self.clients)
        self._deliver(recipients, me.id, out)
        if self.shared:
            self._publish(cluster.Chat(self.hub.node, out, chat.to, me.x, me.z))

    def _moderate(self, me: Avatar, client: Client, mod: proto.Moderate) -> None:
        if not me.facilitator:
            client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
            return
        if mod.action in ("mute", "unmute", "remove") and self.member(mod.target or "") is None:
            client.push(proto.Error(code="no_target", message="That person is not here."))
            return
        self._apply_mod(mod.action, mod.target)
        if self.hub is not None:
            self.hub.remember_mod(self, mod.action, mod.target)
        if self.shared:
            self._publish(cluster.Mod(self.hub.node, mod.action, mod.target))

    def _apply_mod(self, action: str, target_id: str | None) -> None:
        """A facilitator's decision, made here or on another node, applied to this node."""
        target = self.member(target_id or "")
        if action in ("mute", "unmute"):
            (self.muted.add if action == "mute" else self.muted.discard)(target_id)
            if target is not None:
                target.muted = action == "mute"
                target.dirty = True
            self._broadcast_event(action + "d", target_id)
        elif action == "remove":
            self.removed.add(target_id)
            victim = self.clients.pop(target_id, None)
            if target is not None and target.remote is not None:
                self._unmirror(target_id)
            else:
                self._drop(target_id)
            if victim is not None:
                victim.close_soon(proto.CLOSE_REMOVED, "A facilitator removed you from this space.")
            self._broadcast_event("removed", target_id)
        elif action in ("lock", "unlock"):
            self.locked = action == "lock"
            self._broadcast_event(action + "ed", None)
        elif action == "end":
            self._broadcast_event("ended", None)
            for key, other in list(self.clients.items()):
                other.close_soon(proto.CLOSE_ENDED, "The facilitator ended this session.")
                self._drop(key)
            self.clients.clear()
            for key in [k for k, a in self.avatars.items() if a.remote is None]:
                self._drop(key)

    # ---- persistent objects and pointing ---------------------------------------------------

    def _in_bounds(self, p: tuple[float, float, float]) -> bool:
        bound = self.template.half_extent
        return (
            all(math.isfinite(v) for v in p)
            and abs(p[0]) <= bound
            and abs(p[2]) <= bound
            and -2.0 <= p[1] <= 20.0
        )

    def _object(self, me: Avatar, client: Client, message) -> bool:
        def refuse(code: str, text: str) -> bool:
            client.push(proto.Error(code=code, message=text))
            return False

        if self.hub is None or me.spectator:
            return refuse("forbidden", "Spectators cannot change objects.")
        if isinstance(message, proto.ObjectAdd):
            if not me.facilitator:
                return refuse("forbidden", "Only a facilitator can place objects.")
            if not self._in_bounds(message.p) or not math.isfinite(message.yaw):
                return refuse("bad_object", "Objects must stand inside the space.")
            if len(self.objects) >= self.limits.max_objects:
                return refuse("too_many_objects", "This space holds no more objects.")
            if message.kind == "model" and message.model not in MODELS:
                return refuse("bad_object", f"Choose a model: {', '.join(MODELS)}.")
            if message.kind != "model" and message.model is not None:
                return refuse("bad_object", "Only a model has a model key.")
            if message.url is not None and (
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
            self.hub.spawn(self.hub.add_object(self, state))
            return True
        current = self.objects.get(message.id)
        if current is None:
            return refuse("no_object", "That object is not here.")
        owner = me.facilitator or current.by == me.id
        if isinstance(message, proto.ObjectDelete):
            if not owner:
                return refuse("forbidden", "Only a facilitator can remove that.")
            self.hub.spawn(self.hub.delete_object(self, message.id, me.id))
            return True
        if not (owner or current.shared):
            return refuse("forbidden", "Only a facilitator can move that.")
        rot_ok = message.rot is None or all(math.isfinite(v) for v in message.rot)
        if not self._in_bounds(message.p) or not math.isfinite(message.yaw) or not rot_ok:
            return refuse("bad_object", "Objects must stay inside the space.")
        moved = msgspec.structs.replace(current, p=message.p, yaw=message.yaw, rot=message.rot)
        self.hub.object_changed(self, proto.ObjectOut(op="move", id=moved.id, by=me.id, o=moved))
        return True

    def _point(self, me: Avatar, client: Client, point: proto.Point) -> bool:
        if (point.p is None) == (point.obj is None) or (
            point.p is not None and not self._in_bounds(point.p)
        ):
            client.push(proto.Error(code="bad_point", message="Point at one place or object."))
            return False
        if point.obj is not None and point.obj not in self.objects:
            client.push(proto.Error(code="no_object", message="That object is not here."))
            return False
        out = proto.PointOut(id=me.id, p=point.p, obj=point.obj)
        self._deliver(self._near_clients(me.x, me.z) | {me.id}, me.id, out)
        if self.shared:
            self._publish(cluster.Point(self.hub.node, out, me.x, me.z))
        return True

    def apply_object(self, out: proto.ObjectOut) -> None:
        """An object changed (here or on another node): update the view, tell this node's people."""
        if out.op == "del":
            self.objects.pop(out.id, None)
        elif out.o is not None:
            self.objects[out.id] = out.o
        data = proto.encode(out)
        for client in self.clients.values():
            client.push_raw(data)

    # ---- other nodes ---------------------------------------------------------------------------

    def _publish(self, message: msgspec.Struct) -> None:
        if self.outgoing is None:
            return
        try:
            self.outgoing.put_nowait(cluster.encoder.encode(message))
        except asyncio.QueueFull:
            log.warning("world.relay_backlog", instance=self.name)

    def start_relay(self) -> None:
        if not self.shared or (self.relay is not None and not self.relay.done()):
            return
        self.outgoing = asyncio.Queue(4096)
        self.listening = asyncio.Event()
        self.relay = asyncio.get_running_loop().create_task(self._relay())

    def _stop_relay(self) -> None:
        if self.relay is not None:
            self.relay.cancel()
            self.relay = None
        self.outgoing = None
        self.listening = None
        for key in [k for k, a in self.avatars.items() if a.remote is not None]:
            self._unmirror(key)
        self.heard.clear()
        self.synced.clear()

    async def _relay(self) -> None:
        bus = self.hub.bus
        channel = cluster.instance_channel(self.space_id, self.number)
        queue = self.outgoing
        sender = asyncio.get_running_loop().create_task(self._send_out(channel, queue))
        try:
            async with bus.subscribe(channel, cluster.objects_channel(self.space_id)) as sub:
                # Only once subscribed: ask the others who is here (their answers must not be lost)
                await bus.publish(channel, cluster.encoder.encode(cluster.Sync(self.hub.node)))
                self.listening.set()
                while True:
                    _, data = await sub.get()
                    try:
                        message = cluster.decoder.decode(data)
                    except (msgspec.DecodeError, msgspec.ValidationError):
                        log.warning("world.bad_relay_message", instance=self.name)
                        continue
                    if message.node != self.hub.node:
                        self.heard[message.node] = time.time()
                        self.on_remote(message)
        finally:
            sender.cancel()

    async def _send_out(self, channel: str, queue: asyncio.Queue) -> None:
        bus = self.hub.bus
        while True:
            data = await queue.get()
            try:
                await bus.publish(channel, data)
            except Exception as exc:  # Redis away: drop, as pub/sub would
                log.warning("world.relay_publish_failed", error=type(exc).__name__)

    def _forget_silent_nodes(self, now: float) -> None:
        for node, at in list(self.heard.items()):
            if now - at > cluster.NODE_TTL:
                del self.heard[node]
                for key in [k for k, a in self.avatars.items() if a.remote == node]:
                    self._unmirror(key)

    def on_remote(self, m: cluster.NodeMessage) -> None:
        """What another node's people did, applied to this node's copy of the instance."""
        match m:
            case cluster.Poses(u=updates):
                avatars = self.avatars
                for id_, x, y, z, yaw, anim, seq, head, lh, rh in updates:
                    a = avatars.get(id_)
                    if a is not None and a.remote is not None:
                        a.x, a.y, a.z, a.yaw, a.anim, a.seq = x, y, z, yaw, anim, seq
                        a.head = tuple(head) if head else None
                        a.lh = tuple(lh) if lh else None
                        a.rh = tuple(rh) if rh else None
                        a.dirty = True
                        self.grid.place(id_, x, z)
            case cluster.Join(a=state, facilitator=facilitator, ev=ev):
                self._mirror(m.node, state, facilitator, ev)
            case cluster.Gone(id=id_):
                self._unmirror(id_)
            case cluster.Away(id=id_):
                a = self.avatars.get(id_)
                if a is not None and a.remote is not None:
                    a.away = True
                    a.dirty = True
                    self._broadcast_event("away", id_)
            case cluster.Chat(out=out, to=to, x=x, z=z):
                if out.scope == "private":
                    keys = {to}
                elif out.scope == "nearby":
                    keys = self._near_clients(x, z)
                else:
                    keys = self.clients.keys()
                self._deliver(keys, out.id, out)
            case cluster.Emote(id=id_, name=name):
                a = self.avatars.get(id_)
                if a is not None:
                    self._deliver(self._near_clients(a.x, a.z), id_, proto.EmoteOut(id_, name))
            case cluster.Signal(peer=peer, to="*", kind="call", data=data):
                if (a := self.avatars.get(peer)) is not None:
                    self._call(a, data == "on")
            case cluster.Signal(peer=peer, to=to, kind=kind, data=data):
                self._deliver((to,), peer, proto.SignalOut(peer=peer, kind=kind, data=data))
            case cluster.Mod(action=action, target=target):
                self._apply_mod(action, target)
            case cluster.Obj(out=out):
                self.apply_object(out)
            case cluster.Point(out=out, x=x, z=z):
                self._deliver(self._near_clients(x, z), out.id, out)
            case cluster.Sync():
                for a in self.avatars.values():
                    if a.remote is None:
                        self._publish(cluster.Join(self.hub.node, a.state(), a.facilitator))
                self._publish(
                    cluster.State(
                        self.hub.node, self.locked, sorted(self.muted), sorted(self.removed)
                    )
                )
            case cluster.State(locked=locked, muted=muted, removed=removed):
                self.synced.add(m.node)
                self.answered.set()
                self.locked = self.locked or locked
                self.muted.update(muted)
                self.removed.update(removed)
            case cluster.Beat(ids=ids):
                still = set(ids)
                for key in [k for k, a in self.avatars.items() if a.remote == m.node]:
                    if key not in still:
                        self._unmirror(key)
                if any(k not in self.avatars for k in still):
                    # We missed an arrival (or forgot a node that went quiet): ask again.
                    self._publish(cluster.Sync(self.hub.node))

    def _mirror(self, node: str, state: proto.AvatarState, facilitator: bool, ev: str) -> None:
        local = self.clients.get(state.id)
        known = self.avatars.get(state.id)
        if known is not None and known.remote is None:
            # The same person joined on another node: that connection wins.
            if local is not None:
                del self.clients[state.id]
                local.close_soon(proto.CLOSE_REPLACED, "You joined from somewhere else.")
            known.remote = node  # keep their place in the grid; the other node owns it now
            if known.seated and self.hub is not None:
                known.seated = False
                self.hub.release_seat(self)
            self.away_since.pop(state.id, None)
        if known is None:
            known = Avatar(state.id, state.name, state.role)
            self.avatars[state.id] = known
        known.remote = node
        known.name, known.role, known.facilitator = state.name, state.role, facilitator
        known.x, known.y, known.z = state.p
        known.yaw, known.anim, known.away = state.yaw, state.anim, state.away
        known.head, known.lh, known.rh = state.head, state.lh, state.rh
        known.muted = state.muted or state.id in self.muted
        known.call = state.call
        known.dirty = True
        self.grid.place(state.id, known.x, known.z)
        if ev:
            self._broadcast_event(ev, state.id)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Admission:
    instance: Instance
    spectator: bool = False
    seated: bool = False


def _object_row(space_id: str, state: proto.ObjectState) -> dict:
    return dict(
        id=uuid.UUID(state.id), space_id=uuid.UUID(space_id), kind=state.kind,
        label=json.dumps({"title": state.title, "text": state.text}),
        asset=state.model if state.kind == "model" else state.url,
        x=state.p[0], y=state.p[1], z=state.p[2], yaw=state.yaw,
        created_by=uuid.UUID(state.by) if state.by and _is_uuid(state.by) else None,
        data=json.dumps({"shared": state.shared, "scale": state.scale, "rot": state.rot}),
    )  # fmt: skip


def _object_state(row: SpaceObject) -> proto.ObjectState:
    label = json.loads(row.label or "{}")
    data = json.loads(row.data or "{}")
    rot = data.get("rot")
    return proto.ObjectState(
        id=str(row.id), kind=row.kind, p=(row.x, row.y, row.z), yaw=row.yaw,
        rot=tuple(rot) if rot else None, title=label.get("title", ""),
        text=label.get("text", ""), url=row.asset if row.kind == "poster" else None,
        model=row.asset if row.kind == "model" else None, scale=data.get("scale", 1.0),
        shared=bool(data.get("shared")), by=str(row.created_by) if row.created_by else None,
    )  # fmt: skip


class Hub:
    """Every space instance running on this node."""

    def __init__(self, limits: Limits | None = None, *, bus=None, db=None):
        self.limits = limits or Limits()
        self.instances: dict[str, list[Instance]] = {}
        self.bus = bus
        self.db = db
        self.node = uuid.uuid4().hex[:12]
        self.redis = getattr(bus, "redis", None) if bus is not None and bus.shared else None
        self.objects: dict[str, dict[str, proto.ObjectState]] = {}
        self.pending_moves: dict[str, tuple[str, proto.ObjectState]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._beat: asyncio.Task | None = None
        self._flush: asyncio.Task | None = None
        self._admit_lua = self.redis.register_script(cluster.ADMIT_LUA) if self.redis else None
        self._release_lua = self.redis.register_script(cluster.RELEASE_LUA) if self.redis else None

    def spawn(self, coro: Awaitable) -> None:
        """Background work started from the (synchronous) message handlers."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("world.background_failed", error=type(task.exception()).__name__)

    def _instance(self, space_id: str, template: str, capacity: int, number: int) -> Instance:
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
        await self._load_objects(space_id)
        copies = self.instances.setdefault(space_id, [])
        for inst in copies:
            if avatar_id in inst.avatars and inst.avatars[avatar_id].remote is None:
                return Admission(inst)
        for inst in copies:
            if avatar_id in inst.removed:
                raise PermissionError("A facilitator removed you from this space.")
        spec = TEMPLATES[template]
        if self.redis is not None:
            return await self._admit_shared(space_id, template, capacity, avatar_id, spec)
        for inst in copies:
            if not inst.full():
                if inst.locked:
                    raise PermissionError("This space is locked; ask a facilitator to let you in.")
                return Admission(inst)
        if not copies:
            return Admission(self._instance(space_id, template, capacity, 1))
        if spec.overflow:
            return Admission(self._instance(space_id, template, capacity, copies[-1].number + 1))
        return self._spectate(copies[0])

    def _spectate(self, inst: Instance) -> Admission:
        if inst.locked:
            raise PermissionError("This space is locked; ask a facilitator to let you in.")
        if len(inst.watchers) >= self.limits.max_spectators:
            raise PermissionError("This space is full, and so are its spectator places.")
        return Admission(inst, spectator=True)

    async def _admit_shared(
        self, space_id: str, template: str, capacity: int, avatar_id: str, spec: Template
    ) -> Admission:
        redis = self.redis
        if await redis.sismember(cluster.removed_key(space_id), avatar_id):
            raise PermissionError("A facilitator removed you from this space.")
        await self._heartbeat_once()
        for inst in self.instances.get(space_id, []):
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
            inst = self._instance(space_id, template, capacity, 1)
            if await redis.sismember(cluster.locked_key(space_id), "1"):
                inst.locked = True
            admission = self._spectate(inst)
            await self._in_sync(inst)
            return admission
        inst = self._instance(space_id, template, capacity, number)
        await self._in_sync(inst)
        return Admission(inst, seated=True)

    async def _in_sync(self, inst: Instance) -> None:
        """Before someone enters this node's copy, mirror the other nodes' people in it, so the
        welcome snapshot (and the call roster) hold everyone."""
        if inst.relay is not None and not inst.relay.done() and inst.listening.is_set():
            return  # already following the others
        inst.arriving += 1
        try:
            inst.start_relay()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(inst.listening.wait(), 2.0)
            prefix = f"{inst.number}|"
            seats = await self.redis.hgetall(cluster.seats_key(inst.space_id))
            others = {
                _text(key)[len(prefix) :]
                for key, count in seats.items()
                if _text(key).startswith(prefix) and int(count) > 0
            } - {self.node}
            deadline = time.monotonic() + 1.0
            while not others <= inst.synced and (left := deadline - time.monotonic()) > 0:
                inst.answered.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(inst.answered.wait(), left)
        finally:
            inst.arriving -= 1

    async def present(self, space_id: str) -> int:
        """How many people (with an avatar) are in the space now, on every node."""
        if self.redis is None:
            return sum(len(i.avatars) for i in self.instances.get(space_id, []))
        try:
            seats = await self.redis.hgetall(cluster.seats_key(space_id))
            if not seats:
                return 0
            now = int((await self.redis.time())[0])
            beats = await self.redis.hgetall(cluster.NODES_KEY)
        except Exception as exc:  # Redis away: this node's view is better than an error
            log.warning("world.present_failed", error=type(exc).__name__)
            return sum(len(i.avatars) for i in self.instances.get(space_id, []))
        alive = {_text(k) for k, at in beats.items() if now - int(at) <= cluster.NODE_TTL}
        return sum(
            int(count) for key, count in seats.items() if _text(key).split("|", 1)[1] in alive
        )

    def release_seat(self, inst: Instance) -> None:
        if self._release_lua is not None:
            self.spawn(
                self._release_lua(
                    keys=[cluster.seats_key(inst.space_id)], args=[f"{inst.number}|{self.node}"]
                )
            )

    def remember_mod(self, inst: Instance, action: str, target: str | None) -> None:
        """Removals and locks outlive this node's copy: kept in Redis for admissions elsewhere."""
        if self.redis is None:
            return
        if action == "remove" and target:
            key = cluster.removed_key(inst.space_id)
            self.spawn(self._sadd(key, target))
        elif action in ("lock", "unlock"):
            key = cluster.locked_key(inst.space_id)
            op = self.redis.sadd if action == "lock" else self.redis.srem
            self.spawn(op(key, str(inst.number)))

    async def _sadd(self, key: str, member: str) -> None:
        await self.redis.sadd(key, member)
        await self.redis.expire(key, 12 * 3600)

    async def _heartbeat_once(self) -> None:
        now = int((await self.redis.time())[0])
        await self.redis.hset(cluster.NODES_KEY, self.node, now)

    async def _heartbeat(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self._heartbeat_once()
            await asyncio.sleep(cluster.BEAT_SECONDS)

    def ensure_running(self, inst: Instance) -> None:
        loop = asyncio.get_running_loop()
        if inst.task is None or inst.task.done():
            inst.start_relay()
            inst.task = loop.create_task(inst.run())
        if self.redis is not None and (self._beat is None or self._beat.done()):
            self._beat = loop.create_task(self._heartbeat())
        if self._flush is None or self._flush.done():
            self._flush = loop.create_task(self._flush_forever())

    # ---- persistent objects ------------------------------------------------------------------

    async def _load_objects(self, space_id: str) -> None:
        """Read the space's objects unless this node is following their changes already."""
        running = any(i.task and not i.task.done() for i in self.instances.get(space_id, []))
        if self.db is None or (running and space_id in self.objects):
            return
        await self.flush_moves()
        async with self.db.session() as session:
            rows = await session.scalars(
                select(SpaceObject)
                .where(SpaceObject.space_id == uuid.UUID(space_id))
                .order_by(SpaceObject.created_at)
            )
            self.objects[space_id] = {str(r.id): _object_state(r) for r in rows}

    def object_changed(self, inst: Instance, out: proto.ObjectOut) -> None:
        """Tell every copy of the space on this node and the other nodes."""
        for copy in self.instances.get(inst.space_id, []):
            copy.apply_object(out)
        if self.bus is not None and self.bus.shared:
            channel = cluster.objects_channel(inst.space_id)
            data = cluster.encoder.encode(cluster.Obj(self.node, out))
            self.spawn(self.bus.publish(channel, data))
        if out.op == "move" and out.o is not None:
            self.pending_moves[out.id] = (inst.space_id, out.o)

    async def add_object(self, inst: Instance, state: proto.ObjectState) -> None:
        if self.db is None:
            return
        async with self.db.session() as session:
            session.add(SpaceObject(**_object_row(inst.space_id, state)))
            await session.commit()
        self.object_changed(inst, proto.ObjectOut(op="add", id=state.id, by=state.by, o=state))

    async def delete_object(self, inst: Instance, object_id: str, by: str) -> None:
        self.pending_moves.pop(object_id, None)
        if self.db is not None:
            async with self.db.session() as session:
                await session.execute(
                    delete(SpaceObject).where(SpaceObject.id == uuid.UUID(object_id))
                )
                await session.commit()
        self.object_changed(inst, proto.ObjectOut(op="del", id=object_id, by=by))

    async def flush_moves(self) -> None:
        """Write moved objects' last positions (moves are frequent; writes are coalesced)."""
        if not self.pending_moves or self.db is None:
            return
        pending, self.pending_moves = self.pending_moves, {}
        async with self.db.session() as session:
            for object_id, (_, state) in pending.items():
                row = await session.get(SpaceObject, uuid.UUID(object_id))
                if row is None:
                    continue
                row.x, row.y, row.z = state.p
                row.yaw = state.yaw
                data = json.loads(row.data or "{}")
                data["rot"] = state.rot
                row.data = json.dumps(data)
            await session.commit()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            try:
                await self.flush_moves()
            except Exception as exc:
                log.warning("world.object_flush_failed", error=type(exc).__name__)

    async def close(self) -> None:
        for copies in self.instances.values():
            for inst in copies:
                if inst.task:
                    inst.task.cancel()
                if inst.relay:
                    inst.relay.cancel()
                for client in inst.clients.values():
                    await client.shutdown()
        for task in (self._beat, self._flush, *self._tasks):
            if task is not None:
                task.cancel()
        with contextlib.suppress(Exception):
            await self.flush_moves()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.hdel(cluster.NODES_KEY, self.node)
