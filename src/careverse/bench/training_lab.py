"""``careverse bench training --labs N``: N simulation labs running at once on one node.

Each lab is a training-lab space of its own with an instructor and two trainees connected
through real sockets to a ``careverse serve`` of our own: the instructor starts a scenario (the
six in turn, at real speed), one trainee gives an intervention every second, and the other
trainee times each action from its sending to its arrival in a ``lab`` message (a room event;
one process, so one monotonic clock). The p99 of those times is the issue's figure (target
≤ 100 ms), with the server's CPU use over the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
import uuid

from sqlalchemy import select

from careverse.bench.seed import seed_bots
from careverse.bench.world import _cpu_seconds, bench_environment, serve
from careverse.identity.models import Account, AuthSession
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from careverse.kernel.tokens import digest
from careverse.training.scenarios import scenario_ids
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.models import Space

TARGET_P99_MS = 100.0


async def _seed(settings, labs: int) -> list[tuple[str, list[str]]]:
    """``labs`` training-lab spaces, each with an instructor (a clinician) and two trainees."""
    first, tokens = await seed_bots(settings, labs * 3, template="training-lab")
    db = Database(settings.effective_database_url)
    spaces = [first]
    try:
        async with db.session() as session:
            owner = (await session.get(Space, uuid.UUID(first))).owner_id  # type: ignore[union-attr]
            for _ in range(labs - 1):
                space = Space(
                    name="Benchmark lab", template="training-lab", owner_id=owner,
                    access="members", capacity=16, listed=False,
                )  # fmt: skip
                session.add(space)
                await session.flush()
                spaces.append(str(space.id))
            # The first bot of each lab teaches: bots are made as patients.
            for i in range(labs):
                account_id = await session.scalar(
                    select(AuthSession.account_id).where(
                        AuthSession.access_hash == digest(tokens[3 * i])
                    )
                )
                account = await session.get(Account, account_id)
                if account is not None:
                    account.role = Role.CLINICIAN.value
            await session.commit()
    finally:
        await db.dispose()
    return [(spaces[i], tokens[3 * i : 3 * i + 3]) for i in range(labs)]


async def _drain(client: WorldClient) -> None:
    with contextlib.suppress(Exception):
        async for _ in client.ws:
            pass


async def _lab(
    url: str, space: str, tokens: list[str], scenario: str, start: float, end: float,
    latencies: list[float], errors: list[str],
) -> None:  # fmt: skip
    clients: list[WorldClient] = []
    tasks: list[asyncio.Task] = []
    try:
        for token in tokens:
            clients.append(await WorldClient.connect(url, token, space, timeout=60))
        teacher, actor, watcher = clients
        sent: list[float] = []
        seen = 0

        async def watch() -> None:
            nonlocal seen
            async for raw in watcher.ws:
                now = time.monotonic()
                message = proto.server_decoder.decode(raw)
                if isinstance(message, proto.Error):
                    errors.append(message.code)
                if not isinstance(message, proto.LabOut):
                    continue
                for entry in message.log:
                    if entry.get("kind") == "action" and entry.get("by") == actor.you:
                        if seen < len(sent) and start <= sent[seen] <= end:
                            latencies.append((now - sent[seen]) * 1000.0)
                        seen += 1

        tasks = [
            asyncio.create_task(watch()),
            asyncio.create_task(_drain(teacher)),
            asyncio.create_task(_drain(actor)),
        ]
        await teacher.send(proto.Lab(action="start", scenario=scenario, speed=1.0))
        await asyncio.sleep(0.5)
        flow = 1
        while time.monotonic() < end:
            sent.append(time.monotonic())
            await actor.send(proto.LabAct(name="oxygen", params={"flow_l_min": float(flow)}))
            flow = flow % 15 + 1
            await asyncio.sleep(1.0)
        await asyncio.sleep(1.0)
    except Exception as exc:  # a refused or dropped connection is counted, not raised
        errors.append(type(exc).__name__)
    finally:
        for task in tasks:
            task.cancel()
        for client in clients:
            with contextlib.suppress(Exception):
                await client.close()


async def _labs(url: str, labs: list[tuple[str, list[str]]], start: float, end: float):
    latencies: list[float] = []
    errors: list[str] = []
    ids = scenario_ids()
    await asyncio.gather(
        *(
            _lab(url, space, tokens, ids[i % len(ids)], start, end, latencies, errors)
            for i, (space, tokens) in enumerate(labs)
        )
    )
    return latencies, errors


def run_lab_bench(labs: int = 20, seconds: float = 30.0, tick_hz: float = 20.0) -> dict:
    """Run ``labs`` labs for ``seconds`` on a server of our own; answers the room-event figures."""
    settings, env = bench_environment(None, tick_hz=tick_hz)
    seeded = asyncio.run(_seed(settings, labs))
    with serve(env) as (url, server):
        warmup = 3.0 + labs / 10
        start = time.monotonic() + warmup
        end = start + seconds
        cpu_before: float | None = None

        async def main():
            nonlocal cpu_before

            async def mark() -> None:
                nonlocal cpu_before
                await asyncio.sleep(max(0.0, start - time.monotonic()))
                cpu_before = _cpu_seconds(server.pid)

            marker = asyncio.create_task(mark())
            result = await _labs(url, seeded, start, end)
            await marker
            return result

        latencies, errors = asyncio.run(main())
        cpu = _cpu_seconds(server.pid) - (cpu_before or 0.0)
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    p99 = pct(0.99)
    return {
        "labs": labs,
        "clients": labs * 3,
        "seconds": seconds,
        "tick_hz": tick_hz,
        "actions_timed": len(latencies),
        "room_event_ms_p50": round(statistics.median(ordered), 2),
        "room_event_ms_p99": p99,
        "room_event_ms_max": round(ordered[-1], 2),
        "server_cpu_share": round(cpu / (seconds + 2.0), 3),
        "errors": sorted(set(errors)),
        "target_p99_ms": TARGET_P99_MS,
        "met": bool(latencies) and p99 <= TARGET_P99_MS and not errors,
    }
