"""Issue 11, finding 2, over the world's socket: a caregiver whose delegation was revoked (or
has expired), or a guest who was removed, cannot join the consult room, and a live socket of a
revoked or removed guest is closed at once — on another node than the one that revoked.

Two nodes share the database and Redis: the test's app (where the patient revokes) and a second
one served over real sockets (where the caregiver is connected).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import websockets

from careverse.app import create_app
from careverse.care import jobs
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.care.conftest import clinician_with_hours
from tests.integration.care.support import BEFORE_NINE
from tests.integration.privacy.support import cheap_password_hashing, person
from tests.integration.world.test_realtime import is_delta_with
from tests.security.test_consult_revoked_caregiver import consult_with_guest
from tests.support import serve_in_thread

__all__ = ["cheap_password_hashing", "clinician_with_hours", "person"]

pytestmark = pytest.mark.services


@pytest.fixture
def settings_overrides(redis_url) -> dict:
    return {"redis_url": redis_url, "world_tick_hz": 20, "world_grace_seconds": 1.0}


@pytest.fixture
def other_node(settings):
    """A second node on the same database and Redis, served over real sockets."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


def token(who) -> str:
    return who.headers["Authorization"].removeprefix("Bearer ")


async def closed_with(guest: WorldClient, timeout: float = 5.0) -> int | None:
    """Read until the server closes the socket; answers its close code (fails on a timeout)."""
    with pytest.raises(websockets.ConnectionClosed):
        await guest.wait_for(lambda _: False, timeout=timeout)
    return guest.closed_code


async def test_consult_socket_a_revoked_caregiver_is_closed_and_kept_out(
    client, person, clinician_with_hours, before_nine, other_node
):
    clinician, patient, caregiver, delegation, _, room = await consult_with_guest(
        client, person, clinician_with_hours
    )
    space = room["space_id"]
    async with (
        await WorldClient.connect(other_node, token(clinician), space) as doctor,
        await WorldClient.connect(other_node, token(caregiver), space) as guest,
    ):
        await doctor.wait_for(is_delta_with(str(caregiver.id), "enter"))
        revoked = await client.delete(
            f"/api/me/delegations/{delegation['id']}", headers=patient.headers
        )
        assert revoked.status_code == 204, revoked.text
        assert await closed_with(guest) == proto.CLOSE_UNINVITED
        await doctor.wait_for(is_delta_with(str(caregiver.id), "leave"))
    with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
        await WorldClient.connect(other_node, token(caregiver), space)


async def test_consult_socket_an_expired_delegation_keeps_the_caregiver_out(
    app, client, person, clinician_with_hours, before_nine, other_node
):
    _, _, caregiver, _, _, room = await consult_with_guest(
        client, person, clinician_with_hours, expires_at=BEFORE_NINE + timedelta(minutes=5)
    )
    space = room["space_id"]
    async with await WorldClient.connect(other_node, token(caregiver), space) as guest:
        before_nine.advance(minutes=6)
        # Refused at the next entry, before anything told the world...
        with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
            await WorldClient.connect(other_node, token(caregiver), space)
        # ...and the socket still open is closed when care's job ends the invitation.
        assert await jobs.end_lapsed_invitations_once(app.state.runtime.db) == 1
        assert await closed_with(guest) == proto.CLOSE_UNINVITED


async def test_consult_socket_a_removed_guest_is_closed_and_kept_out(
    client, person, clinician_with_hours, before_nine, other_node
):
    clinician, patient, caregiver, _, appt, room = await consult_with_guest(
        client, person, clinician_with_hours
    )
    space = room["space_id"]
    async with (
        await WorldClient.connect(other_node, token(patient), space) as me,
        await WorldClient.connect(other_node, token(caregiver), space) as guest,
    ):
        await me.wait_for(is_delta_with(str(caregiver.id), "enter"))
        removed = await client.delete(
            f"/api/care/appointments/{appt['id']}/invitees/{caregiver.id}",
            headers=clinician.headers,
        )
        assert removed.status_code == 204, removed.text
        assert await closed_with(guest) == proto.CLOSE_UNINVITED
        await me.wait_for(is_delta_with(str(caregiver.id), "leave"))
        await me.chat("still here")  # the patient's own socket is untouched
    with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
        await WorldClient.connect(other_node, token(caregiver), space)
