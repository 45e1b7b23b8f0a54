"""An event's stage across two nodes over the real Redis: the audience on either node sees the
same stage, slide and question decisions, silencing and bringing up reach every node, a node
that starts serving late takes the stage, and a host's own mute outlives the stage."""

from __future__ import annotations

import json
import uuid

import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_circle import event
from tests.integration.world.test_nodes import second, world_overrides  # noqa: F401

pytestmark = pytest.mark.services


def stage_with(key: str, value):
    return lambda m: event("stage")(m) and json.loads(m.detail)[key] == value


async def test_the_stage_is_the_same_on_two_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    _, host = await person("clinician", "Nurse Hana")
    _, ana = await person("patient", "Ana")
    _, ben = await person("caregiver", "Ben")
    room = await space(host)
    async with (
        await WorldClient.connect(url, host, room) as h,
        await WorldClient.connect(second, ana, room) as a,
    ):
        await a.send(proto.Signal(to="*", kind="call", data="on"))  # Ana is in the call
        await h.wait_for(lambda m: isinstance(m, proto.SignalOut) and m.peer == a.you)
        await h.send(proto.StageCtl(action="start"))
        await a.wait_for(event("muted", a.you))  # silenced by a host on the other node
        await h.wait_for(event("muted", a.you))  # and the host's node silences her sound
        live_a = await a.wait_for(stage_with("live", True))
        assert json.loads(live_a.detail)["speakers"] == [h.you]

        await h.send(proto.StageCtl(action="slide", slide=3))
        await a.wait_for(stage_with("slide", 3))
        await h.send(proto.StageCtl(action="up", target=a.you))
        await a.wait_for(event("unmuted", a.you))
        await h.wait_for(event("unmuted", a.you))
        await h.send(proto.StageCtl(action="down", target=a.you))
        await a.wait_for(event("muted", a.you))

        await a.send(proto.StageCtl(action="asked"))  # the host, on the other node, is told
        await h.wait_for(event("stage_asked"))
        qid = str(uuid.uuid4())
        await h.send(proto.StageCtl(action="approve", target=qid))
        decided = await a.wait_for(event("stage_question"))
        assert json.loads(decided.detail) == {"id": qid, "status": "approved"}

        # A latecomer on the second node is silenced there and here, and sees the slide.
        async with await WorldClient.connect(second, ben, room) as b:
            await b.wait_for(event("muted", b.you))
            now = await b.wait_for(event("stage"))
            assert json.loads(now.detail) == {"live": True, "speakers": [h.you], "slide": 3}
            await b.send(proto.Signal(to="*", kind="call", data="on"))
            await h.wait_for(event("muted", b.you))
            await h.send(proto.StageCtl(action="end"))
            await b.wait_for(event("unmuted", b.you))
            await a.wait_for(event("unmuted", a.you))
            await b.wait_for(stage_with("live", False))


async def test_a_late_node_takes_the_stage(live, second, person, space):  # noqa: F811
    url, _ = live
    _, host = await person("clinician", "Nurse Hana")
    _, ana = await person("patient", "Ana")
    room = await space(host)
    async with await WorldClient.connect(url, host, room) as h:
        await h.send(proto.StageCtl(action="start"))
        await h.wait_for(stage_with("live", True))
        await h.send(proto.StageCtl(action="slide", slide=2))
        await h.wait_for(stage_with("slide", 2))
        async with await WorldClient.connect(second, ana, room) as a:  # the node starts now
            await a.wait_for(event("muted", a.you))
            now = await a.wait_for(event("stage"))
            assert json.loads(now.detail) == {"live": True, "speakers": [h.you], "slide": 2}


async def test_a_hosts_own_mute_outlives_the_stage(live, second, person, space):  # noqa: F811
    url, _ = live
    _, host = await person("clinician", "Nurse Hana")
    _, ana = await person("patient", "Ana")
    room = await space(host)
    async with (
        await WorldClient.connect(url, host, room) as h,
        await WorldClient.connect(second, ana, room) as a,
    ):
        await h.wait_for(lambda m: a.you in h.avatars)
        await h.send(proto.StageCtl(action="start"))
        await a.wait_for(event("muted", a.you))
        await h.send(proto.Moderate(action="mute", target=a.you))  # the host's own mute
        await h.wait_for(event("muted", a.you))
        await h.send(proto.StageCtl(action="up", target=a.you))
        up = await a.wait_for(lambda m: event("stage")(m) and a.you in m.detail)
        assert a.you in json.loads(up.detail)["speakers"]
        await h.send(proto.StageCtl(action="end"))
        await a.wait_for(stage_with("live", False))
        await a.chat("still muted?")  # a muted person may not chat once the stage is over
        refused = await a.wait_for(lambda m: isinstance(m, proto.Error) or event("unmuted")(m))
        assert isinstance(refused, proto.Error) and refused.code == "muted"
        await h.send(proto.Moderate(action="unmute", target=a.you))
        await a.wait_for(event("unmuted", a.you))
