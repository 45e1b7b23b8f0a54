"""Circle tools through the real hub: talking order, check-in aggregate (anonymous under three
answers), "I need support" told to the facilitators only, agenda and timer."""

from __future__ import annotations

import json

from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def event(kind: str, target: str | None = "-"):
    def check(m) -> bool:
        if not isinstance(m, proto.Event) or m.kind != kind:
            return False
        return target == "-" or m.target == target

    return check


async def nothing_but_pong(client: WorldClient, kind: str) -> None:
    """Everything ``client`` receives up to its pong holds no ``kind`` event."""
    await client.ping()
    while True:
        m = await client.receive()
        assert not (isinstance(m, proto.Event) and m.kind == kind), m
        if isinstance(m, proto.Pong):
            return


async def test_raise_hand_call_next_support_and_check_in(live, person, space):
    url, _ = live
    _, lead = await person("clinician", "Nurse Lee")
    people = [await person("patient", name) for name in ("Ana", "Ben", "Cy")]
    room = await space(lead)
    async with (
        await WorldClient.connect(url, lead, room) as f,
        await WorldClient.connect(url, people[0][1], room) as a,
        await WorldClient.connect(url, people[1][1], room) as b,
        await WorldClient.connect(url, people[2][1], room) as c,
    ):
        await a.send(proto.Hand(action="raise"))
        await b.send(proto.Hand(action="raise"))
        queue = await f.wait_for(lambda m: event("hands")(m) and len(json.loads(m.detail)) == 2)
        assert json.loads(queue.detail) == [a.you, b.you]

        await a.send(proto.Floor(action="next"))  # members cannot call the next speaker
        refused = await a.wait_for(lambda m: isinstance(m, proto.Error))
        assert refused.code == "forbidden"
        await f.send(proto.Floor(action="next"))
        await b.wait_for(event("floor", a.you))
        await a.send(proto.Hand(action="pass"))
        await f.wait_for(lambda m: event("floor", None)(m) and m.detail == "pass")

        await c.send(proto.NeedSupport())
        alert = await f.wait_for(event("support", c.you))
        assert alert.detail == "Cy"
        await c.wait_for(event("support_sent"))
        await nothing_but_pong(a, "support")  # the others are not told
        await f.send(proto.SupportAck(target=c.you))
        await c.wait_for(event("support_ack", c.you))

        await a.send(proto.CheckIn(phase="start", score=2))
        await b.send(proto.CheckIn(phase="start", score=4))
        two = await f.wait_for(lambda m: event("checkin")(m) and json.loads(m.detail)["n"] == 2)
        assert json.loads(two.detail) == {"phase": "start", "n": 2}  # no counts yet
        await c.send(proto.CheckIn(phase="start", score=5))
        three = await a.wait_for(lambda m: event("checkin")(m) and json.loads(m.detail)["n"] == 3)
        assert json.loads(three.detail)["counts"] == [0, 1, 0, 1, 1]

        await f.send(proto.Agenda(items=["Check-in", "Sleep", "Check-out"]))
        agenda = await b.wait_for(event("agenda"))
        assert json.loads(agenda.detail) == ["Check-in", "Sleep", "Check-out"]
        await f.send(proto.Timer(seconds=120, label="Round"))
        timer = await c.wait_for(event("timer"))
        assert json.loads(timer.detail)["label"] == "Round"
        await b.send(proto.Timer(seconds=60))
        assert (await b.wait_for(lambda m: isinstance(m, proto.Error))).code == "forbidden"


async def test_bad_circle_messages_are_refused(live, person, space):
    url, _ = live
    _, lead = await person("clinician")
    room = await space(lead)
    async with await WorldClient.connect(url, lead, room) as f:
        await f.ws.send('{"t":"checkin","phase":"start","score":9}')
        bad = await f.wait_for(lambda m: isinstance(m, proto.Error))
        assert bad.code == "bad_message"
        await f.ws.send('{"t":"hand","action":"shout"}')
        assert (await f.wait_for(lambda m: isinstance(m, proto.Error))).code == "bad_message"
