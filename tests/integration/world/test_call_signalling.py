"""Call signalling through the hub: who is in the call, offers relayed, and the ICE servers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def is_signal(kind: str, peer: str | None = None):
    def check(m) -> bool:
        return isinstance(m, proto.SignalOut) and m.kind == kind and peer in (None, m.peer)

    return check


async def call(client: WorldClient, on: bool) -> None:
    await client.send(proto.Signal(to="*", kind="call", data="on" if on else "off"))


async def test_joining_the_call_is_told_to_the_space_and_to_newcomers(live, person, space):
    url, _ = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    third_id, third = await person("patient", "Sam")
    room = await space(clin)
    async with await WorldClient.connect(url, clin, room) as a:
        roster = await a.wait_for(is_signal("calls"))
        assert (roster.peer, json.loads(roster.data)) == (clin_id, [])
        async with await WorldClient.connect(url, pat, room) as b:
            await b.wait_for(is_signal("calls"))
            await call(a, True)
            said = await b.wait_for(is_signal("call", clin_id))
            assert said.data == "on"
            # A newcomer learns who is in the call from the roster right after its welcome.
            async with await WorldClient.connect(url, third, room) as c:
                roster = await c.wait_for(is_signal("calls"))
                assert (roster.peer, json.loads(roster.data)) == (third_id, [clin_id])
                # Offers, answers and candidates go to one peer only, tagged with the sender.
                await b.send(proto.Signal(to=clin_id, kind="offer", data='{"sdp":"v=0"}'))
                offer = await a.wait_for(is_signal("offer"))
                assert (offer.peer, offer.data) == (pat_id, '{"sdp":"v=0"}')
                await call(a, False)
                assert (await c.wait_for(is_signal("call", clin_id))).data == "off"
                await call(b, True)
                assert (await a.wait_for(is_signal("call", pat_id))).data == "on"
            # Leaving the space leaves the call: the others hear "off".
            await b.close()
            assert (await a.wait_for(is_signal("call", pat_id))).data == "off"


async def test_a_reconnect_is_told_its_own_call_state(live, person, space):
    url, _ = live
    clin_id, clin = await person("clinician")
    room = await space(clin)
    first = await WorldClient.connect(url, clin, room)
    await first.wait_for(is_signal("calls"))
    await call(first, True)
    await first.ping()
    await first.wait_for(lambda m: isinstance(m, proto.Pong))
    # A new page (same account) while the old one is still here: the hub still has it in the call.
    async with await WorldClient.connect(url, clin, room) as second:
        roster = await second.wait_for(is_signal("calls"))
        assert json.loads(roster.data) == [clin_id]
    await first.close()


@pytest.fixture
def world_overrides() -> dict:
    return {
        "world_tick_hz": 20,
        "world_grace_seconds": 1.0,
        "ice_servers": [
            {"urls": "stun:stun.example.org:3478"},
            {"urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"]},
        ],
        "turn_secret": "coturn-shared-secret",
    }


async def test_ice_servers_need_a_session_and_carry_time_limited_turn_credentials(live, person):
    url, _ = live
    account_id, token = await person()
    async with httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/api/world/ice-servers")).status_code == 401
        answer = await http.get(
            "/api/world/ice-servers", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200
    stun, turn = answer.json()
    assert stun == {"urls": "stun:stun.example.org:3478", "username": None, "credential": None}
    expiry, who = turn["username"].split(":")
    assert who == account_id and int(expiry) > 0
    expected = hmac.new(b"coturn-shared-secret", turn["username"].encode(), hashlib.sha1)
    assert turn["credential"] == base64.b64encode(expected.digest()).decode()
