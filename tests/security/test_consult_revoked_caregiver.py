"""Issue 11, finding 2: a caregiver's consult invitation lasts only as long as the delegation.

After the patient revokes the delegation (or it expires), an already-invited caregiver gets 404
on the appointment, the encounter, the consult chat (read and post), the waiting state, the
consult room and its world space; a guest the patient or clinician removed likewise. Sockets
on one node here; across two nodes (Redis): test_consult_revoked_socket.py.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
import websockets

from careverse.app import create_app
from careverse.care import jobs
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.care.conftest import clinician_with_hours
from tests.integration.care.support import BEFORE_NINE, admitted
from tests.integration.privacy.support import (
    audit_rows,
    cheap_password_hashing,
    delegate,
    person,
)
from tests.support import serve_in_thread

__all__ = ["cheap_password_hashing", "clinician_with_hours", "person"]

NINE = "2026-03-23T09:00:00Z"
CONSULT_SCOPES = ["appointments:read", "consults:read"]


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def consult_with_guest(client, person, clinician_with_hours, scopes=CONSULT_SCOPES, **kw):
    """An admitted visit with a caregiver (delegated ``scopes``) invited by the patient; answers
    (clinician, patient, caregiver, delegation, appointment, room)."""
    clinician = await clinician_with_hours("UTC")
    patient, caregiver = await person("patient"), await person("caregiver")
    delegation = await delegate(client, patient, caregiver, scopes, **kw)
    appt, room = await admitted(client, patient, clinician, NINE)
    invited = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"role": "caregiver", "account_id": str(caregiver.id)},
        headers=patient.headers,
    )
    assert invited.status_code == 204, invited.text
    return clinician, patient, caregiver, delegation, appt, room


async def answers(client, who, appt: dict, room: dict) -> dict[str, int]:
    """What each of the consult's endpoints answers ``who`` (status codes by name)."""
    encounter = f"/api/care/encounters/{room['encounter_id']}"
    calls = {
        "appointment": ("GET", f"/api/care/appointments/{appt['id']}", None),
        "wait": ("GET", f"/api/care/appointments/{appt['id']}/wait", None),
        "encounter": ("GET", encounter, None),
        "chat": ("GET", f"{encounter}/chat", None),
        "say": ("POST", f"{encounter}/chat", {"body": "Still here"}),
        "room": ("GET", f"/api/care/rooms/{room['space_id']}", None),
        "space": ("GET", f"/api/spaces/{room['space_id']}", None),
    }
    out = {}
    for name, (method, url, body) in calls.items():
        answer = await client.request(method, url, json=body, headers=who.headers)
        out[name] = answer.status_code
    listed = await client.get("/api/spaces", headers=who.headers)
    out["listed"] = 200 if room["space_id"] in {s["id"] for s in listed.json()} else 404
    return out


IN = {"appointment": 200, "wait": 200, "encounter": 200, "chat": 200, "say": 201, "room": 200,
      "space": 200, "listed": 200}  # fmt: skip
OUT = dict.fromkeys(IN, 404)


async def invitees(client, who, appt: dict) -> list[str]:
    answer = await client.get(f"/api/care/appointments/{appt['id']}", headers=who.headers)
    return [i["account_id"] for i in answer.json()["invitees"]]


async def test_consult_a_revoked_caregiver_is_out_of_the_consult_at_once(
    app, client, person, clinician_with_hours, before_nine
):
    clinician, patient, caregiver, delegation, appt, room = await consult_with_guest(
        client, person, clinician_with_hours
    )
    assert await answers(client, caregiver, appt, room) == IN

    revoked = await client.delete(
        f"/api/me/delegations/{delegation['id']}", headers=patient.headers
    )
    assert revoked.status_code == 204, revoked.text

    assert await answers(client, caregiver, appt, room) == OUT
    # The invitation itself ended with the delegation, and that is audited.
    assert await invitees(client, patient, appt) == []
    ended = await audit_rows(app, action="appointment.uninvite")
    assert [(r.actor_id, r.resource_id, json.loads(r.detail)["reason"]) for r in ended] == [
        (patient.id, appt["id"], "delegation-revoked")
    ]
    # The patient and the clinician carry on.
    for who in (patient, clinician):
        said = await client.post(
            f"/api/care/encounters/{room['encounter_id']}/chat", json={"body": "Hi"},
            headers=who.headers,
        )  # fmt: skip
        assert said.status_code == 201, said.text
        assert (await client.get(f"/api/spaces/{room['space_id']}", headers=who.headers)).is_success


async def test_consult_a_caregiver_stepping_back_leaves_the_consult(
    client, person, clinician_with_hours, before_nine
):
    _, patient, caregiver, delegation, appt, room = await consult_with_guest(
        client, person, clinician_with_hours
    )
    stepped = await client.delete(
        f"/api/me/delegations/{delegation['id']}", headers=caregiver.headers
    )
    assert stepped.status_code == 204, stepped.text
    assert await answers(client, caregiver, appt, room) == OUT
    assert await invitees(client, patient, appt) == []


async def test_consult_an_expired_delegation_ends_the_invitation_on_the_next_request(
    app, client, person, clinician_with_hours, before_nine
):
    expiry = BEFORE_NINE + timedelta(minutes=5)
    _, patient, caregiver, _, appt, room = await consult_with_guest(
        client, person, clinician_with_hours, expires_at=expiry
    )
    assert await answers(client, caregiver, appt, room) == IN
    before_nine.advance(minutes=6)  # nothing happens at expiry: the next request finds out
    assert await answers(client, caregiver, appt, room) == OUT
    # The care job then ends the lapsed invitation of the open room (once, however many nodes).
    db = app.state.runtime.db
    assert await jobs.end_lapsed_invitations_once(db) == 1
    assert await jobs.end_lapsed_invitations_once(db) == 0
    assert await invitees(client, patient, appt) == []
    ended = await audit_rows(app, action="appointment.uninvite")
    assert [(r.actor_id, json.loads(r.detail)["reason"]) for r in ended] == [
        (None, "delegation-expired")
    ]


async def test_consult_an_invitation_rests_on_a_delegation_that_lets_the_caregiver_in(
    client, person, clinician_with_hours, before_nine
):
    """Revoking an unrelated delegation keeps the invitation; revoking the last one that grants
    appointments or consults ends it. A vitals-only delegation never let anyone into a consult."""
    _, patient, caregiver, consults, appt, room = await consult_with_guest(
        client, person, clinician_with_hours, scopes=["consults:write"]
    )
    vitals = await delegate(client, patient, caregiver, ["vitals:read"])
    gone = await client.delete(f"/api/me/delegations/{vitals['id']}", headers=patient.headers)
    assert gone.status_code == 204
    chat = f"/api/care/encounters/{room['encounter_id']}/chat"
    assert (await client.get(chat, headers=caregiver.headers)).status_code == 200
    assert await invitees(client, patient, appt) == [str(caregiver.id)]

    await delegate(client, patient, caregiver, ["vitals:read"])
    gone = await client.delete(f"/api/me/delegations/{consults['id']}", headers=patient.headers)
    assert gone.status_code == 204
    assert (await client.get(chat, headers=caregiver.headers)).status_code == 404
    again = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"role": "caregiver", "account_id": str(caregiver.id)},
        headers=patient.headers,
    )
    assert again.status_code == 422, again.text


@pytest.mark.parametrize("host", ["patient", "clinician"])
async def test_consult_the_patient_or_the_clinician_removes_a_guest(
    app, client, person, clinician_with_hours, before_nine, host
):
    clinician, patient, caregiver, _, appt, room = await consult_with_guest(
        client, person, clinician_with_hours, scopes=["appointments:read"]
    )
    interpreter, stranger = await person("clinician"), await person("patient")
    invited = await client.post(
        f"/api/care/appointments/{appt['id']}/invite",
        json={"role": "interpreter", "account_id": str(interpreter.id)},
        headers=clinician.headers,
    )
    assert invited.status_code == 204, invited.text
    assert await answers(client, interpreter, appt, room) == {
        **OUT, "chat": 200, "say": 201, "room": 200, "space": 200, "listed": 200,
        "appointment": 200, "wait": 200,
    }  # fmt: skip
    by = {"patient": patient, "clinician": clinician}[host]
    path = f"/api/care/appointments/{appt['id']}/invitees"

    # Neither a stranger nor a guest removes anyone; an unknown guest or visit is 404.
    for who in (stranger, caregiver, interpreter):
        refused = await client.delete(f"{path}/{interpreter.id}", headers=who.headers)
        assert refused.status_code == 404, (who.role, refused.text)
    assert (await client.delete(f"{path}/{stranger.id}", headers=by.headers)).status_code == 404
    unknown = f"/api/care/appointments/{uuid.uuid4()}/invitees/{interpreter.id}"
    assert (await client.delete(unknown, headers=by.headers)).status_code == 404
    assert (await client.delete(f"{path}/not-a-uuid", headers=by.headers)).status_code == 422
    assert (await client.delete(f"{path}/{interpreter.id}")).status_code == 401
    assert set(await invitees(client, patient, appt)) == {str(caregiver.id), str(interpreter.id)}

    removed = await client.delete(f"{path}/{interpreter.id}", headers=by.headers)
    assert removed.status_code == 204, removed.text
    assert await answers(client, interpreter, appt, room) == OUT
    assert await invitees(client, patient, appt) == [str(caregiver.id)]
    assert (await client.delete(f"{path}/{interpreter.id}", headers=by.headers)).status_code == 404

    # A removed caregiver keeps what their delegation gives (the appointment), not the consult.
    removed = await client.delete(f"{path}/{caregiver.id}", headers=by.headers)
    assert removed.status_code == 204, removed.text
    assert await answers(client, caregiver, appt, room) == {**OUT, "appointment": 200, "wait": 200}
    rows = await audit_rows(app, action="appointment.uninvite")
    assert [(r.actor_id, json.loads(r.detail)["invitee"]) for r in rows] == [
        (by.id, str(interpreter.id)), (by.id, str(caregiver.id)),
    ]  # fmt: skip


@pytest.fixture
def served(settings):
    """A node of its own (no Redis: one node) on the same database, over real sockets."""
    with serve_in_thread(create_app(settings)) as url:
        yield url


async def test_consult_one_node_revoking_closes_the_caregivers_socket(
    client, person, clinician_with_hours, before_nine, served
):
    _, patient, caregiver, delegation, _, room = await consult_with_guest(
        client, person, clinician_with_hours
    )
    bearer = caregiver.headers["Authorization"].removeprefix("Bearer ")
    async with await WorldClient.connect(served, bearer, room["space_id"]) as guest:
        async with httpx.AsyncClient(base_url=served) as node:  # revoked on the socket's node
            revoked = await node.delete(
                f"/api/me/delegations/{delegation['id']}", headers=patient.headers
            )
        assert revoked.status_code == 204, revoked.text
        with pytest.raises(websockets.ConnectionClosed):
            await guest.wait_for(lambda _: False, timeout=5)
        assert guest.closed_code == proto.CLOSE_UNINVITED
    with pytest.raises(ConnectionRefusedError, match=str(proto.CLOSE_NOT_FOUND)):
        await WorldClient.connect(served, bearer, room["space_id"])
