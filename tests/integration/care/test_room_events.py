"""The spaces care asks the world for, through events: the consult room and its members, a later
invitation, the shared waiting space; made in care's transaction, or not at all."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from careverse.care.events import ConsultRoomInvited, ConsultRoomOpened, WaitingRoomNeeded
from careverse.care.models import Appointment, WaitingRoom
from careverse.kernel.uow import unit_of_work
from careverse.world.models import Space, SpaceMember
from tests.integration.care.support import BEFORE_NINE, admitted, checked_in

NINE = "2026-03-23T09:00:00Z"


@pytest.fixture
def before_nine(fake_clock):
    fake_clock.now = BEFORE_NINE
    return fake_clock


async def space_and_members(app, space_id: uuid.UUID) -> tuple[Space | None, dict]:
    async with app.state.runtime.db.session() as session:
        space = await session.get(Space, space_id)
        rows = await session.scalars(select(SpaceMember).where(SpaceMember.space_id == space_id))
        return space, {m.account_id: m.role for m in rows.all()}


async def test_worlds_handlers_are_subscribed_in_the_transaction(app):
    catalogue = app.state.runtime.events.catalogue()
    for event, handler in (
        ("ConsultRoomOpened", "open_consult_room"),
        ("ConsultRoomInvited", "invite_to_consult_room"),
        ("WaitingRoomNeeded", "open_waiting_room"),
    ):
        assert f"transaction: careverse.world.events.{handler}" in catalogue[event]


async def test_admitting_opens_the_room_care_named_with_its_members(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, interpreter, late = (
        await person(),
        await person("clinician"),
        await person("clinician"),
    )
    appt = await checked_in(client, patient, clinician, NINE)
    invite = f"/api/care/appointments/{appt['id']}/invite"
    body = {"role": "interpreter", "account_id": str(interpreter.id)}
    assert (await client.post(invite, json=body, headers=patient.headers)).status_code == 204
    admit = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert admit.status_code == 200, admit.text
    space_id = uuid.UUID(admit.json()["space_id"])

    space, members = await space_and_members(app, space_id)
    assert space is not None
    assert (space.template, space.access, space.listed, space.owner_id, space.name) == (
        "consult-room", "invite", False, clinician.id, "Consult room",
    )  # fmt: skip
    assert space.capacity == 4
    assert members == {patient.id: "participant", interpreter.id: "participant"}
    async with app.state.runtime.db.session() as session:
        linked = await session.get(Appointment, uuid.UUID(appt["id"]))
        assert linked.space_id == space_id

    # Admitting again answers the same room; a guest invited now joins it.
    again = await client.post(
        f"/api/care/appointments/{appt['id']}/admit", headers=clinician.headers
    )
    assert again.json()["space_id"] == str(space_id)
    body = {"role": "clinician", "account_id": str(late.id)}
    assert (await client.post(invite, json=body, headers=clinician.headers)).status_code == 204
    _, members = await space_and_members(app, space_id)
    assert set(members) == {patient.id, interpreter.id, late.id}


async def test_an_invitation_twice_makes_one_member(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient, guest = await person(), await person("clinician")
    _, room = await admitted(client, patient, clinician, NINE)
    space_id = uuid.UUID(room["space_id"])
    for _ in range(2):
        async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
            await uow.publish(
                ConsultRoomInvited(space_id=space_id, account_id=guest.id, by_id=clinician.id)
            )
    _, members = await space_and_members(app, space_id)
    assert members == {patient.id: "participant", guest.id: "participant"}


async def test_the_waiting_space_is_made_once_for_the_clinic(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    colleague = await clinician_with_hours("UTC", name="Dr. Sam Okafor")
    first, second = await person(), await person()
    await checked_in(client, first, clinician, NINE)
    async with app.state.runtime.db.session() as session:
        row = await session.get(WaitingRoom, "default")
    assert row is not None
    space, members = await space_and_members(app, row.space_id)
    assert (space.template, space.access, space.listed, space.owner_id, space.name) == (
        "therapy-garden", "members", False, clinician.id, "Waiting garden",
    )  # fmt: skip
    assert members == {}
    # Another clinician's patient waits in the same garden.
    appt = await checked_in(client, second, colleague, NINE)
    wait = await client.get(f"/api/care/appointments/{appt['id']}/wait", headers=second.headers)
    assert wait.json()["waiting_space_id"] == str(row.space_id)
    async with app.state.runtime.db.session() as session:
        spaces = await session.scalars(select(Space).where(Space.template == "therapy-garden"))
        assert [s.id for s in spaces.all()] == [row.space_id]


async def test_a_room_the_world_cannot_make_rolls_care_back(
    app, client, person, clinician_with_hours, before_nine
):
    clinician = await clinician_with_hours("UTC")
    patient = await person()
    appt = await checked_in(client, patient, clinician, NINE)
    appointment_id = uuid.UUID(appt["id"])
    space_id = uuid.uuid4()
    nobody = uuid.uuid4()  # no such account: the world's member row cannot be written
    with pytest.raises(Exception):  # noqa: B017 - the database's own error, whichever it is
        async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
            row = await session.get(Appointment, appointment_id)
            row.status = "in_progress"
            await uow.publish(
                ConsultRoomOpened(
                    space_id=space_id, appointment_id=appointment_id, owner_id=clinician.id,
                    member_ids=(patient.id, nobody), name="Consult room",
                )
            )  # fmt: skip
    space, _ = await space_and_members(app, space_id)
    assert space is None
    async with app.state.runtime.db.session() as session:
        assert (await session.get(Appointment, appointment_id)).status == "checked_in"


async def test_a_waiting_room_event_makes_the_space(app, person):
    owner = await person("clinician")
    space_id = uuid.uuid4()
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(WaitingRoomNeeded(space_id=space_id, owner_id=owner.id))
    space, _ = await space_and_members(app, space_id)
    assert space is not None and space.owner_id == owner.id
