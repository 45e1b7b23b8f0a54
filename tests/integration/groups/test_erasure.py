"""Groups' part of an erasure (both databases): the erased member's memberships, attendance,
check-ins and support requests are deleted; the notes an erased facilitator wrote, the group they
created and the requests they acknowledged stay, under no name; everyone else's rows stay."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from careverse.groups.models import (
    GroupAttendance,
    GroupCheckIn,
    GroupMember,
    GroupSessionNote,
    GroupSupportRequest,
    SupportGroup,
)
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue
from careverse.world.circle_events import (
    CircleCheckIn,
    CircleSupportAcknowledged,
    CircleSupportRequested,
)
from tests.integration.groups.support import join
from tests.integration.groups.test_continuity import (  # noqa: F401
    in_session,
    publish,
    session_with,
    settings_overrides,
)

ROWS = (GroupMember, GroupAttendance, GroupCheckIn, GroupSupportRequest)


async def counts(app, account: uuid.UUID) -> dict[str, int]:
    async with app.state.runtime.db.session() as session:
        return {
            table.__name__: await session.scalar(
                select(func.count()).select_from(table).where(table.account_id == account)
            )
            or 0
            for table in ROWS
        }


async def erase(app, who) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(AccountErasureDue(account_id=who.id, patient_id=who.patient_id))


async def test_erasure_of_a_member_and_of_a_facilitator(app, client, person, in_session):  # noqa: F811
    lead, member, other = await person("admin"), await person("patient"), await person("patient")
    made, joined = await session_with(client, lead, member)
    await join(client, other, made["slug"])
    r = await client.post(
        f"/api/groups/{made['slug']}/session/join", json={"mode": "text"}, headers=other.headers
    )
    assert r.status_code == 200, r.text
    space = uuid.UUID(joined["space_id"])
    for who in (member, other):
        await publish(app, CircleCheckIn(space_id=space, account_id=who.id, phase="start", score=3))
        await publish(app, CircleSupportRequested(space_id=space, account_id=who.id))
    await publish(
        app, CircleSupportAcknowledged(space_id=space, account_id=other.id, by_id=lead.id)
    )
    notes = f"/api/groups/{made['slug']}/sessions/{joined['session_id']}/notes"
    r = await client.post(notes, json={"body": "Gentle start."}, headers=lead.headers)
    assert r.status_code == 201, r.text
    assert await counts(app, member.id) == dict.fromkeys(
        ("GroupMember", "GroupAttendance", "GroupCheckIn", "GroupSupportRequest"), 1
    )

    await erase(app, member)
    assert set((await counts(app, member.id)).values()) == {0}
    assert set((await counts(app, other.id)).values()) == {1}  # the others' rows stay

    await erase(app, lead)
    async with app.state.runtime.db.session() as session:
        group = await session.scalar(select(SupportGroup).where(SupportGroup.slug == made["slug"]))
        (note,) = (await session.scalars(select(GroupSessionNote))).all()
        (request,) = (await session.scalars(select(GroupSupportRequest))).all()
        leads = await session.scalar(
            select(func.count()).select_from(GroupMember).where(GroupMember.account_id == lead.id)
        )
    assert group is not None and group.created_by is None  # the group stays, under no name
    assert note.author_id is None and note.body == "Gentle start."
    assert request.account_id == other.id and request.acknowledged_by is None
    assert request.acknowledged_at is not None
    assert leads == 0
    r = await client.get(f"/api/groups/{made['slug']}", headers=other.headers)
    assert r.status_code == 200 and r.json()["members"] == 1


async def test_groups_handle_erasure_in_the_transaction(app):
    handlers = app.state.runtime.events.catalogue()["AccountErasureDue"]
    assert "transaction: careverse.groups.continuity.erase_member_rows" in handlers
