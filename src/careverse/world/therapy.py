"""A therapist's private session room: a ``therapy-room`` space for one patient.

A clinician with a care relationship (the one policy, category ``wellbeing``, write: therapy
is mental-health care) opens a session room for their patient. It is a world space like the
consult room: access ``invite``, unlisted, the therapist its owner and the patient its one
member, so the same admission as the consult room's applies (``SpaceService.enter``: only the
owner and members get in; anyone else is answered 404) and so do its calls. Opening it again
answers the same room. Each opening tells the patient in the app (a notification that links
to the room; its title names no therapy, as notification titles carry no health data), so the
therapist's "open the room" is also the patient's call in. The room looks like the therapy
garden (client/src/world/environments.ts) and has the shared breathing pacer (pacer.py).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.world.models import Space, SpaceMember
from careverse.world.templates import TEMPLATES

THERAPY_TEMPLATE = "therapy-room"
THERAPY_ROOM_NAME = "Therapy session room"
NOTICE_KIND = "world.session_room"
NOTICE_TITLE = "Your care team opened a session room for you"
NOTICE_BODY = "Your therapist is ready: enter the session room when you are."


async def open_therapy_room(session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> Space:
    """The therapist's session room with this patient (made on first asking); 404 without a
    care relationship, 422 for a patient with no account to enter it with."""
    require_role(actor, Role.CLINICIAN)
    async with unit_of_work(session) as uow:
        await authorize(
            session, actor, patient_id, Category.WELLBEING, write=True, resource_type="Space"
        )
        patient = await directory.patient(session, patient_id)
        if patient is None:
            raise NotFound("Not found.")
        if patient.account_id is None:
            raise InvalidInput(
                "This patient has no account yet, so cannot join a session room.",
                field="patient_id",
            )
        existing = await session.scalar(
            select(Space)
            .join(SpaceMember, SpaceMember.space_id == Space.id)
            .where(
                Space.template == THERAPY_TEMPLATE,
                Space.owner_id == actor.account_id,
                SpaceMember.account_id == patient.account_id,
            )
            .order_by(Space.created_at)
            .limit(1)
        )
        if existing is None:
            existing = await _new_room(session, actor, patient.account_id)
        await uow.publish(NotificationRequested(
            account_id=patient.account_id, kind=NOTICE_KIND, title=NOTICE_TITLE,
            body=NOTICE_BODY, link=f"/spaces/{existing.id}", patient_id=patient_id,
        ))  # fmt: skip
    return existing


async def _new_room(session: AsyncSession, actor: Actor, account_id: uuid.UUID) -> Space:
    space = Space(
        id=uuid.uuid4(), name=THERAPY_ROOM_NAME, template=THERAPY_TEMPLATE,
        owner_id=actor.account_id, access="invite",
        capacity=TEMPLATES[THERAPY_TEMPLATE].capacity, listed=False,
    )  # fmt: skip
    session.add(space)
    await session.flush()
    session.add(SpaceMember(space_id=space.id, account_id=account_id))
    return space
