"""A node killed with SIGKILL while people are in a space on two nodes (real `careverse serve`
processes on one PostgreSQL and one Redis): those who were on it reconnect to the survivor and
keep their place; those on the survivor never notice more than a pause; the dead node's seats
expire, so the head count is right again."""

from __future__ import annotations

import os
import signal

import pytest
import websockets

from careverse.bench.world import serve
from careverse.world.client import WorldClient
from tests.conftest import TEST_KEYS
from tests.faults.services import until
from tests.faults.support import (
    new_space,
    present,
    ready,
    sees,
    sign_up,
    until_chat_crosses,
)

pytestmark = pytest.mark.faults


async def test_a_node_killed_mid_session(private_postgres_url, private_redis, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env.update(
        CAREVERSE_DATA_DIR=str(tmp_path), CAREVERSE_DATABASE_URL=private_postgres_url,
        CAREVERSE_ENCRYPTION_KEYS=TEST_KEYS, CAREVERSE_REDIS_URL=private_redis.url,
        CAREVERSE_MIGRATE_ON_START="false", CAREVERSE_WORLD_TICK_HZ="20",
        CAREVERSE_LOG_LEVEL="WARNING",
    )  # fmt: skip
    with serve(env) as (survivor, _), serve(env) as (doomed, process):
        clin_id, clin = await sign_up(survivor, private_postgres_url, "clinician", "Dr. Rivera")
        pat_id, pat = await sign_up(survivor, private_postgres_url, "patient", "Amara")
        room = await new_space(survivor, clin)
        async with await WorldClient.connect(survivor, clin, room) as a:
            b = await WorldClient.connect(doomed, pat, room)
            await sees(a, lambda: pat_id in a.avatars)
            x, _, z = b.avatars[pat_id].p
            await b.move(x + 1.0, 0, z + 0.5, yaw=1.2)
            place = (round(x + 1.0, 3), 0.0, round(z + 0.5, 3))
            await sees(a, lambda: a.avatars[pat_id].p == place)
            assert await present(survivor, clin, room) == 2

            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            with pytest.raises(websockets.ConnectionClosed):
                await b.wait_for(lambda m: False, timeout=10)

            assert await ready(survivor)  # the survivor serves on: it needs no other node
            # The patient's client reconnects, to the survivor this time.
            async with await WorldClient.connect(survivor, pat, room) as again:
                assert again.welcome.instance == a.welcome.instance
                mine = again.avatars[pat_id]
                assert mine.p == place and mine.yaw == pytest.approx(1.2, abs=1e-3)
                assert clin_id in again.avatars
                await until_chat_crosses(again, a)
                await until_chat_crosses(a, again)
                # The dead node's seat expires with its heartbeat; the count is true again.
                await until(
                    lambda: _is(present(survivor, clin, room), 2), timeout=60, what="2 present"
                )
                await again.move(place[0] + 0.5, 0, place[2])
                await sees(a, lambda: a.avatars[pat_id].p[0] == round(place[0] + 0.5, 3))
            await b.close()


async def _is(check, expected) -> bool:
    return await check == expected
