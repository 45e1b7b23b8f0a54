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

With several nodes, each node holds its own copy's tool state (a circle is at most 24 people,
one copy); relaying it between nodes is not done yet.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from careverse.kernel.uow import unit_of_work
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
    support: set[str] = field(default_factory=set)  # waiting for a facilitator


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
    """Apply one circle message from ``me``."""
    state = inst.circle
    if me.spectator:
        client.push(proto.Error(code="spectator", message="Spectators cannot use circle tools."))
        return
    match message:
        case proto.Hand(action="raise"):
            if me.id not in state.hands:
                state.hands.append(me.id)
            _hands(inst)
        case proto.Hand(action="lower"):
            if me.id in state.hands:
                state.hands.remove(me.id)
            _hands(inst)
        case proto.Hand(action="pass"):
            if me.id in state.hands:
                state.hands.remove(me.id)
            if state.floor == me.id:
                state.floor = None
                inst.broadcast_event("floor", None, detail="pass")
            _hands(inst)
        case proto.Floor(action=action):
            if not _facilitator(me, client):
                return
            state.floor = state.hands.pop(0) if action == "next" and state.hands else None
            inst.broadcast_event("floor", state.floor)
            _hands(inst)
        case proto.CheckIn(phase=phase, score=score):
            state.checkins[phase][me.id] = score
            detail = json.dumps(aggregate(state.checkins[phase], phase))
            inst.broadcast_event("checkin", None, detail=detail)
            _publish(inst, CircleCheckIn, account=me.id, phase=phase, score=score)
        case proto.NeedSupport():
            state.support.add(me.id)
            _to_facilitators(inst, proto.Event(kind="support", target=me.id, detail=me.name))
            client.push(proto.Event(kind="support_sent", detail="A facilitator has been told."))
            _publish(inst, CircleSupportRequested, account=me.id)
        case proto.SupportAck(target=target):
            if not _facilitator(me, client):
                return
            state.support.discard(target)
            ack = proto.Event(kind="support_ack", target=target, detail=me.name)
            inst.deliver([target], me.id, ack)
            _to_facilitators(inst, ack)
            if is_uuid(me.id):
                _publish(inst, CircleSupportAcknowledged, account=target, by_id=uuid.UUID(me.id))
        case proto.Agenda(items=items):
            if not _facilitator(me, client):
                return
            state.agenda = list(items)
            inst.broadcast_event("agenda", None, detail=json.dumps(state.agenda))
        case proto.Timer(seconds=seconds, label=label):
            if not _facilitator(me, client):
                return
            state.timer_ends = time.time() + seconds if seconds else 0.0
            state.timer_label = label
            detail = json.dumps({"ends_at": round(state.timer_ends, 3), "label": label})
            inst.broadcast_event("timer", None, detail=detail)


def _facilitator(me: Avatar, client: Client) -> bool:
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
    return me.facilitator


def _hands(inst: Instance) -> None:
    inst.broadcast_event("hands", inst.circle.floor, detail=json.dumps(inst.circle.hands))


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
