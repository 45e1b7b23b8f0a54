"""The shared breathing pacer and calm ratings across two nodes over the real Redis."""

from __future__ import annotations

import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_nodes import second, world_overrides  # noqa: F401

pytestmark = pytest.mark.services


async def test_pacer_and_calm_ratings_cross_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    _, host_token = await person("clinician")
    _, member = await person("patient")
    _, late = await person("patient")
    garden = await space(host_token, template="therapy-garden")
    async with (
        await WorldClient.connect(url, host_token, garden) as host,
        await WorldClient.connect(second, member, garden) as there,
    ):
        await host.send(proto.Pacer(action="start", rate=4.5, minutes=3))
        mine = await host.wait_for(lambda m: isinstance(m, proto.PacerOut))
        theirs = await there.wait_for(lambda m: isinstance(m, proto.PacerOut))
        assert (theirs.on, theirs.start, theirs.rate, theirs.seconds) == (
            True, mine.start, 4.5, 180,
        )  # fmt: skip
        await there.send(proto.Calm(when="before", score=6))
        rated = await host.wait_for(lambda m: isinstance(m, proto.CalmOut))
        assert (rated.before, rated.before_mean) == (1, None)
        # A newcomer on the other node is welcomed with the running pacer.
        async with await WorldClient.connect(second, late, garden) as newcomer:
            assert newcomer.welcome.pacer is not None
            assert newcomer.welcome.pacer.start == mine.start
        await host.send(proto.Pacer(action="stop"))
        stopped = await there.wait_for(lambda m: isinstance(m, proto.PacerOut))
        assert not stopped.on
