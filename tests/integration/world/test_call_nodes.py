"""Who is in the call, across two nodes sharing a space over the real Redis."""

from __future__ import annotations

import json

import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_call_signalling import call, is_signal
from tests.integration.world.test_nodes import second, world_overrides

pytestmark = pytest.mark.services

__all__ = ["second", "world_overrides"]  # fixtures shared with test_nodes


async def test_call_state_crosses_nodes(live, second, person, space):
    url, _ = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    room = await space(clin)
    async with await WorldClient.connect(url, clin, room) as a:
        await a.wait_for(is_signal("calls"))
        await call(a, True)
        await a.ping()
        await a.wait_for(lambda m: isinstance(m, proto.Pong))
        async with await WorldClient.connect(second, pat, room) as b:
            await b.wait_for(lambda m: clin_id in b.avatars)
            # The other node learnt of the call from the avatar's state (its Join/Sync).
            assert b.avatars[clin_id].call is True
            await call(b, True)
            assert (await a.wait_for(is_signal("call", pat_id))).data == "on"
            await call(a, False)
            assert (await b.wait_for(is_signal("call", clin_id))).data == "off"
        assert (await a.wait_for(is_signal("call", pat_id))).data == "off"


async def test_a_newcomer_on_another_node_gets_the_roster(live, second, person, space):
    url, _ = live
    clin_id, clin = await person("clinician")
    pat_id, pat = await person()
    room = await space(clin)
    async with await WorldClient.connect(url, clin, room) as a:
        await call(a, True)
        await a.ping()
        await a.wait_for(lambda m: isinstance(m, proto.Pong))
        async with await WorldClient.connect(second, pat, room) as b:
            await b.wait_for(lambda m: clin_id in b.avatars)
        async with await WorldClient.connect(second, pat, room) as b:
            roster = await b.wait_for(is_signal("calls"))
            assert roster.peer == pat_id and json.loads(roster.data) == [clin_id]
