"""A slow database does not stall the world: while another session holds exclusive locks on the
world's tables (object writes and newcomers' admissions wait on them), the people already in the
space keep seeing each other move at the tick rate; the waiting work completes once the locks go."""

from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg
import pytest
from sqlalchemy import select

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.models import SpaceObject
from tests.faults.services import until
from tests.faults.support import ready, sees
from tests.integration.world.conftest import live, person, space

pytestmark = pytest.mark.faults
__all__ = ["live", "person", "space"]

MOVES = 30  # at 10 a second: three seconds of walking while the tables are locked


@pytest.fixture
def database_url(private_postgres_url: str) -> str:
    return private_postgres_url


@pytest.fixture
def world_overrides() -> dict:
    return {"world_tick_hz": 20, "world_grace_seconds": 1.0}


async def test_locked_tables_do_not_stall_the_tick(live, person, space, database_url):
    url, app = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    _, late = await person("patient", "Kofi")
    room = await space(clin)
    async with (
        await WorldClient.connect(url, clin, room) as a,
        await WorldClient.connect(url, pat, room) as b,
    ):
        await sees(a, lambda: pat_id in a.avatars)
        await a.send(proto.ObjectAdd(kind="note", p=(1.0, 0.0, 1.0), title="Agenda"))
        added = await a.wait_for(lambda m: isinstance(m, proto.ObjectOut) and m.op == "add")

        locker = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        tx = locker.transaction()
        await tx.start()
        await locker.execute(
            "LOCK TABLE space_objects, spaces, space_members IN ACCESS EXCLUSIVE MODE"
        )
        try:
            # Work that needs the tables now waits: a move of the note to write, a newcomer.
            await a.send(proto.ObjectMove(id=added.id, p=(2.0, 0.0, 2.0)))
            newcomer = asyncio.create_task(WorldClient.connect(url, late, room, timeout=60))
            seen_at: list[float] = []

            x, _, z = b.avatars[pat_id].p
            last = round(x + 0.05 * MOVES, 3)

            async def watch() -> None:
                while a.avatars[pat_id].p[0] != last:
                    m = await a.receive(timeout=10)
                    if isinstance(m, proto.Delta) and any(u.id == pat_id for u in m.upd):
                        seen_at.append(time.monotonic())

            watching = asyncio.create_task(watch())
            started = time.monotonic()
            for i in range(1, MOVES + 1):
                await b.move(x + 0.05 * i, 0, z)
                await asyncio.sleep(0.1)
            await asyncio.wait_for(watching, 15)
            assert not newcomer.done(), "the newcomer's admission did not wait on the lock"
            assert await ready(url)  # slow tables, but the database answers: still ready
        finally:
            await tx.rollback()
            await locker.close()

        gaps = [later - earlier for earlier, later in itertools.pairwise(seen_at)]
        assert len(seen_at) >= MOVES // 2, seen_at  # moves arrive as they are made, not at the end
        # At 20 Hz a gap is 0.05 s; a tick that waited on the locks would show one of 3 s or more.
        assert seen_at[0] - started < 2.0 and max(gaps) < 2.0, (seen_at[0] - started, max(gaps))
        # Once the locks go, what waited is done: the newcomer is in, the move is written.
        async with await newcomer as c:
            assert {clin_id, pat_id} <= set(c.avatars)

        async def moved() -> bool:
            async with app.state.runtime.db.session() as session:
                row = await session.scalar(select(SpaceObject).where(SpaceObject.space_id == room))
                return row is not None and row.x == 2.0

        await until(moved, what="the object's move written")
