"""The tick: 10-20 times a second, one batched delta per client with its area of interest.

Clients write into the instance (poses, chat, signals) as their messages arrive; the tick reads
the grid once per client and queues one delta, spliced from updates encoded once per tick.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from careverse.world import lab
from careverse.world import protocol as proto

if TYPE_CHECKING:
    from careverse.world.instance import Instance

_encode = proto.encoder.encode


def step(inst: Instance, now: float) -> None:
    """One tick: a batched delta per client with the avatars in its area of interest.

    Each moved avatar's update is encoded once per tick and spliced into every delta that
    carries it; full states (for arrivals) are encoded at most once per tick too.
    """
    inst.tick += 1
    for avatar_id, since in list(inst.away_since.items()):
        if now - since > inst.limits.grace_seconds:
            inst.drop(avatar_id)
    avatars = inst.avatars
    moved = {k: _encode(a.update()) for k, a in avatars.items() if a.dirty}
    states: dict[str, bytes] = {}
    head = b'{"t":"delta","tick":%d,"now":%s' % (inst.tick, repr(now).encode())
    # Who is in range changes slowly: ask the grid about each client about 5 times a
    # second (a different share of the clients at each tick); updates go out every tick.
    every = max(1, round(inst.limits.tick_hz / 5))
    phase = inst.tick % every
    for avatar_id, client in inst.clients.items():
        me = avatars.get(avatar_id) or inst.watchers.get(avatar_id)
        if me is None or client.closed:
            continue
        known = client.known
        if client.stale or client.slot % every == phase:
            client.stale = False
            visible = inst.visible_to(me, client)
            enter = visible - known
            leave = known - visible
            client.known = visible
            known = known & visible  # updates for those still in range; arrivals get states
        else:
            visible, enter, leave = known, (), ()
        upd = [b for k, b in moved.items() if k in known]
        if enter or leave or upd:
            parts = [head]
            if enter:
                for k in enter:
                    if k not in states:
                        states[k] = _encode(avatars[k].state())
                parts += (b',"enter":[', b",".join([states[k] for k in enter]), b"]")
            if upd:
                parts += (b',"upd":[', b",".join(upd), b"]")
            if leave:
                parts += (b',"leave":', _encode(sorted(leave)))
            parts.append(b"}")
            client.push_raw(b"".join(parts))
    if inst.lab is not None:
        lab.step(inst, now)  # the training lab's patient (lab.py)
    inst.relay.tick(now)  # this node's moves (and heartbeat) to the other nodes, if any
    for avatar in avatars.values():
        avatar.dirty = False


async def run(inst: Instance) -> None:
    """Tick while this node has anyone in the instance; then stop following the other nodes."""
    period = 1.0 / inst.limits.tick_hz
    next_at = time.monotonic()
    try:
        while inst.has_local():
            step(inst, time.time())
            next_at += period
            delay = next_at - time.monotonic()
            if delay < 0:  # running late: skip ahead rather than bunch ticks together
                next_at = time.monotonic()
                delay = 0
            await asyncio.sleep(delay)
        if inst.lab is not None:  # everyone left: a lab run still going is judged and kept
            lab.finish(inst, "everyone_left", time.time())
    finally:
        inst.relay.stop()
