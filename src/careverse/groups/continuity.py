"""Attendance and check-ins per member, their sharing with the care team, and facilitators'
session notes.

A member sees their own record. Their clinician sees it only when both hold: the one access
policy grants the clinician the patient's wellbeing data (a care relationship, no consent
withdrawn — ``kernel.policy.authorize``, audited either way) **and** the member chose to share
that group's record with their care team (``share_with_care_team``, audited). Otherwise 404.
Notes are the group's facilitators' only (encrypted); anyone else gets 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups import access
from careverse.groups.models import (
    GroupAttendance,
    GroupCheckIn,
    GroupMember,
    GroupSession,
    GroupSessionNote,
    GroupSupportRequest,
    SupportGroup,
)
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, authorize, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue


@dataclass
class SessionRecord:
    starts_at: datetime
    attended: bool
    mode: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class GroupRecord:
    slug: str
    name: str
    shared: bool
    sessions: list[SessionRecord] = field(default_factory=list)


async def _records(
    session: AsyncSession, account_id: uuid.UUID, shared_only: bool
) -> list[GroupRecord]:
    query = (
        select(GroupMember, SupportGroup)
        .join(SupportGroup, SupportGroup.id == GroupMember.group_id)
        .where(GroupMember.account_id == account_id, GroupMember.role == "member")
    )
    if shared_only:
        query = query.where(GroupMember.share_with_care_team.is_(True))
    out = []
    for member, group in (await session.execute(query.order_by(SupportGroup.name))).all():
        record = GroupRecord(group.slug, group.name, member.share_with_care_team)
        sessions = (
            await session.scalars(
                select(GroupSession)
                .where(GroupSession.group_id == group.id)
                .order_by(GroupSession.starts_at)
            )
        ).all()
        for row in sessions:
            seen = await session.scalar(
                select(GroupAttendance).where(
                    GroupAttendance.session_id == row.id, GroupAttendance.account_id == account_id
                )
            )
            checkins = await session.scalars(
                select(GroupCheckIn).where(
                    GroupCheckIn.session_id == row.id, GroupCheckIn.account_id == account_id
                )
            )
            scores = {c.phase: int(c.score) for c in checkins.all()}
            if row.starts_at > clock.now():
                continue
            record.sessions.append(
                SessionRecord(
                    row.starts_at,
                    seen is not None,
                    seen.mode if seen else None,
                    scores.get("start"),
                    scores.get("end"),
                )
            )
        out.append(record)
    return out


async def my_record(session: AsyncSession, actor: Actor) -> list[GroupRecord]:
    require_full_scope(actor)
    return await _records(session, actor.account_id, shared_only=False)


async def patient_record(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID
) -> list[GroupRecord]:
    """A clinician's view of a patient's group attendance: policy and the member's consent."""
    await authorize(session, actor, patient_id, Category.WELLBEING, resource_type="GroupAttendance")
    patient = await directory.patient(session, patient_id)
    if patient is None or patient.account_id is None:
        raise NotFound("Not found.")
    records = await _records(session, patient.account_id, shared_only=True)
    if not records:
        raise NotFound("Not found.")
    return records


async def set_sharing(session: AsyncSession, actor: Actor, slug: str, share: bool) -> bool:
    async with unit_of_work(session):
        group, mine = await access.visible_group(session, actor, slug)
        if mine is None or mine.role != "member" or mine.status == "left":
            raise NotFound("Not found.")
        mine.share_with_care_team = share
        audit.record(
            session,
            "groups.share",
            actor=actor,
            resource_type="SupportGroup",
            resource_id=group.id,
            detail={"share": share},
        )
    return share


async def _facilitated_session(
    session: AsyncSession, actor: Actor, slug: str, session_id: uuid.UUID
) -> GroupSession:
    group, mine = await access.visible_group(session, actor, slug)
    row = await session.get(GroupSession, session_id)
    if not access.is_facilitator(mine) or row is None or row.group_id != group.id:
        raise NotFound("Not found.")
    return row


async def facilitated_sessions(
    session: AsyncSession, actor: Actor, slug: str, limit: int = 20
) -> list[GroupSession]:
    """The group's sessions that have opened (from 15 minutes before the start), newest first:
    what a facilitator writes notes on. The group's facilitators only; anyone else gets 404."""
    group, mine = await access.visible_group(session, actor, slug)
    if not access.is_facilitator(mine):
        raise NotFound("Not found.")
    opened = clock.now() + timedelta(minutes=15)
    rows = await session.scalars(
        select(GroupSession)
        .where(GroupSession.group_id == group.id, GroupSession.starts_at <= opened)
        .order_by(GroupSession.starts_at.desc())
        .limit(limit)
    )
    return list(rows.all())


async def add_note(
    session: AsyncSession, actor: Actor, slug: str, session_id: uuid.UUID, body: str
) -> GroupSessionNote:
    body = body.strip()
    if not 1 <= len(body) <= 8000:
        raise InvalidInput("A note is 1 to 8,000 characters.", field="body")
    async with unit_of_work(session):
        row = await _facilitated_session(session, actor, slug, session_id)
        note = GroupSessionNote(session_id=row.id, author_id=actor.account_id, body=body)
        session.add(note)
        await session.flush()
        audit.record(
            session,
            "groups.note",
            actor=actor,
            resource_type="GroupSessionNote",
            resource_id=note.id,
        )
    return note


async def notes(
    session: AsyncSession, actor: Actor, slug: str, session_id: uuid.UUID
) -> list[GroupSessionNote]:
    row = await _facilitated_session(session, actor, slug, session_id)
    return list(
        (
            await session.scalars(
                select(GroupSessionNote)
                .where(GroupSessionNote.session_id == row.id)
                .order_by(GroupSessionNote.created_at)
            )
        ).all()
    )


async def erase_member_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Groups' part of an erasure (TRANSACTION phase): the person's memberships, attendance,
    check-ins and support requests go; notes they wrote as a facilitator stay, under no name."""
    account = event.account_id
    for table in (GroupMember, GroupAttendance, GroupCheckIn):
        await session.execute(delete(table).where(table.account_id == account))
    await session.execute(
        delete(GroupSupportRequest).where(GroupSupportRequest.account_id == account)
    )
    await session.execute(
        update(GroupSupportRequest)
        .where(GroupSupportRequest.acknowledged_by == account)
        .values(acknowledged_by=None)
    )
    await session.execute(
        update(GroupSessionNote).where(GroupSessionNote.author_id == account).values(author_id=None)
    )
    await session.execute(
        update(GroupMember).where(GroupMember.referred_by == account).values(referred_by=None)
    )
    await session.execute(
        update(SupportGroup).where(SupportGroup.created_by == account).values(created_by=None)
    )


@dataclass
class SessionHealth:
    starts_at: datetime
    attended: int


@dataclass
class GroupHealth:
    members: int
    waitlisted: int
    sessions: list[SessionHealth]
    retention: float | None  # of the members of the first counted session, who came to the last


async def health(session: AsyncSession, actor: Actor, slug: str) -> GroupHealth:
    """A group's attendance over time, for its organisers (facilitators and community staff):
    head counts only, no one's name or scores."""
    group, mine = await access.visible_group(session, actor, slug)
    await access.require_runner(session, actor, group, mine)
    now = clock.now()
    rows = (
        await session.scalars(
            select(GroupSession)
            .where(GroupSession.group_id == group.id, GroupSession.starts_at <= now)
            .order_by(GroupSession.starts_at)
        )
    ).all()
    attendance: list[set[uuid.UUID]] = []
    for row in rows:
        people = await session.scalars(
            select(GroupAttendance.account_id).where(GroupAttendance.session_id == row.id)
        )
        attendance.append(set(people.all()) - set(await access.facilitator_ids(session, group.id)))
    counts = dict(
        (
            await session.execute(
                select(GroupMember.status, func.count())
                .where(GroupMember.group_id == group.id, GroupMember.role == "member")
                .group_by(GroupMember.status)
            )
        ).all()
    )
    retention = None
    if len(attendance) >= 2 and attendance[0]:
        retention = round(len(attendance[0] & attendance[-1]) / len(attendance[0]), 2)
    return GroupHealth(
        members=int(counts.get("active", 0)),
        waitlisted=int(counts.get("waitlisted", 0)),
        sessions=[
            SessionHealth(r.starts_at, len(a)) for r, a in zip(rows, attendance, strict=True)
        ],
        retention=retention,
    )
