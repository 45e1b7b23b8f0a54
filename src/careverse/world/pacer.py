"""The shared breathing pacer of a space, and the group's anonymous calm ratings.

A facilitator starts a guided breathing session for everyone in the copy of the space (any
space whose template has ``pacer``: the therapy garden, the therapy room, the mindfulness garden,
the support circle). Nothing is streamed while it runs: the hub sends the start time on its own
clock, the rate and the duration once (``pacer``), and each client computes the phase from its
estimate of the server clock (``ping``/``pong``), so everyone breathes in together.

Calm ratings (0 tense … 10 calm, before and after) are kept per person only so that a second
rating replaces the first; what is sent is the count and, once ``MIN_CALM_GROUP`` people have
rated, the mean: never who rated what. A ``before`` rating given after a round's ``after``
ratings starts a new round. Both live with the instance (nothing is stored).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import Client

if TYPE_CHECKING:
    from careverse.world.instance import Instance

LEAD_SECONDS = 3.0  # the first breath in begins this long after "start": time to get ready
MIN_CALM_GROUP = 3  # fewer ratings than this: counts only, so nobody's rating can be read off


def running(inst: Instance, now: float | None = None) -> proto.PacerOut | None:
    """The pacer's state while it runs (for ``welcome``), or None."""
    state = inst.pacer
    if state is None or not state.on:
        return None
    if (now or time.time()) > state.start + state.seconds:
        return None
    return state


def handle(inst: Instance, me: Avatar, client: Client, message: proto.Pacer | proto.Calm) -> bool:
    """``pacer`` (facilitators) or ``calm`` (anyone here); False when refused."""
    if not inst.template.pacer:
        client.push(proto.Error(code="no_pacer", message="This space has no breathing pacer."))
        return False
    if isinstance(message, proto.Calm):
        rate_calm(inst, me.id, message.when, message.score)
        inst.relay.calm(me.id, message.when, message.score)
        return True
    if not me.facilitator:
        client.push(proto.Error(code="forbidden", message="Only a facilitator can do that."))
        return False
    if message.action == "start":
        out = proto.PacerOut(
            on=True, start=round(time.time() + LEAD_SECONDS, 3), rate=message.rate,
            seconds=message.minutes * 60, by=me.id,
        )  # fmt: skip
    else:
        out = proto.PacerOut(on=False, by=me.id)
    apply(inst, out)
    inst.relay.paced(out)
    return True


def apply(inst: Instance, out: proto.PacerOut) -> None:
    """A start or stop, made here or on another node: remembered and sent to everyone here."""
    inst.pacer = out
    data = proto.encode(out)
    for client in inst.clients.values():
        client.push_raw(data)


def rate_calm(inst: Instance, avatar_id: str, when: str, score: int) -> None:
    """One person's rating (here or on another node); everyone here gets the new aggregate."""
    if when == "before" and inst.calm_after:
        inst.calm_before.clear()
        inst.calm_after.clear()
    (inst.calm_before if when == "before" else inst.calm_after)[avatar_id] = score
    data = proto.encode(aggregate(inst))
    for client in inst.clients.values():
        client.push_raw(data)


def aggregate(inst: Instance) -> proto.CalmOut:
    """Counts, and means only over groups of at least ``MIN_CALM_GROUP``."""

    def mean(scores: dict[str, int]) -> float | None:
        if len(scores) < MIN_CALM_GROUP:
            return None
        return round(sum(scores.values()) / len(scores), 1)

    return proto.CalmOut(
        before=len(inst.calm_before), after=len(inst.calm_after),
        before_mean=mean(inst.calm_before), after_mean=mean(inst.calm_after),
    )  # fmt: skip
