"""One running copy of a space on this node: its people, their grid, and who comes and goes.

An instance holds the avatars of one copy of a space (local ones and, with several nodes, mirrors
of the other nodes' people marked ``remote``), a spatial grid for areas of interest, this node's
connections and spectators, and the room's moderation state. What happens in it is in the
modules around it: the tick (tick.py), client messages (messages.py), moderation
(moderation.py), objects (objects.py), and what other nodes are told (``relay``, relay.py).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import msgspec

from careverse.world import circle as circle_tools
from careverse.world import messages, pacer, tick
from careverse.world import protocol as proto
from careverse.world import stage as stage_tool
from careverse.world.aoi import Grid
from careverse.world.avatar import Avatar, is_uuid
from careverse.world.circle import CircleState
from careverse.world.connection import Client, Limits
from careverse.world.lab import LabState, RemoteLab
from careverse.world.lab import current as lab_now
from careverse.world.relay import LocalRelay, Relay
from careverse.world.stage import StageState
from careverse.world.templates import Template

if TYPE_CHECKING:
    from careverse.world.hub import Hub


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
    task: asyncio.Task | None = None  # the tick loop (tick.run)
    slots: int = 0
    arriving: int = 0  # admissions waiting for this node's copy to be in sync
    circle: CircleState = field(default_factory=CircleState)  # talking order, check-ins
    relay: Relay = field(init=False, repr=False)
    pacer: proto.PacerOut | None = None  # the shared breathing pacer (pacer.py)
    calm_before: dict[str, int] = field(default_factory=dict)  # anonymous calm ratings
    calm_after: dict[str, int] = field(default_factory=dict)
    lab: LabState | None = None  # the training lab's shared patient (lab.py)
    lab_remote: RemoteLab | None = None  # … when it lives on another node (lab.py)
    lesson: proto.LessonOut | None = None  # the lab's group anatomy lesson (lab.py)
    stage: StageState = field(default_factory=StageState)  # an event's stage (stage.py)

    def __post_init__(self) -> None:
        self.grid = Grid(max(4.0, self.limits.aoi_radius / 2))
        # One node or several: the hub chose once; nothing below asks again.
        self.relay = self.hub.relay_for(self) if self.hub is not None else LocalRelay()

    @property
    def name(self) -> str:
        return f"{self.space_id}#{self.number}"

    @property
    def objects(self) -> dict[str, proto.ObjectState]:
        """The space's persistent objects (shared by every copy of the space on this node)."""
        return self.hub.objects.of(self.space_id) if self.hub else {}

    def full(self) -> bool:
        return len(self.avatars) >= self.capacity

    def has_local(self) -> bool:
        """Whether this node still has anyone here (the tick runs while it has)."""
        return (
            bool(self.clients)
            or self.arriving > 0
            or any(a.remote is None for a in self.avatars.values())
        )

    def member(self, avatar_id: str) -> Avatar | None:
        return self.avatars.get(avatar_id) or self.watchers.get(avatar_id)

    def visible_to(self, avatar: Avatar, client: Client) -> set[str]:
        """The avatars in ``avatar``'s area of interest that its client has not blocked."""
        near = cast(set[str], self.grid.within(avatar.x, avatar.z, self.limits.aoi_radius))
        near.discard(avatar.id)
        if client.blocked:
            near -= client.blocked
        return near

    def near_clients(self, x: float, z: float) -> set[str]:
        """This node's connections (avatars and spectators) within range of (x, z)."""
        r2 = self.limits.aoi_radius**2
        near = cast(set[str], self.grid.within(x, z, self.limits.aoi_radius))
        keys = {k for k in near if k in self.clients}
        keys.update(k for k, w in self.watchers.items() if (w.x - x) ** 2 + (w.z - z) ** 2 <= r2)
        return keys

    def step(self, now: float) -> None:
        """One tick (tick.py)."""
        tick.step(self, now)

    def handle(self, avatar_id: str, client: Client, message: proto.ClientMessage) -> bool:
        """Apply one client message (messages.py); False when refused as invalid."""
        return messages.handle(self, avatar_id, client, message)

    # ---- membership --------------------------------------------------------------------------

    def spawn_point(self, key: str) -> tuple[float, float]:
        angle = (uuid.UUID(key).int % 3600) / 3600 * 2 * math.pi if is_uuid(key) else 0.0
        r = self.template.spawn_radius
        return round(math.cos(angle) * r, 3), round(math.sin(angle) * r, 3)

    def attach(self, avatar: Avatar, client: Client, *, spectator: bool = False) -> None:
        """A connection joins: a new avatar, a reconnect within the grace period, or a spectator."""
        self.relay.start()  # before anything is published about this arrival
        old = self.clients.get(avatar.id)
        if old is not None:
            old.close_soon(proto.CLOSE_REPLACED, "You joined from somewhere else.")
        existing = self.avatars.get(avatar.id)
        place: tuple[float, float, float, float] | None = None
        if existing is not None and existing.remote is not None:
            # They come back here while another node still holds them (or held them until it
            # died): that node lets go, and they keep the place they had there.
            place = (existing.x, existing.y, existing.z, existing.yaw)
            self.unmirror(avatar.id)
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
            if place is not None:
                avatar.x, avatar.y, avatar.z, avatar.yaw = place
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
                pacer=pacer.running(self), lab=lab_now(self), lesson=self.lesson,
            )
        )  # fmt: skip
        if self.stage.live:
            stage_tool.welcome(self, avatar, client)
        if self.calm_before or self.calm_after:
            client.push(pacer.aggregate(self))
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
        circle_tools.welcome(self, avatar, client)  # the circle tools as they are (circle.py)
        kind = "back" if existing else "joined"
        self.broadcast_event(kind, avatar.id, exclude=avatar.id)
        self.relay.joined(avatar, kind)

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
            self.drop(avatar_id)
        else:
            avatar.away = True
            avatar.dirty = True
            self.away_since[avatar_id] = time.time()
            self.broadcast_event("away", avatar_id)
            self.relay.away(avatar_id)

    def drop(self, avatar_id: str) -> None:
        """A local avatar leaves the instance for good (others see it in ``leave``)."""
        self.watchers.pop(avatar_id, None)
        avatar = self.avatars.pop(avatar_id, None)
        self.away_since.pop(avatar_id, None)
        self.grid.remove(avatar_id)
        if avatar is not None and avatar.call:
            self.set_call(avatar, False)
        if avatar is not None and avatar.remote is None:
            if avatar.seated and self.hub is not None:
                self.hub.seats.release(self)
            self.relay.gone(avatar_id)

    def unmirror(self, avatar_id: str) -> None:
        """Forget another node's avatar (it left, or that node went quiet)."""
        avatar = self.avatars.get(avatar_id)
        if avatar is not None and avatar.remote is not None:
            del self.avatars[avatar_id]
            self.grid.remove(avatar_id)

    def set_call(self, me: Avatar, on: bool) -> None:
        """Joining or leaving the call: remembered, and told to everyone in the instance."""
        me.call = on
        out = proto.SignalOut(peer=me.id, kind="call", data="on" if on else "off")
        self.deliver([k for k in self.clients if k != me.id], me.id, out)
        if me.remote is None:
            self.relay.signal(me.id, "*", "call", out.data)

    # ---- sending to this node's people -------------------------------------------------------

    def broadcast_event(
        self, kind: str, target: str | None, exclude: str | None = None, detail: str | None = None
    ) -> None:
        """A room event to every connection here (but ``exclude``)."""
        data = proto.encode(proto.Event(kind=kind, target=target, detail=detail))
        for key, client in self.clients.items():
            if key != exclude:
                client.push_raw(data)

    def deliver(self, keys, sender: str, message: msgspec.Struct) -> None:
        """``message`` to those of ``keys`` connected here who have not blocked ``sender``."""
        data = proto.encode(message)
        for key in keys:
            target = self.clients.get(key)
            if target is not None and sender not in target.blocked:
                target.push_raw(data)
