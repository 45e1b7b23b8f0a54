"""Circle tools for a support group's session: talking order, check-ins, "I need support",
agenda and timer. Additive messages of the realtime protocol (docs/protocol.md).

The state lives on the instance (this node's copy of the space): the queue of raised hands, who
has the floor, each person's check-in per phase, the agenda and the timer. Everyone in the
instance is told with ``event`` messages whose ``detail`` is JSON:

- ``hands`` (detail: the queue, avatar ids in order) and ``floor`` (target: who speaks, or none);
- ``checkin`` (detail ``{"phase", "n", "counts"?}``): the anonymous aggregate — ``counts`` (how
  many chose 1…5) only once **3 or more** have answered, so nobody's score can be told apart;
- ``agenda`` (detail: the items), ``timer`` (detail ``{"ends_at", "label"}``, epoch seconds; 0
  stopped).

"I need support" goes to the facilitators only (``support``, target: who; never to the others),
and the person gets ``support_sent``; it is published as :class:`CircleSupportRequested` so the
group's request and its acknowledgement deadline are kept (and escalated through the crisis path
when nobody acknowledges). A facilitator's ``support_ack`` tells the person (``support_ack``) and
the other facilitators. Check-ins are published as :class:`CircleCheckIn` to be kept per member.
Writing those events is spawned on the hub (messages are handled synchronously).

With several nodes, each node holds its own copy of the state: every change is an operation
(:func:`change`) applied here and relayed (``relay.circle``) to the other nodes, which apply the
same operation (:func:`apply`); a node that starts serving the copy takes the others' state with
their ``State`` answer (:func:`adopt`). Someone arriving is sent the state as it is
(:func:`welcome`). Breakout pairs are in breakout.py.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from careverse.kernel.uow import unit_of_work
from careverse.world import breakout
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar, is_uuid
from careverse.world.circle_events import (
    CircleCheckIn,
    CircleSupportAcknowledged,
    CircleSupportRequested,
)
from careverse.world.connection import Client

if TYPE_CHECKING:
    from careverse.world.instance import Instance

CircleEvent = CircleCheckIn | CircleSupportAcknowledged | CircleSupportRequested

log = structlog.get_logger(__name__)

ANONYMOUS_AT = 3  # an aggregate is shown only with this many answers or more


@dataclass
class CircleState:
    hands: list[str] = field(default_factory=list)
    floor: str | None = None
    checkins: dict[str, dict[str, int]] = field(default_factory=lambda: {"start": {}, "end": {}})
    agenda: list[str] = field(default_factory=list)
    timer_ends: float = 0.0
    timer_label: str = ""
    support: dict[str, str] = field(default_factory=dict)  # waiting for a facilitator: name
    breakouts: dict = field(default_factory=dict)  # the running breakout round (breakout.py)


def aggregate(scores: dict[str, int], phase: str) -> dict:
    """The anonymous aggregate of one phase: counts per score only with enough answers."""
    out: dict = {"phase": phase, "n": len(scores)}
    if len(scores) >= ANONYMOUS_AT:
        counts = [0, 0, 0, 0, 0]
        for score in scores.values():
            counts[score - 1] += 1
        out["counts"] = counts
    return out


def handle(inst: Instance, me: Avatar, client: Client, message: proto.ClientMessage) -> None:
    """Apply one circle message from ``me`` (and tell the other nodes serving this copy)."""
    state = inst.circle
    if me.spectator:
        client.push(proto.Error(code="spectator", message="Spectators cannot use circle tools."))
        return
    match message:
        case proto.Hand(action=action):
            change(inst, "hand", me.id, action)
        case proto.Floor(action=action):
            if _facilitator(me, client):
                nxt = state.hands[0] if action == "next" and state.hands else ""
                change(inst, "floor", me.id, nxt)
        case proto.CheckIn(phase=phase, score=score):
            change(inst, "checkin", me.id, f"{phase}:{score}")
            _publish(inst, CircleCheckIn, account=me.id, phase=phase, score=score)
        case proto.NeedSupport():
            change(inst, "support", me.id, me.name)
            client.push(proto.Event(kind="support_sent", detail="A facilitator has been told."))
            _publish(inst, CircleSupportRequested, account=me.id)
        case proto.SupportAck(target=target):
            if not _facilitator(me, client):
                return
            change(inst, "ack", target, me.name)
            if is_uuid(me.id):
                _publish(inst, CircleSupportAcknowledged, account=target, by_id=uuid.UUID(me.id))
        case proto.Agenda(items=items):
            if _facilitator(me, client):
                change(inst, "agenda", me.id, json.dumps(list(items)))
        case proto.Timer(seconds=seconds, label=label):
            if _facilitator(me, client):
                ends = round(time.time() + seconds, 3) if seconds else 0.0
                change(inst, "timer", me.id, json.dumps({"ends_at": ends, "label": label}))


def change(inst: Instance, op: str, who: str, data: str) -> None:
    """A change made on this node: applied here and relayed to the other nodes."""
    apply(inst, op, who, data)
    inst.relay.circle(op, who, data)


def apply(inst: Instance, op: str, who: str, data: str) -> None:
    """One change to the circle's state, made here or on another node (the relay): the same
    operations in the same order give every node's copy the same state; everyone here is told.

    ``who`` is the avatar acting (for ``ack``: whose request); ``data`` is the operation's
    argument as a string (``floor``: the new speaker, chosen by the node where the facilitator
    pressed "call next", so two nodes never pop different hands)."""
    state = inst.circle
    match op:
        case "hand":
            if data == "raise" and who not in state.hands:
                state.hands.append(who)
            elif data in ("lower", "pass") and who in state.hands:
                state.hands.remove(who)
            if data == "pass" and state.floor == who:
                state.floor = None
                inst.broadcast_event("floor", None, detail="pass")
            _hands(inst)
        case "floor":
            state.floor = data or None
            if data in state.hands:
                state.hands.remove(data)
            inst.broadcast_event("floor", state.floor)
            _hands(inst)
        case "checkin":
            phase, _, score = data.partition(":")
            if phase in state.checkins and score.isdigit() and 1 <= int(score) <= 5:
                state.checkins[phase][who] = int(score)
                detail = json.dumps(aggregate(state.checkins[phase], phase))
                inst.broadcast_event("checkin", None, detail=detail)
        case "support":
            state.support[who] = data
            _to_facilitators(inst, proto.Event(kind="support", target=who, detail=data))
        case "ack":
            state.support.pop(who, None)
            ack = proto.Event(kind="support_ack", target=who, detail=data)
            if not _is_facilitator(inst, who):
                inst.deliver([who], who, ack)
            _to_facilitators(inst, ack)
        case "agenda":
            state.agenda = list(json.loads(data))
            inst.broadcast_event("agenda", None, detail=json.dumps(state.agenda))
        case "timer":
            timer = json.loads(data)
            state.timer_ends, state.timer_label = float(timer["ends_at"]), str(timer["label"])
            inst.broadcast_event("timer", None, detail=data)
        case _:
            breakout.apply(inst, op, who, data)


def snapshot(state: CircleState) -> dict:
    """The circle's state for a node that starts serving the same copy (cluster ``State``)."""
    return {
        "hands": state.hands, "floor": state.floor, "checkins": state.checkins,
        "agenda": state.agenda, "timer": [state.timer_ends, state.timer_label],
        "support": state.support, "breakouts": state.breakouts,
    }  # fmt: skip


def adopt(inst: Instance, snap: dict) -> None:
    """Another node's state, taken by a node that had none of its own yet."""
    state = inst.circle
    if state.hands or state.agenda or state.timer_ends or any(state.checkins.values()):
        return
    try:
        state.hands = [str(h) for h in snap.get("hands", [])]
        state.floor = snap.get("floor") or None
        for phase in ("start", "end"):
            scores = snap.get("checkins", {}).get(phase, {})
            state.checkins[phase] = {str(k): int(v) for k, v in scores.items()}
        state.agenda = [str(a) for a in snap.get("agenda", [])]
        ends, label = snap.get("timer", [0.0, ""])
        state.timer_ends, state.timer_label = float(ends), str(label)
        state.support = {str(k): str(v) for k, v in snap.get("support", {}).items()}
        state.breakouts = dict(snap.get("breakouts") or {})
    except (TypeError, ValueError, AttributeError):
        log.warning("world.bad_circle_state", instance=inst.name)


def welcome(inst: Instance, me: Avatar, client: Client) -> None:
    """What a newcomer (or someone back from a breakout) needs to see the circle as it is."""
    state = inst.circle
    events: list[proto.Event] = []
    if state.hands or state.floor:
        events.append(proto.Event(kind="hands", target=state.floor, detail=json.dumps(state.hands)))
    if state.agenda:
        events.append(proto.Event(kind="agenda", detail=json.dumps(state.agenda)))
    if state.timer_ends > time.time():
        detail = json.dumps({"ends_at": state.timer_ends, "label": state.timer_label})
        events.append(proto.Event(kind="timer", detail=detail))
    for phase, scores in state.checkins.items():
        if scores:
            events.append(proto.Event(kind="checkin", detail=json.dumps(aggregate(scores, phase))))
    if me.facilitator:
        events += [
            proto.Event(kind="support", target=k, detail=v) for k, v in state.support.items()
        ]
    for event in events:
        client.push(event)
    breakout.welcome(inst, me, client)


def _facilitator(me: Avatar, client: Client) -> bool:
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
    return me.facilitator


def _hands(inst: Instance) -> None:
    inst.broadcast_event("hands", inst.circle.floor, detail=json.dumps(inst.circle.hands))


def _is_facilitator(inst: Instance, avatar_id: str) -> bool:
    avatar = inst.member(avatar_id)
    return avatar is not None and avatar.facilitator


def _to_facilitators(inst: Instance, event: proto.Event) -> None:
    data = proto.encode(event)
    for key, client in inst.clients.items():
        avatar = inst.member(key)
        if avatar is not None and avatar.facilitator:
            client.push_raw(data)


def _publish(inst: Instance, kind: type[CircleEvent], *, account: str, **fields) -> None:
    """Publish a circle event in a unit of work of its own, off the message path."""
    hub = inst.hub
    db = hub.db if hub is not None else None
    if hub is None or db is None or not is_uuid(account) or not is_uuid(inst.space_id):
        return
    event = kind(space_id=uuid.UUID(inst.space_id), account_id=uuid.UUID(account), **fields)

    async def write() -> None:
        async with db.session() as session, unit_of_work(session) as uow:
            await uow.publish(event)

    hub.spawn(write())
