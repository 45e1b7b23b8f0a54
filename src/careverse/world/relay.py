"""What an instance tells the other nodes serving it, and what it hears from them.

The hub chooses once, at construction, how its instances relate to other nodes: alone
(:class:`LocalRelay`, nobody to tell) or over a shared bus (:class:`ClusterRelay`, Redis pub/sub).
The rest of the hub calls the :class:`Relay` methods and never asks which one it has.

With several nodes, each runs its own copy of an instance and mirrors the avatars of the other
nodes into it (marked ``remote``), so the area-of-interest fan-out stays local. The node
messages, channels and Redis keys are in cluster.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

import msgspec
import structlog

from careverse.world import circle, cluster, lab, moderation, objects, pacer, stage
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar

if TYPE_CHECKING:
    from careverse.world.hub import Hub
    from careverse.world.instance import Instance

log = structlog.get_logger(__name__)

OUTGOING = 4096  # node messages waiting to be published, per instance


class Relay(Protocol):
    """An instance's link to the other nodes serving the same copy of a space."""

    def start(self) -> None:
        """Begin following the other nodes (before anything is published about an arrival)."""

    def stop(self) -> None:
        """Stop following them and forget their people (nobody of this node is left)."""

    async def catch_up(self, holders: Callable[[], Awaitable[set[str]]]) -> None:
        """Wait (briefly) until this copy mirrors the people of the nodes ``holders`` names."""

    def tick(self, now: float) -> None:
        """After each tick: this node's moves, and now and then a heartbeat."""

    def reaches(self, avatar_id: str) -> bool:
        """Whether a message to ``avatar_id`` may be delivered by another node."""
        ...

    def joined(self, avatar: Avatar, kind: str) -> None: ...

    def away(self, avatar_id: str) -> None: ...

    def gone(self, avatar_id: str) -> None: ...

    def emote(self, avatar_id: str, name: str) -> None: ...

    def signal(self, peer: str, to: str, kind: str, data: str) -> None:
        """Signalling for someone on another node (``to="*"``, kind "call": call state)."""

    def chat(self, out: proto.ChatOut, to: str | None, x: float, z: float) -> None: ...

    def moderated(self, action: str, target: str | None) -> None: ...

    def pointed(self, out: proto.PointOut, x: float, z: float) -> None: ...

    def object_changed(self, out: proto.ObjectOut) -> None: ...

    def paced(self, out: proto.PacerOut) -> None:
        """The shared pacer started or stopped."""

    def calm(self, avatar_id: str, when: str, score: int) -> None:
        """A calm rating (other nodes keep the same anonymous aggregate)."""

    def lab_frame(self, out: proto.LabOut, whole: bool) -> None:
        """The lab's run (living on this node) changed or its monitor moved."""

    def lab_forward(self, run: str, avatar_id: str, message: proto.Lab | proto.LabAct) -> None:
        """A lab control or action for the node the run ``run`` lives on."""

    def lab_reply(self, to: str, error: proto.Error) -> None:
        """A forwarded lab message refused: the error for its sender, on their node."""

    def lesson(self, out: proto.LessonOut) -> None:
        """The lab's group anatomy lesson opened, changed or closed."""

    def circle(self, op: str, who: str, data: str) -> None:
        """A circle tool's operation (circle.py): the other nodes apply the same."""

    def stage(self, op: str, who: str, data: str) -> None:
        """An event stage's operation (stage.py): the other nodes apply the same."""

    def recall(self, space_id: str, back: str) -> None:
        """Everyone in a breakout pair's space, on the other nodes, goes back to ``back``."""


class LocalRelay:
    """One node: there is nobody else to tell or to hear from."""

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    async def catch_up(self, holders: Callable[[], Awaitable[set[str]]]) -> None:
        pass

    def tick(self, now: float) -> None:
        pass

    def reaches(self, avatar_id: str) -> bool:
        return False

    def joined(self, avatar: Avatar, kind: str) -> None:
        pass

    def away(self, avatar_id: str) -> None:
        pass

    def gone(self, avatar_id: str) -> None:
        pass

    def emote(self, avatar_id: str, name: str) -> None:
        pass

    def signal(self, peer: str, to: str, kind: str, data: str) -> None:
        pass

    def chat(self, out: proto.ChatOut, to: str | None, x: float, z: float) -> None:
        pass

    def moderated(self, action: str, target: str | None) -> None:
        pass

    def pointed(self, out: proto.PointOut, x: float, z: float) -> None:
        pass

    def object_changed(self, out: proto.ObjectOut) -> None:
        pass

    def paced(self, out: proto.PacerOut) -> None:
        pass

    def calm(self, avatar_id: str, when: str, score: int) -> None:
        pass

    def lab_frame(self, out: proto.LabOut, whole: bool) -> None:
        pass

    def lab_forward(self, run: str, avatar_id: str, message: proto.Lab | proto.LabAct) -> None:
        pass

    def lab_reply(self, to: str, error: proto.Error) -> None:
        pass

    def lesson(self, out: proto.LessonOut) -> None:
        pass

    def circle(self, op: str, who: str, data: str) -> None:
        pass

    def stage(self, op: str, who: str, data: str) -> None:
        pass

    def recall(self, space_id: str, back: str) -> None:
        pass


class ClusterRelay:
    """Several nodes over the shared bus: publish what this node's people do, mirror the rest.

    Outgoing messages go through a bounded queue and one sender task, so a slow Redis never
    stalls the tick; incoming ones are applied to the instance as they arrive.
    """

    def __init__(self, inst: Instance, hub: Hub):
        self.inst = inst
        self.hub = hub
        assert hub.bus is not None, "a cluster relay needs the shared bus"
        self.bus = hub.bus
        self.node = hub.node
        self.task: asyncio.Task | None = None
        self.outgoing: asyncio.Queue | None = None
        self.listening: asyncio.Event | None = None
        self.heard: dict[str, float] = {}  # node → when last heard
        self.synced: set[str] = set()  # nodes that answered our Sync
        self.answered = asyncio.Event()  # a State came in
        self.beat_at = 0.0

    # ---- following the other nodes -----------------------------------------------------------

    def start(self) -> None:
        if self.task is not None and not self.task.done():
            return
        self.outgoing = asyncio.Queue(OUTGOING)
        self.listening = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    @property
    def _listening(self) -> asyncio.Event:
        assert self.listening is not None, "started"
        return self.listening

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.outgoing = None
        self.listening = None
        inst = self.inst
        for key in [k for k, a in inst.avatars.items() if a.remote is not None]:
            inst.unmirror(key)
        self.heard.clear()
        self.synced.clear()

    async def catch_up(self, holders: Callable[[], Awaitable[set[str]]]) -> None:
        """Before someone enters this node's copy, mirror the other nodes' people in it, so the
        welcome snapshot (and the call roster) hold everyone."""
        if self.task is not None and not self.task.done() and self._listening.is_set():
            return  # already following the others
        self.inst.arriving += 1
        try:
            self.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listening.wait(), 2.0)
            others = await holders() - {self.node}
            deadline = time.monotonic() + 1.0
            while not others <= self.synced and (left := deadline - time.monotonic()) > 0:
                self.answered.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.answered.wait(), left)
        finally:
            self.inst.arriving -= 1

    def _publish(self, message: msgspec.Struct) -> None:
        if self.outgoing is None:
            return
        try:
            self.outgoing.put_nowait(cluster.encoder.encode(message))
        except asyncio.QueueFull:
            log.warning("world.relay_backlog", instance=self.inst.name)

    async def _run(self) -> None:
        inst = self.inst
        channel = cluster.instance_channel(inst.space_id, inst.number)
        assert self.outgoing is not None, "started"
        sender = asyncio.get_running_loop().create_task(self._send_out(channel, self.outgoing))
        try:
            async with self.bus.subscribe(channel, cluster.objects_channel(inst.space_id)) as sub:
                # Only once subscribed: ask the others who is here (their answers must not be lost)
                await self.bus.publish(channel, cluster.encoder.encode(cluster.Sync(self.node)))
                self._listening.set()
                while True:
                    _, data = await sub.get()
                    try:
                        message = cluster.decoder.decode(data)
                    except (msgspec.DecodeError, msgspec.ValidationError):
                        log.warning("world.bad_relay_message", instance=inst.name)
                        continue
                    if message.node != self.node:
                        self.heard[message.node] = time.time()
                        self.on_remote(message)
        finally:
            sender.cancel()

    async def _send_out(self, channel: str, queue: asyncio.Queue) -> None:
        while True:
            data = await queue.get()
            try:
                await self.bus.publish(channel, data)
            except Exception as exc:  # Redis away: drop, as pub/sub would
                log.warning("world.relay_publish_failed", error=type(exc).__name__)

    # ---- what this node's people do ----------------------------------------------------------

    def tick(self, now: float) -> None:
        avatars = self.inst.avatars
        mine = [
            (a.id, a.x, a.y, a.z, a.yaw, a.anim, a.seq, a.head, a.lh, a.rh)
            for a in avatars.values()
            if a.dirty and a.remote is None
        ]
        if mine:
            self._publish(cluster.Poses(self.node, mine))
        if now - self.beat_at >= cluster.BEAT_SECONDS:
            self.beat_at = now
            local = [k for k, a in avatars.items() if a.remote is None]
            self._publish(cluster.Beat(self.node, local))
            self._forget_silent_nodes(now)

    def _forget_silent_nodes(self, now: float) -> None:
        for node, at in list(self.heard.items()):
            if now - at > cluster.NODE_TTL:
                del self.heard[node]
                lab.forget_node(self.inst, node)
                for key in [k for k, a in self.inst.avatars.items() if a.remote == node]:
                    self.inst.unmirror(key)

    def reaches(self, avatar_id: str) -> bool:
        return avatar_id in self.inst.avatars

    def joined(self, avatar: Avatar, kind: str) -> None:
        self._publish(cluster.Join(self.node, avatar.state(), avatar.facilitator, kind))

    def away(self, avatar_id: str) -> None:
        self._publish(cluster.Away(self.node, avatar_id))

    def gone(self, avatar_id: str) -> None:
        self._publish(cluster.Gone(self.node, avatar_id))

    def emote(self, avatar_id: str, name: str) -> None:
        self._publish(cluster.Emote(self.node, avatar_id, name))

    def signal(self, peer: str, to: str, kind: str, data: str) -> None:
        self._publish(cluster.Signal(self.node, peer, to, kind, data))

    def chat(self, out: proto.ChatOut, to: str | None, x: float, z: float) -> None:
        self._publish(cluster.Chat(self.node, out, to, x, z))

    def moderated(self, action: str, target: str | None) -> None:
        self._publish(cluster.Mod(self.node, action, target))

    def pointed(self, out: proto.PointOut, x: float, z: float) -> None:
        self._publish(cluster.Point(self.node, out, x, z))

    def object_changed(self, out: proto.ObjectOut) -> None:
        # Per space, not per copy, and straight out: every copy on every node applies it.
        channel = cluster.objects_channel(self.inst.space_id)
        data = cluster.encoder.encode(cluster.Obj(self.node, out))
        self.hub.spawn(self.bus.publish(channel, data))

    def paced(self, out: proto.PacerOut) -> None:
        self._publish(cluster.Pacer(self.node, out))

    def calm(self, avatar_id: str, when: str, score: int) -> None:
        self._publish(cluster.Calm(self.node, avatar_id, when, score))

    def lab_frame(self, out: proto.LabOut, whole: bool) -> None:
        self._publish(cluster.LabFrame(self.node, out, whole))

    def lab_forward(self, run: str, avatar_id: str, message: proto.Lab | proto.LabAct) -> None:
        self._publish(cluster.LabIn(self.node, run, avatar_id, message))

    def lab_reply(self, to: str, error: proto.Error) -> None:
        self._publish(cluster.LabReply(self.node, to, error))

    def lesson(self, out: proto.LessonOut) -> None:
        self._publish(cluster.Lesson(self.node, out))

    def circle(self, op: str, who: str, data: str) -> None:
        self._publish(cluster.Circle(self.node, op, who, data))

    def stage(self, op: str, who: str, data: str) -> None:
        self._publish(cluster.Stage(self.node, op, who, data))

    def recall(self, space_id: str, back: str) -> None:
        # On the pair space's own channel (a consult-room size: always copy 1), straight out.
        message = cluster.Circle(self.node, "recall", "", back)
        channel = cluster.instance_channel(space_id, 1)
        self.hub.spawn(self.bus.publish(channel, cluster.encoder.encode(message)))

    # ---- what the other nodes' people do -----------------------------------------------------

    def on_remote(self, m: cluster.NodeMessage) -> None:
        """What another node's people did, applied to this node's copy of the instance."""
        inst = self.inst
        match m:
            case cluster.Poses(u=updates):
                avatars = inst.avatars
                for id_, x, y, z, yaw, anim, seq, head, lh, rh in updates:
                    a = avatars.get(id_)
                    if a is not None and a.remote is not None:
                        a.x, a.y, a.z, a.yaw, a.anim, a.seq = x, y, z, yaw, anim, seq
                        a.head = tuple(head) if head else None
                        a.lh = tuple(lh) if lh else None
                        a.rh = tuple(rh) if rh else None
                        a.dirty = True
                        inst.grid.place(id_, x, z)
            case cluster.Join(a=state, facilitator=facilitator, ev=ev):
                self._mirror(m.node, state, facilitator, ev)
            case cluster.Gone(id=id_):
                inst.unmirror(id_)
            case cluster.Away(id=id_):
                a = inst.avatars.get(id_)
                if a is not None and a.remote is not None:
                    a.away = True
                    a.dirty = True
                    inst.broadcast_event("away", id_)
            case cluster.Chat(out=out, to=to, x=x, z=z):
                if out.scope == "private":
                    keys = {to}
                elif out.scope == "nearby":
                    keys = inst.near_clients(x, z)
                else:
                    keys = inst.clients.keys()
                inst.deliver(keys, out.id, out)
            case cluster.Emote(id=id_, name=name):
                a = inst.avatars.get(id_)
                if a is not None:
                    inst.deliver(inst.near_clients(a.x, a.z), id_, proto.EmoteOut(id_, name))
            case cluster.Signal(peer=peer, to="*", kind="call", data=data):
                if (a := inst.avatars.get(peer)) is not None:
                    if data == "on":
                        stage.joining_call(inst, a)  # a silenced listener stays silent here too
                    inst.set_call(a, data == "on")
            case cluster.Signal(peer=peer, to=to, kind=kind, data=data):
                inst.deliver((to,), peer, proto.SignalOut(peer=peer, kind=kind, data=data))
            case cluster.Mod(action=action, target=target):
                moderation.apply(inst, action, target)
            case cluster.Obj(out=out):
                objects.apply(inst, out)
            case cluster.Point(out=out, x=x, z=z):
                inst.deliver(inst.near_clients(x, z), out.id, out)
            case cluster.Sync():
                for a in inst.avatars.values():
                    if a.remote is None:
                        self.joined(a, "")
                self._publish(
                    cluster.State(
                        self.node, inst.locked, sorted(inst.muted), sorted(inst.removed),
                        inst.pacer, dict(inst.calm_before), dict(inst.calm_after),
                        lab.current(inst) if inst.lab is not None else None, inst.lesson,
                        circle.snapshot(inst.circle), stage.snapshot(inst.stage),
                    )
                )  # fmt: skip
            case cluster.State(locked=locked, muted=muted, removed=removed):
                self.synced.add(m.node)
                self.answered.set()
                inst.locked = inst.locked or locked
                inst.muted.update(muted)
                inst.removed.update(removed)
                if m.pacer is not None and inst.pacer is None:
                    inst.pacer = m.pacer
                inst.calm_before.update(m.before)
                inst.calm_after.update(m.after)
                if m.lab is not None:
                    lab.mirror(inst, m.node, m.lab, whole=True, tell=False)
                if m.lesson is not None and inst.lesson is None:
                    inst.lesson = m.lesson
                if m.circle:
                    circle.adopt(inst, m.circle)
                if m.stage:
                    stage.adopt(inst, m.stage)
            case cluster.Pacer(out=out):
                pacer.apply(inst, out)
            case cluster.Calm(id=id_, when=when, score=score):
                pacer.rate_calm(inst, id_, when, score)
            case cluster.LabFrame(out=out, whole=whole):
                lab.mirror(inst, m.node, out, whole=whole)
            case cluster.LabIn(run=run, id=id_, message=message):
                lab.forwarded(inst, run, id_, message)
            case cluster.LabReply(to=to, error=error):
                inst.deliver((to,), "", error)
            case cluster.Lesson(out=out):
                lab.share_lesson(inst, out)
            case cluster.Circle(op=op, id=id_, data=data):
                circle.apply(inst, op, id_, data)
            case cluster.Stage(op=op, id=id_, data=data):
                stage.apply(inst, op, id_, data)
            case cluster.Beat(ids=ids):
                still = set(ids)
                for key in [k for k, a in inst.avatars.items() if a.remote == m.node]:
                    if key not in still:
                        inst.unmirror(key)
                if any(k not in inst.avatars for k in still):
                    # We missed an arrival (or forgot a node that went quiet): ask again.
                    self._publish(cluster.Sync(self.node))

    def _mirror(self, node: str, state: proto.AvatarState, facilitator: bool, ev: str) -> None:
        inst = self.inst
        local = inst.clients.get(state.id)
        known = inst.avatars.get(state.id)
        if known is not None and known.remote is None:
            # The same person joined on another node: that connection wins.
            if local is not None:
                del inst.clients[state.id]
                local.close_soon(proto.CLOSE_REPLACED, "You joined from somewhere else.")
            known.remote = node  # keep their place in the grid; the other node owns it now
            if known.seated:
                known.seated = False
                self.hub.seats.release(inst)
            inst.away_since.pop(state.id, None)
        if known is None:
            known = Avatar(state.id, state.name, state.role)
            inst.avatars[state.id] = known
        known.remote = node
        known.name, known.role, known.facilitator = state.name, state.role, facilitator
        known.x, known.y, known.z = state.p
        known.yaw, known.anim, known.away = state.yaw, state.anim, state.away
        known.head, known.lh, known.rh = state.head, state.lh, state.rh
        known.muted = state.muted or state.id in inst.muted
        known.call = state.call
        known.dirty = True
        inst.grid.place(state.id, known.x, known.z)
        if ev:
            inst.broadcast_event(ev, state.id)
