"""Room moderation: a facilitator mutes, removes, locks or ends; anyone blocks someone for
themselves; and someone whose invitation ended is let out (:func:`dismiss`).

A facilitator's decision is applied here, remembered beyond this node's copy (seats.py: removals
and locks outlive it), and sent to the other nodes, which apply it with :func:`apply`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careverse.world import protocol as proto
from careverse.world import stage
from careverse.world.avatar import Avatar
from careverse.world.connection import Client

if TYPE_CHECKING:
    from careverse.world.instance import Instance


def block(client: Client, target: str, on: bool) -> None:
    """Stop (or resume) seeing and hearing ``target``, for this client only."""
    (client.blocked.add if on else client.blocked.discard)(target)
    client.stale = True  # the next tick asks its area of interest again


def moderate(inst: Instance, me: Avatar, client: Client, mod: proto.Moderate) -> None:
    """A facilitator's ``mod`` message: checked, applied here, remembered, told to other nodes."""
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
        return
    if mod.action in ("mute", "unmute", "remove") and inst.member(mod.target or "") is None:
        client.push(proto.Error(code="no_target", message="That person is not here."))
        return
    apply(inst, mod.action, mod.target)
    if inst.hub is not None:
        inst.hub.seats.remember_mod(inst, mod.action, mod.target)
    inst.relay.moderated(mod.action, mod.target)


def dismiss(inst: Instance, target_id: str, reason: str) -> None:
    """Someone who may no longer be here (their invitation ended) leaves this node's copy now.

    Unlike a facilitator's removal nothing is remembered or announced: the space's membership,
    checked at every entry, keeps them out, and the others see them leave (``leave`` in the next
    delta). A mirror of someone held by another node is left to that node, which is told the same
    and lets them go (its relay then tells this one).
    """
    victim = inst.clients.pop(target_id, None)
    target = inst.member(target_id)
    if target is not None and target.remote is None:
        inst.drop(target_id)
    if victim is not None:
        victim.close_soon(proto.CLOSE_UNINVITED, reason)


def apply(inst: Instance, action: str, target_id: str | None) -> None:
    """A facilitator's decision, made here or on another node, applied to this node."""
    target = inst.member(target_id or "")
    if action in ("mute", "unmute") and target_id is not None:
        (inst.muted.add if action == "mute" else inst.muted.discard)(target_id)
        stage.muted_by_host(inst, target_id, action == "mute")
        if target is not None:
            target.muted = action == "mute"
            target.dirty = True
        inst.broadcast_event(action + "d", target_id)
    elif action == "remove" and target_id is not None:
        inst.removed.add(target_id)
        victim = inst.clients.pop(target_id, None)
        if target is not None and target.remote is not None:
            inst.unmirror(target_id)
        else:
            inst.drop(target_id)
        if victim is not None:
            victim.close_soon(proto.CLOSE_REMOVED, "A facilitator removed you from this space.")
        inst.broadcast_event("removed", target_id)
    elif action in ("lock", "unlock"):
        inst.locked = action == "lock"
        inst.broadcast_event(action + "ed", None)
    elif action == "end":
        end(inst, "The facilitator ended this session.")


def end(inst: Instance, reason: str) -> None:
    """The session is over: everyone here is told why (an ``ended`` event), then let go."""
    data = proto.encode(proto.Event(kind="ended", detail=reason))
    for client in inst.clients.values():
        client.push_raw(data)
    for key, other in list(inst.clients.items()):
        other.close_soon(proto.CLOSE_ENDED, reason)
        inst.drop(key)
    inst.clients.clear()
    for key in [k for k, a in inst.avatars.items() if a.remote is None]:
        inst.drop(key)
