"""A facilitator's view of "I need support" requests over HTTP, and the acknowledgement.

In the room a facilitator acknowledges with ``support_ack`` (world/circle.py); a facilitator
away from the room (or on a phone, from the in-app notice) does it here:
``GET /api/groups/{slug}/support`` lists the group's open requests (not yet acknowledged;
escalated ones included, marked), ``POST /api/groups/{slug}/support/{request_id}/ack``
acknowledges one. Both are for the group's active facilitators only (anyone else: 404, as the
notes) and audited. An acknowledgement stops the escalation (the job escalates only
unacknowledged requests) and is told to the room on every node
(:class:`~careverse.world.circle_events.CircleSupportClosed`, EVERYWHERE), so the member sees
it and the alert leaves the other facilitators' panels.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups import access
from careverse.groups.models import GroupSession, GroupSupportRequest, SupportGroup
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work
from careverse.world.circle_events import CircleSupportClosed


@dataclass(frozen=True)
class SupportView:
    id: uuid.UUID
    session_id: uuid.UUID
    name: str
    raised_at: datetime
    due_at: datetime
    escalated: bool
    acknowledged_at: datetime | None


async def _facilitated(session: AsyncSession, actor: Actor, slug: str) -> SupportGroup:
    group, mine = await access.visible_group(session, actor, slug)
    if not access.is_facilitator(mine):
        raise NotFound("Not found.")
    return group


async def _views(session: AsyncSession, rows: list[GroupSupportRequest]) -> list[SupportView]:
    names = await directory.display_names(session, {r.account_id for r in rows if r.account_id})
    return [
        SupportView(
            id=r.id, session_id=r.session_id,
            name=names.get(r.account_id, "") if r.account_id else "",
            raised_at=r.raised_at, due_at=r.due_at, escalated=r.escalated_at is not None,
            acknowledged_at=r.acknowledged_at,
        )
        for r in rows
    ]  # fmt: skip


async def open_requests(session: AsyncSession, actor: Actor, slug: str) -> list[SupportView]:
    """The group's unacknowledged requests, oldest first (facilitators; audited)."""
    async with unit_of_work(session):
        group = await _facilitated(session, actor, slug)
        query = (
            select(GroupSupportRequest)
            .join(GroupSession, GroupSession.id == GroupSupportRequest.session_id)
            .where(GroupSession.group_id == group.id, GroupSupportRequest.acknowledged_at.is_(None))
            .order_by(GroupSupportRequest.raised_at)
        )
        rows = list((await session.scalars(query)).all())
        audit.record(
            session, "groups.support.list", actor=actor, resource_type="SupportGroup",
            resource_id=group.id, detail={"count": len(rows)},
        )  # fmt: skip
        return await _views(session, rows)


async def acknowledge(
    session: AsyncSession, actor: Actor, slug: str, request_id: uuid.UUID
) -> SupportView:
    """Acknowledge one request of this group (once; a second time answers it as it is)."""
    async with unit_of_work(session) as uow:
        group = await _facilitated(session, actor, slug)
        row = await session.get(GroupSupportRequest, request_id)
        sitting = await session.get(GroupSession, row.session_id) if row else None
        if row is None or sitting is None or sitting.group_id != group.id:
            raise NotFound("Not found.")
        if row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = clock.now(), actor.account_id
            if sitting.space_id is not None and row.account_id is not None:
                by = await directory.display_names(session, {actor.account_id})
                await uow.publish(
                    CircleSupportClosed(
                        space_id=sitting.space_id, account_id=row.account_id,
                        by_name=by.get(actor.account_id, ""),
                    )
                )  # fmt: skip
        audit.record(
            session, "groups.support.acknowledge", actor=actor,
            resource_type="GroupSupportRequest", resource_id=row.id,
        )  # fmt: skip
        await session.flush()
        return (await _views(session, [row]))[0]
