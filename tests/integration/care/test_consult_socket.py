"""The consult room through the world's realtime socket: its members enter, nobody else does."""

from __future__ import annotations

import pytest

from careverse.app import create_app
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.care.support import BEFORE_NINE, admitted
from tests.support import serve_in_thread


@pytest.fixture
def served(settings):
    """A second node on the same database, served over real sockets."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


async def test_only_members_enter_the_consult_room(
    client, person, clinician_with_hours, fake_clock, served
):
    fake_clock.now = BEFORE_NINE
    clinician = await clinician_with_hours("UTC")
    patient, outsider, admin = (
        await person("patient"),
        await person("patient"),
        await person("admin"),
    )
    _, room = await admitted(client, patient, clinician, "2026-03-23T09:00:00Z")

    def token(who) -> str:
        return who.headers["Authorization"].removeprefix("Bearer ")

    async with (
        await WorldClient.connect(served, token(clinician), room["space_id"]) as doctor,
        await WorldClient.connect(served, token(patient), room["space_id"]) as me,
    ):
        await me.chat("hello doctor")
        said = await doctor.wait_for(lambda m: isinstance(m, proto.ChatOut))
        assert said.text == "hello doctor"
    for stranger in (outsider, admin):
        with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
            await WorldClient.connect(served, token(stranger), room["space_id"])
