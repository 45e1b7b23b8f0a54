"""Redis killed (SIGKILL, no persistence: every key gone) and restarted while two nodes share a
space: /readyz says so on both, the people in the space are told, and afterwards presence, seats
and chat recover on their own with nothing duplicated."""

from __future__ import annotations

import httpx
import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.faults.services import until
from tests.faults.support import (
    chats,
    node_app,
    present,
    ready,
    sees,
    until_chat_crosses,
)
from tests.integration.world.conftest import live, person, space
from tests.support import serve_in_thread

pytestmark = pytest.mark.faults
__all__ = ["live", "person", "space"]


@pytest.fixture
def database_url(private_postgres_url: str) -> str:
    return private_postgres_url


@pytest.fixture
def world_overrides(private_redis) -> dict:
    return {"world_tick_hz": 20, "world_grace_seconds": 1.0, "redis_url": private_redis.url}


@pytest.fixture
def second(database_url, tmp_path, private_redis):
    with serve_in_thread(node_app(database_url, tmp_path, redis_url=private_redis.url)) as url:
        yield url


def notice(kind: str):
    return lambda m: isinstance(m, proto.Event) and m.kind == kind


async def test_redis_restart_two_nodes_share_a_space(live, second, person, space, private_redis):
    one, _ = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    room = await space(clin)
    async with (
        await WorldClient.connect(one, clin, room) as a,
        await WorldClient.connect(second, pat, room) as b,
    ):
        await sees(a, lambda: pat_id in a.avatars)
        await sees(b, lambda: clin_id in b.avatars)
        assert await present(one, clin, room) == 2

        private_redis.kill()
        for node in (one, second):
            await until(lambda node=node: _not(ready(node)), what="/readyz not ready")
        # The people in the space are told the other nodes cannot hear them for now.
        await a.wait_for(notice("degraded"), timeout=30)
        await b.wait_for(notice("degraded"), timeout=30)
        # A newcomer cannot get a seat counted now: told to try again, not an internal error.
        _, late = await person("patient", "Kofi")
        with pytest.raises(ConnectionRefusedError, match="closed 1013"):
            await WorldClient.connect(second, late, room)

        private_redis.start()  # empty: seats, heartbeats, locks all forgotten
        for node in (one, second):
            await until(lambda node=node: ready(node), what="/readyz ready again")
        await a.wait_for(notice("restored"), timeout=30)
        await b.wait_for(notice("restored"), timeout=30)

        await until_chat_crosses(b, a)
        await until_chat_crosses(a, b)
        # Presence: each still sees the other, and every node counts both seats again.
        assert pat_id in a.avatars and clin_id in b.avatars
        for node in (one, second):
            await until(lambda node=node: _eq(present(node, clin, room), 2), what="present == 2")
        # Nothing duplicated: one chat arrives once.
        await b.chat("after the restart")
        assert await chats(a, "after the restart", 3.0) == 1
        x, _, z = b.avatars[pat_id].p
        await b.move(x + 0.5, 0, z)
        await sees(a, lambda: a.avatars[pat_id].p[0] == round(x + 0.5, 3))

        # A newcomer after the restart lands in the same copy and is seen by both.
        new_id = await _id_of(late, one)
        async with await WorldClient.connect(one, late, room) as c:
            assert c.welcome.instance == a.welcome.instance
            assert {clin_id, pat_id} <= set(c.avatars)
            await sees(b, lambda: new_id in b.avatars)
            assert await present(second, clin, room) == 3


async def _not(check) -> bool:
    return not await check


async def _eq(check, expected) -> bool:
    return await check == expected


async def _id_of(token: str, url: str) -> str:
    async with httpx.AsyncClient(base_url=url) as http:
        r = await http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return r.json()["id"]
