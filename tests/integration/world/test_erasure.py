"""An erased person leaves the world: no membership names them, objects they placed are kept
without their name, and spaces they own stay for the others."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from careverse.care.events import ConsultRoomOpened
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue
from careverse.world.models import Space, SpaceMember, SpaceObject


async def test_erasure_removes_memberships_and_unnames_objects(app, make_account):
    clinician, patient = await make_account("clinician"), await make_account("patient")
    room = uuid.uuid4()
    db = app.state.runtime.db
    async with db.session() as session, unit_of_work(session) as uow:
        await uow.publish(
            ConsultRoomOpened(
                space_id=room, appointment_id=uuid.uuid4(), owner_id=clinician.id,
                member_ids=(clinician.id, patient.id), name="Consult",
            )
        )  # fmt: skip
        session.add(SpaceObject(space_id=room, kind="note", label="hello", created_by=patient.id))

    async with db.session() as session, unit_of_work(session) as uow:
        await uow.publish(AccountErasureDue(account_id=patient.id, patient_id=patient.patient.id))

    async with db.session() as session:
        members = (
            await session.scalars(
                select(SpaceMember.account_id).where(SpaceMember.space_id == room)
            )
        ).all()
        [note] = (
            await session.scalars(select(SpaceObject).where(SpaceObject.space_id == room))
        ).all()
        space = await session.get(Space, room)
    assert members == [clinician.id]
    assert note.created_by is None and note.label == "hello"
    assert space is not None and space.owner_id == clinician.id


async def test_the_world_handles_erasure_in_the_transaction(app):
    handlers = app.state.runtime.events.catalogue()["AccountErasureDue"]
    assert "transaction: careverse.world.events.forget_person" in handlers
