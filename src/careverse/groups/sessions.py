"""Group sessions: the next ones (in the member's time zone), joining one (its space opens,
attendance is kept), the .ics download, reminders, and "I need support" with its deadline.

A session's space is a world space of the group's template (``GroupSpaceRequested``), made when
the first person joins from 15 minutes before the start until the end; the group's facilitators
are its facilitators. Members join once their ground rules are accepted (the current version).

Reminders (:func:`remind_due_once`) go an hour before: in the app and by e-mail, with a title
that says only "Your group session starts soon" (a group's name can reveal a condition).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.community.moderation_review import oncall
from careverse.groups import access, ics
from careverse.groups.events import GroupSupportEscalated
from careverse.groups.models import (
    GroupAttendance,
    GroupCheckIn,
    GroupMember,
    GroupSession,
    GroupSupportRequest,
    SupportGroup,
)
from careverse.groups.service import recurrence_of
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work
from careverse.world.circle_events import (
    CircleCheckIn,
    CircleSupportAcknowledged,
    CircleSupportRequested,
    GroupSpaceRequested,
)

log = structlog.get_logger(__name__)

OPENS_BEFORE = timedelta(minutes=15)
REMIND_BEFORE = timedelta(hours=1)
ACKNOWLEDGE_WITHIN = timedelta(minutes=3)
REMINDER_TITLE = "Your group session starts soon"
SUPPORT_TITLE = "Someone in your group needs support"
SPACE_NAME = "Group session"
MODES = ("full", "voice", "text")


@dataclass(frozen=True)
class Joined:
    session: GroupSession
    space_id: uuid.UUID
    facilitator: bool


async def session_at(session: AsyncSession, group: SupportGroup, start: datetime) -> GroupSession:
    """The session row of the occurrence starting at ``start``, made once (the unique key of
    (group, start) decides between two nodes)."""
    found = await session.scalar(
        select(GroupSession).where(
            GroupSession.group_id == group.id, GroupSession.starts_at == start
        )
    )
    if found is not None:
        return found
    row = GroupSession(
        group_id=group.id,
        starts_at=start,
        space_id=uuid.uuid4(),
        ends_at=start + timedelta(minutes=group.duration_minutes),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = await session.scalar(
            select(GroupSession).where(
                GroupSession.group_id == group.id, GroupSession.starts_at == start
            )
        )
    assert row is not None
    return row


async def join_session(
    session: AsyncSession, actor: Actor, slug: str, mode: str, pseudonym: bool
) -> Joined:
    """Enter the group's current session: its space is made (once), the caller is in it."""
    if mode not in MODES:
        raise InvalidInput("Mode is full, voice or text.", field="mode")
    async with unit_of_work(session) as uow:
        group, mine = await access.visible_group(session, actor, slug)
        facilitator = access.is_facilitator(mine)
        if not facilitator:
            if mine is None or mine.status != "active":
                raise Forbidden("Only the group's members join its sessions.", code="not_a_member")
            if mine.rules_version != group.ground_rules_version:
                raise Conflict(
                    "Accept the group's ground rules before the session.", code="rules_not_accepted"
                )
        now = clock.now()
        (start,) = recurrence_of(group).upcoming(now, 1)
        if now < start - OPENS_BEFORE:
            raise Conflict(
                f"The session opens at {(start - OPENS_BEFORE).isoformat()}.", code="not_open_yet"
            )
        row = await session_at(session, group, start)
        assert row.space_id is not None
        alias = ""
        if pseudonym:
            alias = (
                await community_members.pseudonym_for(session, group.community_id, actor.account_id)
            ).handle
        people = [(f, "facilitator", "") for f in await access.facilitator_ids(session, group.id)]
        if not facilitator:
            people.append((actor.account_id, "participant", alias))
        elif alias:
            people = [(a, r, alias if a == actor.account_id else n) for a, r, n in people]
        await uow.publish(
            GroupSpaceRequested(
                space_id=row.space_id,
                name=SPACE_NAME,
                template=group.template,
                owner_id=group.created_by or actor.account_id,
                capacity=group.capacity + len(people),
                members=tuple(people),
            )
        )
        seen = await session.scalar(
            select(GroupAttendance).where(
                GroupAttendance.session_id == row.id, GroupAttendance.account_id == actor.account_id
            )
        )
        if seen is None:
            session.add(GroupAttendance(session_id=row.id, account_id=actor.account_id, mode=mode))
        audit.record(
            session,
            "groups.session.join",
            actor=actor,
            resource_type="GroupSession",
            resource_id=row.id,
        )
    return Joined(row, row.space_id, facilitator)


async def calendar(session: AsyncSession, actor: Actor, slug: str, public_url: str) -> str:
    group, mine = await access.visible_group(session, actor, slug)
    if mine is None or mine.status not in ("active",):
        raise Forbidden("Join the group first.", code="not_a_member")
    length = timedelta(minutes=group.duration_minutes)
    starts = recurrence_of(group).upcoming(clock.now(), 8)
    items = [(uuid.uuid5(group.id, s.isoformat()), s, s + length) for s in starts]
    return ics.calendar(items, f"{public_url.rstrip('/')}/groups/{group.slug}", clock.now())


# ---- reminders --------------------------------------------------------------------------------


async def remind_due_once(db: Database) -> int:
    """Make the sessions starting within the hour and remind their members once each."""
    now = clock.now()
    sent = 0
    async with db.session() as session, unit_of_work(session):
        groups = list((await session.scalars(select(SupportGroup))).all())
        due = []
        for group in groups:
            (start,) = recurrence_of(group).upcoming(now, 1)
            if now < start <= now + REMIND_BEFORE:
                due.append((await session_at(session, group, start)).id)
    for session_id in due:
        async with db.session() as session, unit_of_work(session) as uow:
            claim = await session.execute(
                update(GroupSession)
                .where(GroupSession.id == session_id, GroupSession.reminded_at.is_(None))
                .values(reminded_at=now)
            )
            if cast(CursorResult, claim).rowcount != 1:
                continue  # another node reminded them
            row = await session.get(GroupSession, session_id)
            assert row is not None
            group = await session.get(SupportGroup, row.group_id)
            assert group is not None
            people = (
                await session.scalars(
                    select(GroupMember.account_id).where(
                        GroupMember.group_id == group.id, GroupMember.status == "active"
                    )
                )
            ).all()
            for account in people:
                await uow.publish(
                    NotificationRequested(
                        account_id=account,
                        kind="groups.session.soon",
                        title=REMINDER_TITLE,
                        body=f"{group.name}: the session starts at {row.starts_at.isoformat()}.",
                        link=f"/groups/{group.slug}",
                        email=True,
                    )
                )
                sent += 1
    return sent


# ---- in the session: support and check-ins (the world's circle events) ------------------------


async def _session_of_space(session: AsyncSession, space_id: uuid.UUID):
    row = await session.scalar(select(GroupSession).where(GroupSession.space_id == space_id))
    if row is None:
        return None, None
    return row, await session.get(SupportGroup, row.group_id)


async def on_support_requested(event: CircleSupportRequested, session: AsyncSession) -> None:
    """Keep the request with its deadline and tell the facilitators in the app (TRANSACTION)."""
    row, group = await _session_of_space(session, event.space_id)
    if row is None or group is None:
        return
    now = clock.now()
    session.add(
        GroupSupportRequest(
            session_id=row.id,
            account_id=event.account_id,
            raised_at=now,
            due_at=now + ACKNOWLEDGE_WITHIN,
        )
    )
    uow = unit_of_work(session)
    for facilitator in await access.facilitator_ids(session, group.id):
        await uow.publish(
            NotificationRequested(
                account_id=facilitator,
                kind="groups.support",
                title=SUPPORT_TITLE,
                body='A member pressed "I need support" in the session; acknowledge it.',
                link=f"/groups/{group.slug}",
            )
        )


async def on_support_acknowledged(event: CircleSupportAcknowledged, session: AsyncSession) -> None:
    row, _ = await _session_of_space(session, event.space_id)
    if row is None:
        return
    await session.execute(
        update(GroupSupportRequest)
        .where(
            GroupSupportRequest.session_id == row.id,
            GroupSupportRequest.account_id == event.account_id,
            GroupSupportRequest.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=clock.now(), acknowledged_by=event.by_id)
    )


async def on_check_in(event: CircleCheckIn, session: AsyncSession) -> None:
    row, _ = await _session_of_space(session, event.space_id)
    if row is None:
        return
    found = await session.scalar(
        select(GroupCheckIn).where(
            GroupCheckIn.session_id == row.id,
            GroupCheckIn.account_id == event.account_id,
            GroupCheckIn.phase == event.phase,
        )
    )
    if found is None:
        session.add(
            GroupCheckIn(
                session_id=row.id,
                account_id=event.account_id,
                phase=event.phase,
                score=str(event.score),
            )
        )
    else:
        found.score, found.at = str(event.score), clock.now()


async def escalate_due_once(db: Database, settings: Settings) -> int:
    """Requests nobody acknowledged by their deadline go the crisis path (once each)."""
    now = clock.now()
    async with db.session() as session:
        due = (
            await session.scalars(
                select(GroupSupportRequest.id).where(
                    GroupSupportRequest.acknowledged_at.is_(None),
                    GroupSupportRequest.escalated_at.is_(None),
                    GroupSupportRequest.due_at <= now,
                )
            )
        ).all()
    done = 0
    for request_id in due:
        async with db.session() as session, unit_of_work(session) as uow:
            claim = await session.execute(
                update(GroupSupportRequest)
                .where(
                    GroupSupportRequest.id == request_id,
                    GroupSupportRequest.acknowledged_at.is_(None),
                    GroupSupportRequest.escalated_at.is_(None),
                )
                .values(escalated_at=now)
            )
            if cast(CursorResult, claim).rowcount != 1:
                continue
            request = await session.get(GroupSupportRequest, request_id)
            assert request is not None
            row = await session.get(GroupSession, request.session_id)
            assert row is not None
            brief = None
            if request.account_id is not None:
                brief = await directory.account(session, request.account_id)
            people = [
                *await oncall(session, settings),
                *await access.facilitator_ids(session, row.group_id),
            ]
            await uow.publish(
                GroupSupportEscalated(
                    request_id=request_id,
                    group_id=row.group_id,
                    patient_id=brief.patient_id if brief else None,
                    recipients=tuple(dict.fromkeys(people)),
                    raised_at=request.raised_at.isoformat(),
                )
            )
            done += 1
    return done


async def forever(db: Database, settings: Settings, every_seconds: float = 30.0) -> None:
    """The groups job: reminders and support escalation."""
    while True:
        try:
            await remind_due_once(db)
            await escalate_due_once(db, settings)
        except Exception as exc:
            log.error("groups.job_failed", error=type(exc).__name__)
        await clock.sleep(every_seconds)
