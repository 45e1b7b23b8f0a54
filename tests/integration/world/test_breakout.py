"""Breakout pairs through the real hub: a facilitator splits the members present (a trio when
odd, or their own pairs), each pair gets a private space of its own under the members'
pseudonyms, the facilitator can visit any pair, and everyone is recalled at the end."""

from __future__ import annotations

import json
import uuid

import pytest

from careverse.kernel.db import Database
from careverse.world import protocol as proto
from careverse.world.breakout import pair_up
from careverse.world.client import WorldClient
from careverse.world.models import SpaceMember
from tests.integration.world.test_circle import event


def test_pair_up_makes_pairs_and_one_trio_when_odd():
    assert pair_up([]) == [] and pair_up(["a"]) == []
    assert pair_up(["a", "b", "c", "d"]) == [["a", "b"], ["c", "d"]]
    assert pair_up(["a", "b", "c", "d", "e"]) == [["a", "b"], ["c", "d", "e"]]


async def pseudonym(app, space_id: str, account_id: str, alias: str) -> None:
    db = Database(app.state.runtime.settings.effective_database_url)
    try:
        async with db.session() as session:
            session.add(
                SpaceMember(
                    space_id=uuid.UUID(space_id), account_id=uuid.UUID(account_id), alias=alias
                )
            )
            await session.commit()
    finally:
        await db.dispose()


async def test_breakout_pairs_visit_and_recall(live, person, space):
    url, app = live
    _, lead = await person("clinician", "Nurse Lee")
    ana_id, ana = await person("patient", "Ana Real")
    _, ben = await person("patient", "Ben")
    _, cy = await person("patient", "Cy")
    room = await space(lead)
    await pseudonym(app, room, ana_id, "Willow")
    async with (
        await WorldClient.connect(url, lead, room) as f,
        await WorldClient.connect(url, ana, room) as a,
        await WorldClient.connect(url, ben, room) as b,
        await WorldClient.connect(url, cy, room) as c,
    ):
        await a.send(proto.Breakout(action="start"))
        assert (await a.wait_for(lambda m: isinstance(m, proto.Error))).code == "forbidden"
        await f.send(proto.Breakout(action="start", pairs=[[a.you, str(uuid.uuid4())]]))
        assert (await f.wait_for(lambda m: isinstance(m, proto.Error))).code == "bad_pairs"

        # Three members: one trio, proposed to the facilitator alone first.
        await f.send(proto.Breakout(action="propose"))
        proposal = json.loads((await f.wait_for(event("breakout_proposal"))).detail)
        assert [[p["id"] for p in g] for g in proposal] == [[a.you, b.you, c.you]]
        assert proposal[0][0]["name"] == "Willow"
        await f.send(proto.Breakout(action="start", minutes=5))
        rounds = json.loads((await f.wait_for(event("breakouts"))).detail)
        assert [p["ids"] for p in rounds["pairs"]] == [[a.you, b.you, c.you]]
        moved = await b.wait_for(event("breakout"))
        detail = json.loads(moved.detail)
        assert moved.target == rounds["pairs"][0]["space"]
        assert detail["back"] == room and detail["with"] == ["Willow", "Cy"]
        await f.send(proto.Breakout(action="start"))
        assert (await f.wait_for(lambda m: isinstance(m, proto.Error))).code == "breakout_running"
        await f.send(proto.Breakout(action="end"))
        ended = await f.wait_for(lambda m: event("breakouts")(m) and m.detail == "{}")
        assert ended.detail == "{}"

        # The facilitator's own pair: Ana and Ben; Cy stays in the circle.
        await f.send(proto.Breakout(action="start", minutes=2, pairs=[[a.you, b.you]]))
        moved = await a.wait_for(
            lambda m: event("breakout")(m) and m.target != rounds["pairs"][0]["space"]
        )
        pair_space = moved.target
        assert json.loads(moved.detail)["with"] == ["Ben"]
        async with (
            await WorldClient.connect(url, ana, pair_space) as a2,
            await WorldClient.connect(url, ben, pair_space) as b2,
        ):
            assert a2.welcome.template == "consult-room"
            await b2.wait_for(lambda m: a2.you in b2.avatars)
            assert b2.avatars[a2.you].name == "Willow"  # the pseudonym holds in the pair
            with pytest.raises(ConnectionRefusedError):  # not in this pair
                await WorldClient.connect(url, cy, pair_space)
            async with await WorldClient.connect(url, lead, pair_space) as visit:
                await visit.wait_for(lambda m: a2.you in visit.avatars)
                await f.send(proto.Breakout(action="end"))
                back = await a2.wait_for(event("breakout_end"))
                assert back.target == room
                await b2.wait_for(event("breakout_end", room))
                await visit.wait_for(event("breakout_end", room))
        await c.ping()
        with pytest.raises(ConnectionRefusedError):  # the pair's space is closed afterwards
            for _ in range(20):
                async with await WorldClient.connect(url, ana, pair_space):
                    pass


async def test_too_few_for_breakouts(live, person, space):
    url, _ = live
    _, lead = await person("clinician")
    _, ana = await person("patient")
    room = await space(lead)
    async with (
        await WorldClient.connect(url, lead, room) as f,
        await WorldClient.connect(url, ana, room),
    ):
        await f.send(proto.Breakout(action="start"))
        assert (await f.wait_for(lambda m: isinstance(m, proto.Error))).code == "too_few"
        await f.ws.send('{"t":"breakout","action":"start","minutes":90}')
        assert (await f.wait_for(lambda m: isinstance(m, proto.Error))).code == "bad_message"
