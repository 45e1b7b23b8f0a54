"""Two nodes over the real Redis serve one space: presence, moves, chat, signals, moderation."""

from __future__ import annotations

import contextlib
import os

import httpx
import pytest
import websockets

from careverse.app import create_app
from careverse.bench.world import serve
from careverse.kernel.config import Settings
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.conftest import REDIS_URL, TEST_KEYS
from tests.integration.world.test_realtime import is_delta_with
from tests.support import serve_in_thread

pytestmark = pytest.mark.services


@pytest.fixture
def second(database_url, tmp_path, world_overrides, redis_url):
    """A second node on the same database and Redis: answers its base URL."""
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, **world_overrides,
    )  # fmt: skip
    with serve_in_thread(create_app(settings)) as url:
        yield url


@pytest.fixture
def world_overrides(redis_url) -> dict:
    # The first node (the `live` fixture) joins the same Redis.
    return {"world_tick_hz": 20, "world_grace_seconds": 1.0, "redis_url": redis_url}


async def test_people_on_two_nodes_meet_move_chat_and_signal(live, second, person, space):
    url, _ = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    room = await space(clin)
    async with await WorldClient.connect(url, clin, room) as a:
        async with await WorldClient.connect(second, pat, room) as b:
            assert a.welcome.instance == b.welcome.instance == f"{room}#1"
            await a.wait_for(is_delta_with(pat_id, "enter"))
            await b.wait_for(lambda m: clin_id in b.avatars)
            assert a.avatars[pat_id].name == "Amara"
            x, _, z = b.avatars[pat_id].p
            await b.move(x + 0.5, 0, z + 0.5, yaw=0.3)
            await a.wait_for(is_delta_with(pat_id, "upd"))
            assert a.avatars[pat_id].p == (round(x + 0.5, 3), 0.0, round(z + 0.5, 3))
            await b.chat("Hello across nodes")
            chat = await a.wait_for(lambda m: isinstance(m, proto.ChatOut))
            assert (chat.text, chat.id) == ("Hello across nodes", pat_id)
            await a.chat("Private hello", scope="private", to=pat_id)
            chat = await b.wait_for(lambda m: isinstance(m, proto.ChatOut) and m.id == clin_id)
            assert chat.scope == "private"
            await a.send(proto.Signal(to=pat_id, kind="offer", data='{"sdp":"v=0"}'))
            signal = await b.wait_for(
                lambda m: isinstance(m, proto.SignalOut) and m.kind == "offer"
            )
            assert (signal.peer, signal.kind, signal.data) == (clin_id, "offer", '{"sdp":"v=0"}')
        await a.wait_for(is_delta_with(pat_id, "leave"))


async def test_moderation_crosses_nodes(live, second, person, space):
    url, _ = live
    _, clin = await person("clinician")
    pat_id, pat = await person("patient")
    other_id, other = await person("patient")
    room = await space(clin)
    async with (
        await WorldClient.connect(url, clin, room) as host,
        await WorldClient.connect(second, pat, room) as guest,
        await WorldClient.connect(second, other, room) as bystander,
    ):
        await host.wait_for(lambda m: pat_id in host.avatars and other_id in host.avatars)
        await host.moderate("mute", pat_id)
        muted = await guest.wait_for(lambda m: isinstance(m, proto.Event) and m.kind == "muted")
        assert muted.target == pat_id
        await guest.chat("can anyone hear me")
        error = await guest.wait_for(lambda m: isinstance(m, proto.Error))
        assert error.code == "muted"
        await host.moderate("remove", pat_id)
        with pytest.raises(websockets.ConnectionClosed):
            await guest.wait_for(lambda m: False, timeout=5)
        assert guest.closed_code == proto.CLOSE_REMOVED
        await bystander.wait_for(is_delta_with(pat_id, "leave"))
        # Removed people cannot come back through either node.
        for base in (url, second):
            with pytest.raises(ConnectionRefusedError):
                await WorldClient.connect(base, pat, room)
        await host.moderate("lock")
        await bystander.wait_for(lambda m: isinstance(m, proto.Event) and m.kind == "locked")
        _, late = await person("patient")
        with pytest.raises(ConnectionRefusedError, match="locked"):
            await WorldClient.connect(second, late, room)
        await host.moderate("end")
        with pytest.raises(websockets.ConnectionClosed):
            await bystander.wait_for(lambda m: False, timeout=5)
        assert bystander.closed_code == proto.CLOSE_ENDED


async def test_capacity_is_shared_across_nodes(live, second, person, space):
    url, _ = live
    _, owner = await person("clinician")
    room = await space(owner, template="training-lab", capacity=2)  # overflows when full
    tokens = [(await person())[1] for _ in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(await WorldClient.connect(url, tokens[0], room))
        other = await stack.enter_async_context(await WorldClient.connect(second, tokens[1], room))
        third = await stack.enter_async_context(await WorldClient.connect(url, tokens[2], room))
        assert first.welcome.instance == other.welcome.instance == f"{room}#1"
        assert third.welcome.instance == f"{room}#2"
        # Every node counts everyone, wherever they are connected.
        async with httpx.AsyncClient(base_url=second) as http:
            seen = await http.get(
                f"/api/spaces/{room}", headers={"Authorization": f"Bearer {owner}"}
            )
        assert seen.json()["present"] == 3
        notice = await third.wait_for(lambda m: isinstance(m, proto.Event))
        assert (notice.kind, notice.detail) == (
            "overflow",
            "This space is full; you are in overflow room 2.",
        )


async def test_two_serve_processes_share_a_space(live, person, space, database_url, tmp_path):
    """The real thing: two `careverse serve` processes on different ports, one database."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share PostgreSQL in production; once is enough")
    _, clin = await person("clinician")
    pat_id, pat = await person("patient", "Amara")
    room = await space(clin)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env.update(
        CAREVERSE_DATA_DIR=str(tmp_path), CAREVERSE_DATABASE_URL=database_url,
        CAREVERSE_ENCRYPTION_KEYS=TEST_KEYS, CAREVERSE_REDIS_URL=REDIS_URL,
        CAREVERSE_MIGRATE_ON_START="false", CAREVERSE_WORLD_TICK_HZ="20",
        CAREVERSE_LOG_LEVEL="WARNING",
    )  # fmt: skip
    with serve(env) as (one, _), serve(env) as (two, _):
        async with (
            await WorldClient.connect(one, clin, room) as a,
            await WorldClient.connect(two, pat, room) as b,
        ):
            await a.wait_for(is_delta_with(pat_id, "enter"))
            x, _, z = b.avatars[pat_id].p
            await b.move(x + 1, 0, z)
            await a.wait_for(is_delta_with(pat_id, "upd"))
            await b.chat("Across processes")
            chat = await a.wait_for(lambda m: isinstance(m, proto.ChatOut))
            assert chat.text == "Across processes"
            await a.send(proto.Signal(to=pat_id, kind="ice", data="{}"))
            await b.wait_for(lambda m: isinstance(m, proto.SignalOut) and m.kind == "ice")
            await a.moderate("remove", pat_id)
            with pytest.raises(websockets.ConnectionClosed):
                await b.wait_for(lambda m: False, timeout=5)
            assert b.closed_code == proto.CLOSE_REMOVED
