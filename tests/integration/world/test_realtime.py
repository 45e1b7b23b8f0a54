"""The realtime hub over real sockets: presence, deltas, interest areas, chat, moderation."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def is_delta_with(key: str, what: str):
    def check(m) -> bool:
        if not isinstance(m, proto.Delta):
            return False
        if what == "enter":
            return any(a.id == key for a in m.enter)
        if what == "leave":
            return key in m.leave
        return any(u.id == key for u in m.upd)

    return check


async def test_two_people_see_each_other_move_and_chat(live, person, space):
    url, _ = live
    clin_id, clin = await person("clinician", "Dr. Rivera")
    pat_id, pat = await person("patient", "Amara")
    room = await space(clin)
    async with await WorldClient.connect(url, clin, room) as a:
        assert a.you == clin_id and a.welcome.template == "support-circle"
        async with await WorldClient.connect(url, pat, room) as b:
            assert clin_id in b.avatars  # the snapshot holds who is already there
            await a.wait_for(is_delta_with(pat_id, "enter"))
            assert a.avatars[pat_id].name == "Amara"
            x, _, z = b.avatars[pat_id].p  # where b was placed on arrival
            await b.move(x + 0.5, 0, z + 0.5, yaw=0.3)
            await a.wait_for(is_delta_with(pat_id, "upd"))
            assert a.avatars[pat_id].p == (round(x + 0.5, 3), 0.0, round(z + 0.5, 3))
            await b.chat("Hello, doctor")
            chat = await a.wait_for(lambda m: isinstance(m, proto.ChatOut))
            assert (chat.text, chat.name, chat.id) == ("Hello, doctor", "Amara", pat_id)
        # b left cleanly: gone at once, not 'away'
        await a.wait_for(is_delta_with(pat_id, "leave"))


async def test_area_of_interest_hides_people_far_away(live, person, space):
    url, _ = live
    _, owner = await person("clinician")
    far_id, far = await person()
    room = await space(owner, template="therapy-garden")  # arrivals stand within 8 m
    async with (
        await WorldClient.connect(url, owner, room) as a,
        await WorldClient.connect(url, far, room) as b,
    ):
        await a.wait_for(is_delta_with(far_id, "enter"))
        # Walk straight away from a, in steps no faster than the speed limit allows.
        ax, _, az = b.avatars[a.you].p
        bx, _, bz = next(s.p for s in b.welcome.avatars if s.id == far_id)
        length = max(((bx - ax) ** 2 + (bz - az) ** 2) ** 0.5, 1e-6)
        ux, uz = (bx - ax) / length, (bz - az) / length
        for step in range(1, 9):
            await b.move(bx + ux * 5.0 * step, 0, bz + uz * 5.0 * step)
            await asyncio.sleep(0.5)
        await a.wait_for(is_delta_with(far_id, "leave"))
        assert far_id not in a.avatars
        await b.chat("far away, nearby only", scope="nearby")
        await b.chat("to everyone")
        chat = await a.wait_for(lambda m: isinstance(m, proto.ChatOut))
        assert chat.text == "to everyone"


async def test_bad_messages_get_errors_and_floods_are_disconnected(live, person, space):
    url, _ = live
    _, owner = await person("clinician")
    room = await space(owner)
    async with await WorldClient.connect(url, owner, room) as a:
        await a.ws.send('{"t":"pose","p":["x",0,0]}')
        error = await a.wait_for(lambda m: isinstance(m, proto.Error))
        assert error.code == "bad_message" and "$.p[0]" in error.message
        await a.move(500, 0, 0)  # a teleport
        error = await a.wait_for(lambda m: isinstance(m, proto.Error))
        assert error.code == "too_fast"
        with pytest.raises(websockets.ConnectionClosed):
            for _ in range(400):
                await a.ws.send("not json")
            while True:
                await a.receive()
        assert a.closed_code == proto.CLOSE_ABUSE


async def test_facilitator_mutes_and_removes_others_cannot(live, person, space):
    url, _ = live
    _, host = await person("clinician")
    guest_id, guest = await person()
    room = await space(host)
    async with (
        await WorldClient.connect(url, host, room) as h,
        await WorldClient.connect(url, guest, room) as g,
    ):
        await g.moderate("mute", h.you)
        refused = await g.wait_for(lambda m: isinstance(m, proto.Error))
        assert refused.code == "forbidden"
        await h.moderate("mute", guest_id)
        await g.wait_for(lambda m: isinstance(m, proto.Event) and m.kind == "muted")
        await g.chat("can I speak?")
        muted = await g.wait_for(lambda m: isinstance(m, proto.Error))
        assert muted.code == "muted"
        await h.moderate("remove", guest_id)
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await g.receive()
        assert g.closed_code == proto.CLOSE_REMOVED
    with pytest.raises(ConnectionRefusedError, match="removed"):
        await WorldClient.connect(url, guest, room)


async def test_reconnect_within_grace_keeps_place_then_gone(live, person, space):
    url, _ = live
    _, host = await person("clinician")
    guest_id, guest = await person()
    room = await space(host)
    async with await WorldClient.connect(url, host, room) as h:
        g = await WorldClient.connect(url, guest, room)
        await h.wait_for(is_delta_with(guest_id, "enter"))
        x, _, z = g.avatars[guest_id].p
        await g.move(x + 0.5, 0, z)
        await h.wait_for(is_delta_with(guest_id, "upd"))
        g.ws.transport.abort()  # the link drops without a closing handshake
        away = await h.wait_for(lambda m: isinstance(m, proto.Event) and m.kind == "away")
        assert away.target == guest_id
        async with await WorldClient.connect(url, guest, room) as again:
            me = next(a for a in again.welcome.avatars if a.id == guest_id)
            assert me.p == (round(x + 0.5, 3), 0.0, z)
        await h.wait_for(is_delta_with(guest_id, "leave"), timeout=5)


async def test_invite_only_spaces_are_invisible_to_others(live, person, space):
    url, _ = live
    _, host = await person("clinician")
    _, stranger = await person()
    room = await space(host, template="consult-room", access="listed")
    with pytest.raises(ConnectionRefusedError, match="4404"):
        await WorldClient.connect(url, stranger, room)
    with pytest.raises(ConnectionRefusedError, match="4401"):
        await WorldClient.connect(url, "cva_forged", room)
