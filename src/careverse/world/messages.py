"""What a client's messages do: one handler per message type, applied to its instance.

Handlers run synchronously as messages arrive; they change the instance (the tick sends the
result) or deliver straight to the people concerned, and tell the other nodes through the
instance's relay. Anything slow (database writes) is spawned on the hub.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from careverse.world import breakout, circle, lab, moderation, objects, pacer, stage
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import Client

if TYPE_CHECKING:
    from careverse.world.instance import Instance

MAX_SPEED = 12.0  # m/s, generous for running and VR snap moves; beyond it a pose is refused


def handle(inst: Instance, avatar_id: str, client: Client, message: proto.ClientMessage) -> bool:
    """Apply one message; False when it was refused as invalid (counted as abuse)."""
    me = inst.member(avatar_id)
    if me is None:
        return True
    match message:
        case proto.Pose():
            pose(inst, me, client, message)
        case proto.Chat():
            chat(inst, me, client, message)
        case proto.Emote(name=name):
            if me.spectator:
                return True
            out = proto.EmoteOut(id=me.id, name=name)
            inst.deliver(inst.visible_to(me, client) | {me.id}, me.id, out)
            inst.relay.emote(me.id, name)
        case proto.Signal():
            if me.spectator:
                return True
            signal(inst, me, message)
        case proto.Block(target=target, on=on):
            moderation.block(client, target, on)
        case proto.Moderate():
            moderation.moderate(inst, me, client, message)
        case proto.Ping(c=c):
            client.push(proto.Pong(c=c, s=time.time()))
        case proto.Hello():
            client.push(proto.Error(code="already_joined", message="You are already here."))
        case proto.ObjectAdd() | proto.ObjectMove() | proto.ObjectDelete():
            return objects.handle(inst, me, client, message)
        case proto.Point():
            return objects.point(inst, me, client, message)
        case proto.Pacer() | proto.Calm():
            return pacer.handle(inst, me, client, message)
        case (
            proto.Hand() | proto.Floor() | proto.CheckIn() | proto.NeedSupport()
            | proto.SupportAck() | proto.Agenda() | proto.Timer()
        ):  # fmt: skip
            circle.handle(inst, me, client, message)
        case proto.Breakout():
            if me.spectator:
                return True
            breakout.handle(inst, me, client, message)
        case proto.Lab() | proto.LabAct():
            return lab.handle(inst, me, client, message)
        case proto.StageCtl():
            stage.handle(inst, me, client, message)
    return True


def pose(inst: Instance, me: Avatar, client: Client, pose: proto.Pose) -> None:
    """A move: clamped to the floor, refused when impossibly fast; the tick sends it."""
    x, y, z = pose.p
    if not all(math.isfinite(v) for v in (x, y, z, pose.yaw)):
        client.push(proto.Error(code="bad_pose", message="Position must be finite numbers."))
        return
    bound = inst.template.half_extent
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
    inst.grid.place(me.id, x, z)


def chat(inst: Instance, me: Avatar, client: Client, chat: proto.Chat) -> None:
    """A chat line to the whole instance, to those nearby, or to one person."""
    if me.muted and me.id not in inst.stage.silenced:  # an event's audience may chat
        client.push(proto.Error(code="muted", message="A facilitator has muted you."))
        return
    out = proto.ChatOut(id=me.id, name=me.name, text=chat.text, scope=chat.scope, at=time.time())
    if chat.scope == "private":
        here = chat.to in inst.clients or chat.to in inst.watchers
        if chat.to is None or not (here or inst.relay.reaches(chat.to)):
            client.push(proto.Error(code="no_recipient", message="That person is not here."))
            return
        recipients = {chat.to, me.id}
    elif chat.scope == "nearby":
        recipients = inst.near_clients(me.x, me.z) | {me.id}
    else:
        recipients = set(inst.clients)
    inst.deliver(recipients, me.id, out)
    inst.relay.chat(out, chat.to, me.x, me.z)
    if inst.stage.live and chat.scope == "space":
        stage.chat(inst, me, chat.text)


def signal(inst: Instance, me: Avatar, message: proto.Signal) -> None:
    """WebRTC signalling to one peer (here or on another node), or joining/leaving the call."""
    if message.kind == "call":
        if message.data == "on":
            stage.joining_call(inst, me)  # an event's silenced audience stays silent
        inst.set_call(me, message.data == "on")
        return
    target = inst.clients.get(message.to)
    if target is not None:
        if me.id not in target.blocked:
            target.push(proto.SignalOut(peer=me.id, kind=message.kind, data=message.data))
    elif message.to in inst.avatars:
        inst.relay.signal(me.id, message.to, message.kind, message.data)
