"""Circle tools across two nodes over the real Redis: hands, the floor, check-ins, support,
agenda and timer are the same on both, and a newcomer on either is sent the state as it is."""

from __future__ import annotations

import json

import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_circle import event
from tests.integration.world.test_nodes import second, world_overrides  # noqa: F401

pytestmark = pytest.mark.services


def queue_of(n: int):
    return lambda m: event("hands")(m) and len(json.loads(m.detail)) == n


async def test_circle_state_is_the_same_on_two_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    _, lead = await person("clinician", "Nurse Lee")
    _, ana = await person("patient", "Ana")
    _, ben = await person("patient", "Ben")
    _, cy = await person("patient", "Cy")
    room = await space(lead)
    async with (
        await WorldClient.connect(url, lead, room) as f,
        await WorldClient.connect(second, ana, room) as a,
        await WorldClient.connect(url, ben, room) as b,
    ):
        await a.send(proto.Hand(action="raise"))  # node B
        await f.wait_for(queue_of(1))
        await b.send(proto.Hand(action="raise"))  # node A
        both = await a.wait_for(queue_of(2))
        assert json.loads(both.detail) == [a.you, b.you]
        await f.send(proto.Floor(action="next"))
        await a.wait_for(event("floor", a.you))
        left = await a.wait_for(queue_of(1))
        assert json.loads(left.detail) == [b.you]

        await a.send(proto.NeedSupport())  # told to the facilitator on the other node only
        alert = await f.wait_for(event("support", a.you))
        assert alert.detail == "Ana"
        await f.send(proto.SupportAck(target=a.you))
        acked = await a.wait_for(event("support_ack", a.you))
        assert acked.detail == "Nurse Lee"

        await f.send(proto.Agenda(items=["Check-in", "Sleep"]))
        assert json.loads((await a.wait_for(event("agenda"))).detail) == ["Check-in", "Sleep"]
        await f.send(proto.Timer(seconds=300, label="Round"))
        timer = json.loads((await a.wait_for(event("timer"))).detail)
        assert timer["label"] == "Round" and timer["ends_at"] > 0
        await a.send(proto.CheckIn(phase="start", score=2))
        await b.send(proto.CheckIn(phase="start", score=4))
        await f.wait_for(lambda m: event("checkin")(m) and json.loads(m.detail)["n"] == 2)

        # A newcomer on the node that has not seen the operations itself is sent them all.
        async with await WorldClient.connect(second, cy, room) as c:
            hands = await c.wait_for(event("hands"))
            assert (json.loads(hands.detail), hands.target) == ([b.you], a.you)
            assert json.loads((await c.wait_for(event("agenda"))).detail) == ["Check-in", "Sleep"]
            assert json.loads((await c.wait_for(event("timer"))).detail) == timer
            checkin = json.loads((await c.wait_for(event("checkin"))).detail)
            assert checkin == {"phase": "start", "n": 2}
            await c.send(proto.CheckIn(phase="start", score=5))
            three = await f.wait_for(
                lambda m: event("checkin")(m) and json.loads(m.detail)["n"] == 3
            )
            assert json.loads(three.detail)["counts"] == [0, 1, 0, 1, 1]


async def test_a_node_that_starts_late_takes_the_state(live, second, person, space):  # noqa: F811
    url, _ = live
    _, lead = await person("clinician")
    _, ana = await person("patient", "Ana")
    room = await space(lead)
    async with await WorldClient.connect(url, lead, room) as f:
        await f.send(proto.Agenda(items=["Welcome"]))
        await f.wait_for(event("agenda"))
        await f.send(proto.Hand(action="raise"))
        await f.wait_for(queue_of(1))
        # Nobody was on the second node: its copy learns the state from the first's answer.
        async with await WorldClient.connect(second, ana, room) as a:
            assert json.loads((await a.wait_for(event("agenda"))).detail) == ["Welcome"]
            await a.send(proto.Hand(action="raise"))
            both = await f.wait_for(queue_of(2))
            assert json.loads(both.detail) == [f.you, a.you]


async def test_breakouts_cross_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    _, lead = await person("clinician")
    _, ana = await person("patient", "Ana")
    _, ben = await person("patient", "Ben")
    room = await space(lead)
    async with (
        await WorldClient.connect(url, lead, room) as f,
        await WorldClient.connect(second, ana, room) as a,
        await WorldClient.connect(url, ben, room) as b,
    ):
        await f.send(proto.Breakout(action="start", minutes=3))
        moved = await a.wait_for(event("breakout"))  # told on the other node
        await b.wait_for(event("breakout", moved.target))
        async with await WorldClient.connect(second, ana, moved.target) as a2:
            await f.send(proto.Breakout(action="end"))  # recalled from the first node
            assert (await a2.wait_for(event("breakout_end"))).target == room
