"""Breakout pairs of a support circle: a facilitator splits the members present into pairs (a
trio when the count is odd, or the pairs the facilitator chose), each pair gets a small private
space of its own for a few minutes, and everyone is brought back at the end.

- ``breakout`` ``{"action": "propose"}`` (facilitators): the facilitator alone gets
  ``breakout_proposal`` (detail: ``[[{"id", "name"}, …], …]``), the split ``start`` would make,
  to adjust before starting.
- ``breakout`` ``{"action": "start", "minutes", "pairs"?}`` (facilitators): the members present
  (not facilitators, not spectators, not away; every node's) in the order they came, two by two,
  the last three together when odd. ``pairs`` (lists of 2 or 3 avatar ids of members present,
  nobody twice) is the facilitator's own split; whoever is in no pair stays in the circle.
- Each pair's space is made in the database (:func:`open_rooms`): invite-only, unlisted, of the
  ``consult-room`` template (4 people), named "Breakout"; its members are the pair, under the
  pseudonym (alias) they have in the circle, and the circle's facilitators as facilitators — so
  a facilitator can visit any pair. Voice-only and text-only are the client's choice of media,
  kept as the person moves.
- Then the round is a circle operation (circle.py, relayed to every node): each member of a pair
  gets ``event`` ``breakout`` (target: their space; detail ``{"ends_at", "back", "with"}``, the
  names of the others in the pair) and moves there; facilitators get ``breakouts`` (detail: the
  round: ``{"round", "ends_at", "back", "pairs": [{"space", "ids", "names"}]}``).
- At ``ends_at`` (a task on the node where the round started) or when a facilitator sends
  ``{"action": "end"}``, everyone in every pair's space, on every node, gets ``breakout_end``
  (target: the circle's space) and comes back; the pair spaces' members are removed, so nobody
  can re-enter them. Clients also come back on their own at ``ends_at``.

Limits: the recall at the end runs on the starting node; if that node stops, the clients' own
timers bring people back. One round at a time.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from careverse.kernel.uow import unit_of_work
from careverse.world import protocol as proto
from careverse.world.avatar import Avatar, is_uuid
from careverse.world.connection import Client
from careverse.world.models import Space, SpaceMember
from careverse.world.templates import TEMPLATES

if TYPE_CHECKING:
    from careverse.world.instance import Instance

TEMPLATE = "consult-room"
NAME = "Breakout"


def pair_up(ids: list[str]) -> list[list[str]]:
    """Two by two in order; with an odd count the last three make a trio; fewer than two: none."""
    if len(ids) < 2:
        return []
    even = len(ids) - len(ids) % 2
    groups = [list(ids[i : i + 2]) for i in range(0, even, 2)]
    if len(ids) % 2:
        groups[-1].append(ids[-1])
    return groups


def present(inst: Instance) -> list[str]:
    """The members in the circle now (every node's), in the order they came."""
    return [
        a.id
        for a in inst.avatars.values()
        if not a.facilitator and not a.spectator and not a.away and is_uuid(a.id)
    ]


def handle(inst: Instance, me: Avatar, client: Client, message: proto.Breakout) -> None:
    """A facilitator starts or ends a round of breakout pairs."""
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
        return
    hub = inst.hub
    if message.action == "end":
        if inst.circle.breakouts:
            end(inst, str(inst.circle.breakouts.get("round", "")))
        return
    if message.action == "propose":
        pairs = [[{"id": i, "name": _name(inst, i)} for i in g] for g in pair_up(present(inst))]
        client.push(proto.Event(kind="breakout_proposal", detail=json.dumps(pairs)))
        return
    if inst.circle.breakouts:
        client.push(proto.Error(code="breakout_running", message="End the breakouts first."))
        return
    here = present(inst)
    if message.pairs is None:
        groups = pair_up(here)
    else:
        groups = [list(p) for p in message.pairs]
        chosen = [i for p in groups for i in p]
        if len(set(chosen)) != len(chosen) or not set(chosen) <= set(here):
            client.push(proto.Error(code="bad_pairs", message="Pair people who are here, once."))
            return
    if not groups:
        client.push(proto.Error(code="too_few", message="At least two members must be here."))
        return
    if hub is None or hub.db is None or not is_uuid(me.id) or not is_uuid(inst.space_id):
        client.push(proto.Error(code="unavailable", message="Breakouts are unavailable here."))
        return
    names = {i: _name(inst, i) for g in groups for i in g}
    round_ = {
        "round": uuid.uuid4().hex, "ends_at": round(time.time() + message.minutes * 60, 3),
        "back": inst.space_id,
        "pairs": [
            {"space": str(uuid.uuid4()), "ids": g, "names": [names[i] for i in g]} for g in groups
        ],
    }  # fmt: skip
    hub.spawn(_start(inst, uuid.UUID(me.id), round_))


def _name(inst: Instance, avatar_id: str) -> str:
    avatar = inst.member(avatar_id)
    return avatar.name if avatar is not None else ""


async def _start(inst: Instance, owner: uuid.UUID, round_: dict) -> None:
    assert inst.hub is not None and inst.hub.db is not None
    async with inst.hub.db.session() as session, unit_of_work(session):
        await open_rooms(session, uuid.UUID(inst.space_id), owner, round_["pairs"])
    _change(inst, "breakout", json.dumps(round_))
    await asyncio.sleep(max(0.0, round_["ends_at"] - time.time()))
    if inst.circle.breakouts.get("round") == round_["round"]:
        end(inst, round_["round"])


async def open_rooms(session, circle_id: uuid.UUID, owner: uuid.UUID, pairs: list[dict]) -> None:
    """Each pair's space, its members (with their circle alias) and the circle's facilitators."""
    rows = (
        await session.scalars(select(SpaceMember).where(SpaceMember.space_id == circle_id))
    ).all()
    aliases = {str(m.account_id): m.alias for m in rows}
    circle_space = await session.get(Space, circle_id)
    leads = {m.account_id for m in rows if m.role == "facilitator"} | {owner}
    if circle_space is not None:
        leads.add(circle_space.owner_id)
    for pair in pairs:
        space_id = uuid.UUID(pair["space"])
        session.add(
            Space(
                id=space_id, name=NAME, template=TEMPLATE, owner_id=owner, access="invite",
                capacity=TEMPLATES[TEMPLATE].capacity, listed=False,
            )
        )  # fmt: skip
        await session.flush()
        for account in pair["ids"]:
            session.add(
                SpaceMember(
                    space_id=space_id, account_id=uuid.UUID(account), role="participant",
                    alias=aliases.get(account),
                )
            )  # fmt: skip
        for lead in leads - {uuid.UUID(a) for a in pair["ids"]}:
            session.add(SpaceMember(space_id=space_id, account_id=lead, role="facilitator"))
    await session.flush()


def end(inst: Instance, round_id: str) -> None:
    """Bring everyone back: every pair space on every node is told, and closed to re-entry."""
    spaces = [p["space"] for p in inst.circle.breakouts.get("pairs", [])]
    _change(inst, "breakout_end", round_id)
    hub = inst.hub
    if hub is None:
        return
    for space in spaces:
        for copy in hub.instances.get(space, ()):
            recall(copy, inst.space_id)
        inst.relay.recall(space, inst.space_id)
    if hub.db is not None and spaces:
        hub.spawn(_close_rooms(inst, [uuid.UUID(s) for s in spaces]))


async def _close_rooms(inst: Instance, spaces: list[uuid.UUID]) -> None:
    assert inst.hub is not None and inst.hub.db is not None
    async with inst.hub.db.session() as session, unit_of_work(session):
        await session.execute(delete(SpaceMember).where(SpaceMember.space_id.in_(spaces)))


def recall(inst: Instance, back: str) -> None:
    """Everyone in a pair's space (on this node) goes back to the circle."""
    inst.broadcast_event("breakout_end", back)


def _change(inst: Instance, op: str, data: str) -> None:
    """As circle.change: applied here, relayed to the other nodes (who apply it via circle)."""
    apply(inst, op, "", data)
    inst.relay.circle(op, "", data)


def apply(inst: Instance, op: str, who: str, data: str) -> None:
    """A breakout operation of the circle (circle.apply), here or from another node."""
    state = inst.circle
    if op == "breakout":
        round_ = json.loads(data)
        state.breakouts = round_
        for pair in round_["pairs"]:
            for i, member in enumerate(pair["ids"]):
                others = [n for j, n in enumerate(pair["names"]) if j != i]
                detail = json.dumps(
                    {"ends_at": round_["ends_at"], "back": round_["back"], "with": others}
                )
                event = proto.Event(kind="breakout", target=pair["space"], detail=detail)
                inst.deliver([member], member, event)
        _tell_facilitators(inst)
    elif op == "breakout_end":
        if state.breakouts.get("round") == data:
            state.breakouts = {}
        _tell_facilitators(inst)
    elif op == "recall":
        recall(inst, data)


def _tell_facilitators(inst: Instance) -> None:
    data = proto.encode(proto.Event(kind="breakouts", detail=json.dumps(inst.circle.breakouts)))
    for key, client in inst.clients.items():
        avatar = inst.member(key)
        if avatar is not None and avatar.facilitator:
            client.push_raw(data)


def welcome(inst: Instance, me: Avatar, client: Client) -> None:
    """A facilitator arriving (or back from visiting a pair) sees the running round."""
    if me.facilitator and inst.circle.breakouts:
        client.push(proto.Event(kind="breakouts", detail=json.dumps(inst.circle.breakouts)))
