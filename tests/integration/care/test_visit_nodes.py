"""Issue 12 over two nodes sharing the database and Redis: the clinician admits on one node and
the patient waiting in the garden on the other is called into the consult room; finishing the
visit tells everyone in the room and ends their sockets there."""

from __future__ import annotations

import pytest
import websockets

from careverse.app import create_app
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.care.support import BEFORE_NINE, checked_in
from tests.support import serve_in_thread

pytestmark = pytest.mark.services

NINE = "2026-03-23T09:00:00Z"


@pytest.fixture
def settings_overrides(redis_url) -> dict:
    return {"redis_url": redis_url, "world_tick_hz": 20, "world_grace_seconds": 1.0}


@pytest.fixture
def other_node(settings):
    """A second node on the same database and Redis, served over real sockets."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


def token(who) -> str:
    return who.headers["Authorization"].removeprefix("Bearer ")


async def test_admitting_calls_the_patient_in_the_garden_on_another_node(
    client, person, clinician_with_hours, fake_clock, other_node
):
    fake_clock.now = BEFORE_NINE
    clinician = await clinician_with_hours("UTC")
    patient = await person("patient", name="Amara Okafor")
    appt = await checked_in(client, patient, clinician, NINE)
    wait = await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=patient.headers)
    garden = wait.json()["waiting_space_id"]

    async with await WorldClient.connect(other_node, token(patient), garden) as waiting:
        admit = await client.post(
            f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
        )
        assert admit.status_code == 200, admit.text
        called = await waiting.wait_for(lambda m: isinstance(m, proto.Called))
        assert called.space == admit.json()["space_id"]
        assert called.appointment == appt["id"]

        # In the room (on the other node), finishing the visit tells both and ends the call.
        space = admit.json()["space_id"]
        async with (
            await WorldClient.connect(other_node, token(clinician), space) as doctor,
            await WorldClient.connect(other_node, token(patient), space) as me,
        ):
            finished = await client.post(
                f"/api/care/encounters/{admit.json()['encounter_id']}/finish",
                headers=clinician.headers,
            )
            assert finished.status_code == 204, finished.text
            for who in (me, doctor):
                told = await who.wait_for(
                    lambda m: isinstance(m, proto.Event) and m.kind == "ended"
                )
                assert told.detail and "ended the visit" in told.detail
                with pytest.raises(websockets.ConnectionClosed):
                    await who.wait_for(lambda _: False)
                assert who.closed_code == proto.CLOSE_ENDED
