"""The stage of an event (careverse.events): speakers on stage with voice, an audience whose
sound is off unless a host brings them up, slides, and raised questions decided by a host.
Additive messages of the realtime protocol (``stage``; docs/protocol.md, docs/events.md).

A host (a facilitator of the space) sends ``stage`` with an action:

- ``start`` (``speakers``: the event's speakers, from its API): the stage is live. The hosts
  and the speakers are on stage; everyone else here, and everyone who arrives later, is
  *silenced*: muted as the hub's mute does (every client silences a muted person's sound, the
  ``muted`` flag and ``muted`` event), yet free to chat and to ask questions.
- ``up`` / ``down`` (``target``: who): bring a questioner up to speak (unmuted, on stage) or
  send them back to the audience (silenced again).
- ``slide`` (``slide``: the index): show a slide to everyone.
- ``approve`` / ``answer`` / ``dismiss`` (``target``: the question's id): decide a raised
  question; published as :class:`StageQuestionDecided` for events to check and keep, and told
  to everyone (``stage_question``, detail ``{"id", "status"}``) so each client shows the
  approved questions it then fetches.
- ``end``: the stage is over; the silenced are unmuted.

Anyone may send ``asked`` after raising a question over HTTP: the hosts only are told
(``stage_asked``) to refresh their queue. Every change of the stage is told to everyone as a
``stage`` event (detail ``{"live", "speakers", "slide"}``), and to each newcomer after their
welcome. While live, chat to the whole room, the start, the end and each slide are published as
:class:`StageRecorded` for the event's recording (never anyone's audio or video).

With several nodes, like the circle tools, each node holds its own copy of the stage: every
change is an operation (:func:`change`) applied here and relayed (``relay.stage``, cluster
``Stage``) to the other nodes, which apply the same (:func:`apply`) and tell their own people; a
node that starts serving the copy takes the others' stage from their ``State`` answer
(:func:`adopt`). A host's own mute (the hub's ``mute``) is kept apart from the stage's silencing
(``held``): bringing that person up or ending the stage leaves them muted until a host unmutes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from careverse.kernel.events import DomainEvent
from careverse.kernel.uow import unit_of_work
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar, is_uuid
from careverse.world.connection import Client
from careverse.world.stage_events import StageQuestionDecided, StageRecorded

if TYPE_CHECKING:
    from careverse.world.instance import Instance

DECISIONS = {"approve": "approved", "answer": "answered", "dismiss": "dismissed"}


@dataclass
class StageState:
    live: bool = False
    speakers: set[str] = field(default_factory=set)  # on stage, with voice
    silenced: set[str] = field(default_factory=set)  # the audience the stage muted
    slide: int = 0
    held: set[str] = field(default_factory=set)  # muted by a host's own mute: kept muted


def handle(inst: Instance, me: Avatar, client: Client, message: proto.StageCtl) -> None:
    """Apply one ``stage`` message from ``me`` (and tell the other nodes serving this copy)."""
    state = inst.stage
    if message.action == "asked":
        change(inst, "asked", me.id, "")
        return
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a host can do that."))
        return
    match message.action:
        case "start":
            change(inst, "start", me.id, json.dumps(sorted({me.id, *message.speakers})))
            _record(inst, "start", me.id, "")
        case "end":
            change(inst, "end", me.id, "")
            _record(inst, "end", me.id, "")
        case "slide":
            change(inst, "slide", me.id, str(message.slide))
            _record(inst, "slide", me.id, str(message.slide))
        case "up" | "down":
            target = inst.member(message.target or "")
            if not state.live or target is None:
                client.push(proto.Error(code="no_target", message="That person is not here."))
                return
            change(inst, message.action, target.id, "")
        case "approve" | "answer" | "dismiss":
            if not is_uuid(message.target or "") or not is_uuid(me.id):
                client.push(proto.Error(code="no_target", message="No such question."))
                return
            status = DECISIONS[message.action]
            change(inst, "question", me.id, json.dumps({"id": message.target, "status": status}))
            if is_uuid(inst.space_id):
                _publish(inst, StageQuestionDecided(
                    space_id=uuid.UUID(inst.space_id), question_id=uuid.UUID(message.target or ""),
                    by_id=uuid.UUID(me.id), decision=message.action,
                ))  # fmt: skip


def change(inst: Instance, op: str, who: str, data: str) -> None:
    """A change made on this node: applied here and relayed to the other nodes."""
    apply(inst, op, who, data)
    inst.relay.stage(op, who, data)


def apply(inst: Instance, op: str, who: str, data: str) -> None:
    """One operation on the stage, made here or on another node (the relay): every node applies
    it to its copy and tells its own people, so the audience on every node sees the same slide,
    stage and questions, and silencing reaches everyone's clients.

    ``who``: the host acting (``up``/``down``/``hush``: the person); ``data``: the argument
    (``start``: the speakers as JSON; ``slide``: the index; ``question``: ``{"id", "status"}``).
    """
    state = inst.stage
    match op:
        case "asked":
            _to_hosts(inst, proto.Event(kind="stage_asked"))
            return
        case "question":
            inst.broadcast_event("stage_question", None, detail=data)
            return
        case "hush":  # a newcomer to a live stage, silenced on every node
            if state.live and who not in state.speakers and not _host(inst, who):
                _voice(inst, who, False)
            return
        case "start":
            state.live = True
            state.speakers = {str(s) for s in json.loads(data)}
            for key, avatar in [*inst.avatars.items(), *inst.watchers.items()]:
                if not avatar.facilitator:
                    _voice(inst, key, key in state.speakers)
        case "end":
            state.live = False
            for key in list(state.silenced):
                _voice(inst, key, True)
            state.speakers = set()
        case "slide":
            state.slide = int(data) if data.lstrip("-").isdigit() else state.slide
        case "up" | "down":
            (state.speakers.add if op == "up" else state.speakers.discard)(who)
            if not _host(inst, who):
                _voice(inst, who, op == "up")
        case _:
            return
    inst.broadcast_event("stage", None, detail=describe(inst))


def muted_by_host(inst: Instance, key: str, on: bool) -> None:
    """The hub's mute (``on``) or unmute of someone, by a facilitator: a mute is the host's own
    and outlives the stage (bringing the person up or ending the stage keeps it)."""
    (inst.stage.held.add if on else inst.stage.held.discard)(key)
    if not on:
        inst.stage.silenced.discard(key)


def snapshot(state: StageState) -> dict:
    """The stage's state for a node that starts serving the same copy (cluster ``State``)."""
    if not state.live and not state.slide:
        return {}
    return {
        "live": state.live, "speakers": sorted(state.speakers), "silenced": sorted(state.silenced),
        "slide": state.slide, "held": sorted(state.held),
    }  # fmt: skip


def adopt(inst: Instance, snap: dict) -> None:
    """Another node's stage, taken by a node that had none of its own yet."""
    state = inst.stage
    if state.live or state.slide or not snap:
        return
    try:
        state.live = bool(snap.get("live"))
        state.speakers = {str(s) for s in snap.get("speakers", [])}
        state.silenced = {str(s) for s in snap.get("silenced", [])}
        state.held = {str(s) for s in snap.get("held", [])}
        state.slide = int(snap.get("slide", 0))
    except (TypeError, ValueError, AttributeError):
        return
    inst.muted.update(state.silenced)


def describe(inst: Instance) -> str:
    state = inst.stage
    return json.dumps(
        {"live": state.live, "speakers": sorted(state.speakers), "slide": state.slide}
    )


def welcome(inst: Instance, avatar: Avatar, client: Client) -> None:
    """A newcomer to a live stage: silenced (on every node) unless a host or a speaker, and
    told the stage."""
    if not avatar.facilitator and avatar.id not in inst.stage.speakers:
        change(inst, "hush", avatar.id, "")
    client.push(proto.Event(kind="stage", detail=describe(inst)))


def chat(inst: Instance, me: Avatar, text: str) -> None:
    """A chat line to the whole room, kept in the recording while the stage is live."""
    _record(inst, "chat", me.id, json.dumps({"name": me.name, "text": text}))


def joining_call(inst: Instance, me: Avatar) -> None:
    """A silenced person joins the call: everyone is told first, so their sound stays off."""
    if me.id in inst.stage.silenced:
        inst.broadcast_event("muted", me.id)


def _voice(inst: Instance, key: str, on: bool) -> None:
    """Unmute (``on``) or silence someone here, as the hub's mute does.

    Everyone is told only when the person is in the call (their sound is what the others must
    silence or play); otherwise only they are, and the others when they join the call
    (:func:`joining_call`). So starting a stage before 490 people costs 490 frames, not 490².
    """
    avatar = inst.member(key)
    state = inst.stage
    if on:
        state.silenced.discard(key)
        if key in state.held:
            return  # a host's own mute stays
        inst.muted.discard(key)
    else:
        if key in inst.muted and key not in state.silenced:
            state.held.add(key)  # muted by a host before the stage: theirs to lift
        state.silenced.add(key)
        inst.muted.add(key)
    kind = "unmuted" if on else "muted"
    if avatar is not None:
        avatar.muted = not on
        avatar.dirty = True
        if avatar.call:
            inst.broadcast_event(kind, key)
            return
    client = inst.clients.get(key)
    if client is not None:
        client.push(proto.Event(kind=kind, target=key))


def _host(inst: Instance, key: str) -> bool:
    avatar = inst.member(key)
    return avatar is not None and avatar.facilitator


def _to_hosts(inst: Instance, event: proto.Event) -> None:
    data = proto.encode(event)
    for key, client in inst.clients.items():
        avatar = inst.member(key)
        if avatar is not None and avatar.facilitator:
            client.push_raw(data)


def _record(inst: Instance, kind: str, account: str, detail: str) -> None:
    if not is_uuid(inst.space_id):
        return
    who = uuid.UUID(account) if is_uuid(account) else None
    _publish(inst, StageRecorded(
        space_id=uuid.UUID(inst.space_id), account_id=who, kind=kind, detail=detail,
        at=time.time(),
    ))  # fmt: skip


def _publish(inst: Instance, event: DomainEvent) -> None:
    """Publish in a unit of work of its own, off the message path (as the circle tools do)."""
    hub = inst.hub
    db = hub.db if hub is not None else None
    if hub is None or db is None:
        return

    async def write() -> None:
        async with db.session() as session, unit_of_work(session) as uow:
            await uow.publish(event)

    hub.spawn(write())
