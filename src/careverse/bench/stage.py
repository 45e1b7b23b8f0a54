"""``careverse bench stage``: an event's stage in a full auditorium, on one node's hub code.

One copy of an ``auditorium`` space (no network, no database: the instance, its clients'
outboxes and writers, as the hub runs them) holds a host and ``audience`` people. The host
starts the stage (everyone silenced), then shows ``runs`` slides one after another; for each
message the wall time from the host's message to the moment the last audience member's writer
has sent the frame (``fanout_ms``), p50/p99/max, against a target of 100 ms (the room-event
target of issue 17). The frames are encoded once per message (``broadcast_event``).
"""

from __future__ import annotations

import asyncio
import time
import uuid

from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import Client, Limits
from careverse.world.instance import Instance
from careverse.world.templates import TEMPLATES

TARGET_MS = 100.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(audience: int, runs: int) -> dict:
    limits = Limits()
    inst = Instance(str(uuid.uuid4()), 1, TEMPLATES["auditorium"], 500, limits)
    arrived: dict[int, float] = {}  # audience member → when their writer sent the stage frame
    wanted = [0]
    done = asyncio.Event()

    def sender(index: int):
        async def send(data: bytes) -> None:
            if index >= 0 and b'"kind":"stage"' in data:
                arrived[index] = time.perf_counter()
                if len(arrived) >= wanted[0]:
                    done.set()

        return send

    async def close(code: int, reason: str) -> None:
        return None

    host_id = str(uuid.uuid4())
    host_client = Client(host_id, sender(-1), close, limits)
    inst.attach(Avatar(host_id, "Host", "clinician", facilitator=True), host_client)
    clients = []
    for i in range(audience):
        key = str(uuid.uuid4())
        client = Client(key, sender(i), close, limits)
        inst.attach(Avatar(key, f"P{i}", "patient"), client)
        clients.append(client)
        await asyncio.sleep(0)  # people arrive over time: the others' "joined" frames go out
    await asyncio.sleep(0.05)

    async def timed(message: proto.StageCtl) -> float:
        arrived.clear()
        done.clear()
        wanted[0] = audience - sum(1 for c in clients if c.closed)
        start = time.perf_counter()
        inst.handle(host_id, host_client, message)
        await asyncio.wait_for(done.wait(), timeout=10)
        return (max(arrived.values()) - start) * 1000

    start_ms = await timed(proto.StageCtl(action="start"))
    times = [await timed(proto.StageCtl(action="slide", slide=n % 100)) for n in range(runs)]
    closed = sum(1 for c in clients if c.closed)
    for client in [host_client, *clients]:
        await client.shutdown()
    p99 = _percentile(times, 0.99)
    return {
        "benchmark": "stage",
        "audience": audience,
        "slides": runs,
        "start_ms": round(start_ms, 2),
        "fanout_ms_p50": round(_percentile(times, 0.5), 2),
        "fanout_ms_p99": round(p99, 2),
        "fanout_ms_max": round(max(times), 2),
        "closed_as_too_slow": closed,
        "target_ms": TARGET_MS,
        "met": p99 <= TARGET_MS and start_ms <= TARGET_MS and closed == 0,
    }


def run_stage_bench(audience: int = 490, runs: int = 200) -> dict:
    return asyncio.run(_run(audience, runs))
