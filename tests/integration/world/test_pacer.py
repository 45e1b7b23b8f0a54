"""The therapist's session room (who opens it, who gets in) and the shared breathing pacer with
its anonymous calm ratings, through the real server and sockets."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from careverse.identity.models import Patient
from careverse.identity.relationships import RelationshipService
from careverse.kernel.db import Database
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.pacer import LEAD_SECONDS


async def patient_of(app, account_id: str) -> uuid.UUID:
    db = Database(app.state.runtime.settings.effective_database_url)
    try:
        async with db.session() as session:
            found = await session.scalar(
                select(Patient.id).where(Patient.account_id == uuid.UUID(account_id))
            )
    finally:
        await db.dispose()
    assert found is not None
    return found


async def relate(app, clinician_id: str, patient_id: uuid.UUID) -> None:
    db = Database(app.state.runtime.settings.effective_database_url)
    try:
        async with db.session() as session:
            await RelationshipService(session).create(
                uuid.UUID(clinician_id), patient_id, "assignment"
            )
    finally:
        await db.dispose()


def is_error(code: str):
    return lambda m: isinstance(m, proto.Error) and m.code == code


async def test_therapy_room_opens_for_the_therapists_patient_only(live, person):
    url, app = live
    ther_id, ther = await person("clinician", "Dr Rowan Lee")
    pat_id, pat = await person("patient", "Sam Patel")
    _, stranger = await person("patient", "Other Person")
    _, colleague = await person("clinician", "Dr Not Theirs")
    patient_id = await patient_of(app, pat_id)
    await relate(app, ther_id, patient_id)

    async def open_room(token: str, body: object) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url) as http:
            return await http.post(
                "/api/world/therapy-rooms", json=body,
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip

    made = await open_room(ther, {"patient_id": str(patient_id)})
    assert made.status_code == 201, made.text
    room = made.json()
    assert (room["template"], room["access"], room["capacity"]) == ("therapy-room", "invite", 4)
    again = await open_room(ther, {"patient_id": str(patient_id)})
    assert again.json()["id"] == room["id"]  # one room per therapist and patient
    # Each opening calls the patient in: a notification linking to the room, no therapy in
    # its title.
    async with httpx.AsyncClient(base_url=url) as http:
        notices = await http.get(
            "/api/me/notifications", headers={"Authorization": f"Bearer {pat}"}
        )
    calls = [n for n in notices.json() if n["link"] == f"/spaces/{room['id']}"]
    assert len(calls) == 2 and "therap" not in calls[0]["title"].lower()

    # No care relationship, no such patient, not a clinician, bad input.
    assert (await open_room(colleague, {"patient_id": str(patient_id)})).status_code == 404
    assert (await open_room(ther, {"patient_id": str(uuid.uuid4())})).status_code == 404
    assert (await open_room(pat, {"patient_id": str(patient_id)})).status_code in (403, 404)
    bad = await open_room(ther, {"patient_id": "nope"})
    assert bad.status_code == 422 and "patient_id" in bad.text

    # The consult room's admission: the two of them get in (with the call), nobody else.
    async with (
        await WorldClient.connect(url, ther, room["id"]) as therapist,
        await WorldClient.connect(url, pat, room["id"]) as patient,
    ):
        assert therapist.welcome.template == "therapy-room"
        await patient.send(proto.Signal(to="*", kind="call", data="on"))
        joined = await therapist.wait_for(
            lambda m: isinstance(m, proto.SignalOut) and m.kind == "call"
        )
        assert (joined.peer, joined.data) == (pat_id, "on")
    for outsider in (stranger, colleague):
        with pytest.raises(ConnectionRefusedError, match="4404"):
            await WorldClient.connect(url, outsider, room["id"])
    async with httpx.AsyncClient(base_url=url) as http:
        listed = await http.get("/api/spaces", headers={"Authorization": f"Bearer {stranger}"})
    assert room["id"] not in {s["id"] for s in listed.json()}


async def test_shared_pacer_reaches_everyone_with_one_start_time(live, person, space):
    url, _ = live
    _, host_token = await person("clinician", "Facilitator")
    garden = await space(host_token, template="mindfulness")
    members = [await person("patient", f"Member {i}") for i in range(3)]
    async with (
        await WorldClient.connect(url, host_token, garden) as host,
        await WorldClient.connect(url, members[0][1], garden) as one,
        await WorldClient.connect(url, members[1][1], garden) as two,
    ):
        assert one.welcome.pacer is None
        # Only the facilitator starts it; rates outside 3-12 a minute are refused.
        await one.send(proto.Pacer(action="start", rate=6))
        await one.wait_for(is_error("forbidden"))
        await host.ws.send('{"t":"pacer","action":"start","rate":30}')
        await host.send(proto.Pacer(action="start", rate=5.5, minutes=2))
        before = time.time()
        got = [
            await c.wait_for(lambda m: isinstance(m, proto.PacerOut) and m.on)
            for c in (host, one, two)
        ]
        assert {(p.start, p.rate, p.seconds) for p in got} == {(got[0].start, 5.5, 120)}
        assert before < got[0].start <= before + LEAD_SECONDS + 1  # a short lead-in, shared

        # A late arrival gets the running pacer in its welcome (same start, same rate).
        async with await WorldClient.connect(url, members[2][1], garden) as late:
            assert late.welcome.pacer is not None
            assert (late.welcome.pacer.start, late.welcome.pacer.rate) == (got[0].start, 5.5)

            # Calm ratings: counts at once, means only from three people, never names.
            await one.send(proto.Calm(when="before", score=3))
            first = await host.wait_for(lambda m: isinstance(m, proto.CalmOut))
            assert (first.before, first.before_mean) == (1, None)
            await two.send(proto.Calm(when="before", score=5))
            await late.send(proto.Calm(when="before", score=4))
            await one.send(proto.Calm(when="before", score=4))  # a second rating replaces
            while True:
                agg = await host.wait_for(lambda m: isinstance(m, proto.CalmOut))
                if agg.before == 3 and agg.before_mean == pytest.approx(4.3):
                    break
            assert proto.encode(agg).decode().count(members[0][0]) == 0
            await late.send(proto.Calm(when="after", score=9))
            after = await one.wait_for(lambda m: isinstance(m, proto.CalmOut) and m.after == 1)
            assert after.after_mean is None and after.before == 3
            await one.send(proto.Calm(when="later", score=2))  # type: ignore[arg-type]
            await one.ws.send('{"t":"calm","when":"after","score":11}')

        await host.send(proto.Pacer(action="stop"))
        stopped = await two.wait_for(lambda m: isinstance(m, proto.PacerOut) and not m.on)
        assert stopped.by == host.you

    async with await WorldClient.connect(url, members[0][1], garden) as back:
        assert back.welcome.pacer is None


async def test_pacer_is_refused_where_the_template_has_none(live, person, space):
    url, _ = live
    _, host_token = await person("clinician")
    lab = await space(host_token, template="training-lab")
    async with await WorldClient.connect(url, host_token, lab) as host:
        await host.send(proto.Pacer(action="start"))
        await host.wait_for(is_error("no_pacer"))
