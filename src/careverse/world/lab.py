"""The simulation lab of a training-lab space: one virtual patient shared by everyone in it.

An instructor (``kernel.policy.may_instruct``: clinicians) starts a shipped scenario (``lab``);
the engine (``careverse.training.lab.LiveRun``) runs here on the server, advanced by the space's
tick in whole scenario seconds (``speed`` scenario seconds per second, 1 by default). Everyone
in the copy of the space gets ``lab`` messages: the status, the scenario clock, the monitor's
vitals and the event log's new entries, about twice a second and at once after any action.
Trainees (anyone here with an avatar) act with ``lab_act``: checked, applied to the patient,
timestamped in the log and kept for the score. The instructor can pause, resume, stop, change
the speed and inject an engine action (a condition's new severity, a drug) live.

When the scenario's time is up or the instructor stops it, the run is judged and scored (team
and each trainee) and published as ``training.events.LabRunEnded`` (training stores it for the
debrief). A late joiner gets the run, with its whole log, in ``welcome``.

With several nodes, the run lives on the node where it was started (the engine steps there
only). That node publishes every ``lab`` message it sends over the bus (``cluster.LabFrame``);
the other nodes mirror the run (``RemoteLab``: the last state and the whole log, for their
``welcome``) and pass the frames on to their people. A control or action from someone on
another node is forwarded to the run's node (``cluster.LabIn``, naming the run) and applied
there once, with the same checks; a refusal goes back to the sender (``cluster.LabReply``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
from pydantic import ValidationError

from careverse.kernel.policy import may_instruct
from careverse.kernel.uow import unit_of_work
from careverse.training.events import LabRunEnded
from careverse.training.findings import ask, examine
from careverse.training.lab import LiveRun, check_injection, check_trainee_action
from careverse.training.scenarios import Scenario, scenario_ids
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar, is_uuid

if TYPE_CHECKING:
    from careverse.world.instance import Instance

SEND_EVERY = 0.5  # seconds between monitor updates (actions are sent at once)
MAX_CATCH_UP = 1.0  # a stalled tick does not make the patient leap ahead


@dataclass
class LabState:
    run_id: str
    live: LiveRun
    instructor: str
    instructor_name: str
    started_at: datetime
    last: float
    status: str = "running"
    speed: float = 1.0
    owed: float = 0.0  # scenario seconds not yet advanced
    sent: int = 0  # log entries already sent
    sent_at: float = 0.0
    trainees: dict[str, str] = field(default_factory=dict)  # avatar id -> name
    result: dict[str, Any] | None = None
    seed: int = 0

    def out(self, *, whole_log: bool = False) -> proto.LabOut:
        log = self.live.log if whole_log else self.live.log[self.sent :]
        result = None
        if self.result is not None:
            result = {"outcome": self.result["outcome"], "score": self.result["score"]}
        vitals = self.live.vitals()
        bedside = {"examine": examine(vitals), "ask": ask(vitals, self.live.scenario.condition)}
        return proto.LabOut(
            run=self.run_id, scenario=self.live.scenario.id, title=self.live.scenario.title,
            status=self.status, clock=float(self.live.second), speed=self.speed,  # type: ignore[arg-type]
            instructor=self.instructor, vitals=vitals, log=list(log), result=result,
            bedside=bedside,
        )  # fmt: skip


@dataclass
class RemoteLab:
    """The lab's run as mirrored from the node it lives on."""

    node: str
    out: proto.LabOut  # the last state, with the whole log so far


class Pusher(Protocol):
    """Where refusals go: the sender's connection here, or a reply over the bus."""

    def push(self, message: msgspec.Struct) -> None: ...


def current(inst: Instance) -> proto.LabOut | None:
    """The lab's run with its whole log (for ``welcome``), here or mirrored, or None."""
    if inst.lab is not None:
        return inst.lab.out(whole_log=True)
    return inst.lab_remote.out if inst.lab_remote is not None else None


def handle(inst: Instance, me: Avatar, client: Pusher, message: proto.Lab | proto.LabAct) -> bool:
    """``lab`` (the instructor's controls) or ``lab_act`` (a trainee's action); False only for
    messages refused as invalid."""
    if not inst.template.lab:
        client.push(proto.Error(code="no_lab", message="This space has no simulation lab."))
        return True
    if me.spectator:
        client.push(proto.Error(code="spectator", message="Spectators cannot take part."))
        return True
    if isinstance(message, proto.Lab) and message.action == "lesson":
        if not may_instruct(me.role):
            client.push(proto.Error(code="forbidden", message="Only an instructor can do that."))
        else:
            out = proto.LessonOut(view=message.lesson, by=me.id)
            share_lesson(inst, out)
            inst.relay.lesson(out)
        return True
    remote = inst.lab_remote
    if remote is not None and remote.out.status != "ended":
        inst.relay.lab_forward(remote.out.run, me.id, message)  # applied on the run's node
        return True
    if isinstance(message, proto.LabAct):
        act(inst, me, client, message)
    elif not may_instruct(me.role):
        client.push(proto.Error(code="forbidden", message="Only an instructor can do that."))
    else:
        control(inst, me, client, message)
    return True


def act(inst: Instance, me: Avatar, client: Pusher, message: proto.LabAct) -> None:
    lab = inst.lab
    if lab is None or lab.status == "ended":
        client.push(proto.Error(code="no_run", message="No scenario is running."))
        return
    if lab.status == "paused":
        client.push(proto.Error(code="paused", message="The scenario is paused."))
        return
    try:
        params = check_trainee_action(message.name, dict(message.params))
    except ValueError as exc:
        client.push(proto.Error(code="bad_action", message=str(exc)))
        return
    if me.id != lab.instructor:
        lab.trainees.setdefault(me.id, me.name)
    lab.live.act(message.name, params, me.id, at=round(time.time(), 3))
    send(inst, time.time())


def control(inst: Instance, me: Avatar, client: Pusher, message: proto.Lab) -> None:
    lab = inst.lab
    now = time.time()
    if message.action == "start":
        if lab is not None and lab.status != "ended":
            client.push(proto.Error(code="lab_running", message="Stop the running scenario first."))
            return
        scenario = chosen(client, message)
        if scenario is None:
            return
        live = LiveRun(scenario, seed=message.seed)
        inst.lab = LabState(
            run_id=str(uuid.uuid4()), live=live, instructor=me.id, instructor_name=me.name,
            started_at=datetime.now(UTC), last=now, speed=message.speed, seed=message.seed,
        )  # fmt: skip
        live.note("control", "start", by=me.id, at=round(now, 3))
        inst.lab_remote = None
        inst.lab.sent = 0
        broadcast(inst, inst.lab.out(whole_log=True), whole=True)
        inst.lab.sent = len(live.log)
        inst.lab.sent_at = now
        return
    if lab is None or lab.status == "ended":
        client.push(proto.Error(code="no_run", message="No scenario is running."))
        return
    if message.action == "inject":
        try:
            params = check_injection(message.name or "", dict(message.params))
        except ValueError as exc:
            client.push(proto.Error(code="bad_action", message=str(exc)))
            return
        lab.live.inject(message.name or "", params, me.id, at=round(now, 3))
    elif message.action == "stop":
        finish(inst, "stopped", now)
        return
    else:
        if message.action == "pause":
            lab.status = "paused"
        elif message.action == "resume":
            lab.status = "running"
            lab.last = now
        else:
            lab.speed = message.speed
        detail = {"speed": lab.speed} if message.action == "speed" else {}
        lab.live.note("control", message.action, by=me.id, at=round(now, 3), **detail)
    send(inst, now)


def chosen(client: Pusher, message: proto.Lab) -> Scenario | str | None:
    """The scenario to start: a shipped one by id, or a draft checked by the schema (a
    refusal names the field); None when refused."""
    if message.draft is not None:
        try:
            return Scenario.model_validate(message.draft)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "scenario"
            client.push(proto.Error(code="bad_scenario", message=f"{where}: {first['msg']}"))
            return None
    if message.scenario not in scenario_ids():
        known = ", ".join(scenario_ids())
        client.push(proto.Error(code="bad_scenario", message=f"Choose one of: {known}."))
        return None
    return message.scenario


def step(inst: Instance, now: float) -> None:
    """From the tick: advance a running scenario by the time passed; tell everyone."""
    lab = inst.lab
    if lab is None or lab.status != "running":
        return
    lab.owed += min(MAX_CATCH_UP, max(0.0, now - lab.last)) * lab.speed
    lab.last = now
    whole = int(lab.owed)
    if whole:
        lab.owed -= lab.live.advance(whole)
        if lab.live.over:
            finish(inst, "time", now)
            return
    if now - lab.sent_at >= SEND_EVERY:
        send(inst, now)


def send(inst: Instance, now: float) -> None:
    """The monitor and the log's new entries to everyone here."""
    lab = inst.lab
    if lab is None:
        return
    for key, avatar in inst.avatars.items():
        if key != lab.instructor and is_uuid(key) and not avatar.spectator:
            lab.trainees.setdefault(key, avatar.name)
    broadcast(inst, lab.out())
    lab.sent = len(lab.live.log)
    lab.sent_at = now


def broadcast(
    inst: Instance, out: proto.LabOut, *, whole: bool = False, relay: bool = True
) -> None:
    """``out`` to everyone connected here and, from the run's node, to the other nodes."""
    data = proto.encode(out)
    for client in inst.clients.values():
        client.push_raw(data)
    if relay:
        inst.relay.lab_frame(out, whole)


def share_lesson(inst: Instance, out: proto.LessonOut) -> None:
    """The group anatomy lesson opened, changed or closed (here or on another node): kept for
    newcomers' ``welcome`` and sent to everyone here."""
    inst.lesson = out if out.view is not None else None
    data = proto.encode(out)
    for client in inst.clients.values():
        client.push_raw(data)


# ---- the run seen from the other nodes ---------------------------------------------------------


class _Reply:
    """A forwarded message's sender, on another node: refusals go back over the bus."""

    def __init__(self, inst: Instance, to: str) -> None:
        self.inst, self.to = inst, to

    def push(self, message: msgspec.Struct) -> None:
        if isinstance(message, proto.Error):
            self.inst.relay.lab_reply(self.to, message)


def forwarded(inst: Instance, run: str, avatar_id: str, message: proto.Lab | proto.LabAct) -> None:
    """A control or action from another node's person: applied here if the run lives here
    (every node hears it; only the run's node acts, so it applies once)."""
    lab = inst.lab
    if lab is None or lab.run_id != run:
        return
    me = inst.avatars.get(avatar_id)
    reply = _Reply(inst, avatar_id)
    if me is None:
        reply.push(proto.Error(code="no_run", message="Not in the lab yet: try again."))
        return
    handle(inst, me, reply, message)


def mirror(inst: Instance, node: str, out: proto.LabOut, *, whole: bool, tell: bool = True) -> None:
    """The run living on ``node`` moved: remember it (for ``welcome``) and tell everyone here."""
    if inst.lab is not None:
        if inst.lab.status != "ended":
            return  # a run lives here (two started at once on two nodes: each keeps its own)
        inst.lab = None
    known = inst.lab_remote
    if whole or known is None or known.out.run != out.run:
        inst.lab_remote = RemoteLab(node, msgspec.structs.replace(out, log=list(out.log)))
    else:
        known.out = msgspec.structs.replace(out, log=known.out.log + list(out.log))
    if tell:
        broadcast(inst, out, relay=False)


def forget_node(inst: Instance, node: str) -> None:
    """The run's node went silent: its run is gone (it ended there, as everyone left)."""
    if inst.lab_remote is not None and inst.lab_remote.node == node:
        inst.lab_remote = None


def finish(inst: Instance, reason: str, now: float) -> None:
    """Judge and score the run, tell everyone, and have training keep it."""
    lab = inst.lab
    if lab is None or lab.status == "ended":
        return
    lab.result = lab.live.finish(reason)
    lab.status = "ended"
    send(inst, now)
    _publish(inst, lab)


def _publish(inst: Instance, lab: LabState) -> None:
    hub = inst.hub
    db = hub.db if hub is not None else None
    if hub is None or db is None or not is_uuid(inst.space_id) or not is_uuid(lab.instructor):
        return
    result = lab.result or {}
    trainees = {k: v for k, v in lab.trainees.items() if is_uuid(k)}
    event = LabRunEnded(
        run_id=uuid.UUID(lab.run_id), space_id=uuid.UUID(inst.space_id),
        scenario=lab.live.scenario.id, title=lab.live.scenario.title, seed=lab.seed,
        instructor_id=uuid.UUID(lab.instructor), instructor_name=lab.instructor_name,
        trainees=trainees, started_at=lab.started_at, ended_at=datetime.now(UTC),
        outcome=result.get("outcome", "unresolved"), score=result.get("score", {}),
        individual={k: v for k, v in result.get("individual", {}).items() if k in trainees},
        log=list(lab.live.log), timeline=list(lab.live.timeline),
    )  # fmt: skip

    async def write() -> None:
        async with db.session() as session, unit_of_work(session) as uow:
            await uow.publish(event)

    hub.spawn(write())
