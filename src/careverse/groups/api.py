"""Support groups HTTP API (docs/groups.md)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups import continuity, sessions, suggest, support
from careverse.groups.recurrence import local, valid_zone
from careverse.groups.schemas import (
    GroupHealthOut,
    GroupIn,
    GroupJoinedOut,
    GroupJoinIn,
    GroupJoinSessionIn,
    GroupMemberOut,
    GroupMembersOut,
    GroupNoteIn,
    GroupNoteOut,
    GroupNotesOut,
    GroupOut,
    GroupRecordOut,
    GroupRecordsOut,
    GroupReferIn,
    GroupRulesIn,
    GroupSessionOut,
    GroupSessionsOut,
    GroupShareIn,
    GroupShareOut,
    GroupsOut,
    GroupSupportOut,
    GroupSupportsOut,
)
from careverse.groups.service import GroupService, GroupSpec, GroupView
from careverse.identity import directory
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import InvalidInput

router = APIRouter(prefix="/api/groups", tags=["groups"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]
Tz = Annotated[str | None, Query(max_length=64, description="Show times in this IANA zone")]


def _tz(tz: str | None) -> str | None:
    if tz is not None and not valid_zone(tz):
        raise InvalidInput("Unknown time zone; use an IANA name like Europe/London.", field="tz")
    return tz


def _out(view: GroupView, tz: str | None) -> GroupOut:
    g, mine = view.group, view.mine
    shown = local(view.next_start, tz or g.timezone) if view.next_start else None
    return GroupOut(
        slug=g.slug,
        name=g.name,
        description=g.description,
        caregiver=g.caregiver,
        timezone=g.timezone,
        start_time=g.start_time,
        every_weeks=g.every_weeks,
        duration_minutes=g.duration_minutes,
        capacity=g.capacity,
        admission=g.admission,
        template=g.template,
        members=view.members,
        waitlisted=view.waitlisted,
        next_start=view.next_start,
        next_start_local=shown.isoformat() if shown else None,
        ground_rules=g.ground_rules,
        ground_rules_version=g.ground_rules_version,
        my_status=mine.status if mine else None,
        my_role=mine.role if mine else None,
        rules_accepted=bool(mine and mine.rules_version == g.ground_rules_version),
        facilitator=view.facilitator,
        share_with_care_team=bool(mine and mine.share_with_care_team),
    )


@router.get("", response_model=GroupsOut)
async def list_groups(
    actor: CurrentActor,
    session: Session,
    tz: Tz = None,
    q: Annotated[str | None, Query(max_length=80)] = None,
    caregiver: bool | None = None,
) -> GroupsOut:
    """Groups the caller may see, by name; ``q`` searches names and descriptions."""
    tz = _tz(tz)
    views = await GroupService(session).list(actor, q=q, caregiver=caregiver)
    return GroupsOut(groups=[_out(v, tz) for v in views])


@router.get("/suggested", response_model=GroupsOut)
async def suggested(actor: CurrentActor, session: Session, tz: Tz = None) -> GroupsOut:
    """For caregivers: caregiver groups they are not in yet (groups/suggest.py); else none."""
    tz = _tz(tz)
    return GroupsOut(groups=[_out(v, tz) for v in await suggest.for_caregiver(session, actor)])


@router.post("/communities/{community}", response_model=GroupOut, status_code=201)
async def create_group(community: str, body: GroupIn, actor: CurrentActor, session: Session):
    """A community's facilitators and moderators create a group (they facilitate it)."""
    spec = GroupSpec(**body.model_dump(exclude={"facilitators"}))
    view = await GroupService(session).create(actor, community, spec, body.facilitators)
    return _out(view, None)


@router.get("/{slug}", response_model=GroupOut)
async def get_group(slug: str, actor: CurrentActor, session: Session, tz: Tz = None) -> GroupOut:
    tz = _tz(tz)
    return _out(await GroupService(session).get(actor, slug), tz)


@router.post("/{slug}/join", response_model=GroupOut)
async def join_group(
    slug: str, body: GroupJoinIn, actor: CurrentActor, session: Session
) -> GroupOut:
    """Join (open), ask (request) or take up a referral; full groups put one on the waitlist."""
    view = await GroupService(session).join(actor, slug, body.accept_rules, body.rules_version)
    return _out(view, None)


@router.put("/{slug}/rules", response_model=GroupOut)
async def accept_rules(slug: str, body: GroupRulesIn, actor: CurrentActor, session: Session):
    return _out(await GroupService(session).accept_rules(actor, slug, body.version), None)


@router.post("/{slug}/leave", status_code=204)
async def leave_group(slug: str, actor: CurrentActor, session: Session) -> Response:
    await GroupService(session).leave(actor, slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{slug}/requests", response_model=GroupMembersOut)
async def requests(slug: str, actor: CurrentActor, session: Session) -> GroupMembersOut:
    """Requests and the waitlist, in order (facilitators)."""
    rows = await GroupService(session).requests(actor, slug)
    names = await directory.display_names(session, {r.account_id for r in rows})
    return GroupMembersOut(
        members=[
            GroupMemberOut(
                id=r.id, name=names.get(r.account_id, ""), status=r.status, since=r.since
            )
            for r in rows
        ]
    )


@router.post("/{slug}/requests/{member_id}/approve", status_code=204)
async def approve(slug: str, member_id: uuid.UUID, actor: CurrentActor, session: Session):
    await GroupService(session).approve(actor, slug, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{slug}/referrals", status_code=204)
async def refer(slug: str, body: GroupReferIn, actor: CurrentActor, session: Session) -> Response:
    """A clinician refers a patient in their care."""
    await GroupService(session).refer(actor, slug, body.patient_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{slug}/session/join", response_model=GroupJoinedOut)
async def join_session(slug: str, body: GroupJoinSessionIn, actor: CurrentActor, session: Session):
    """Enter the current session (from 15 minutes before): answers the space to connect to."""
    joined = await sessions.join_session(session, actor, slug, body.mode, body.pseudonym)
    row = joined.session
    return GroupJoinedOut(
        session_id=row.id,
        space_id=joined.space_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        facilitator=joined.facilitator,
    )


@router.get("/{slug}/sessions.ics")
async def calendar_file(
    slug: str,
    actor: CurrentActor,
    session: Session,
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """The next eight sessions as an iCalendar file (a neutral title, times in UTC)."""
    text = await sessions.calendar(session, actor, slug, settings.public_url or "")
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="group-sessions.ics"'},
    )


@router.put("/{slug}/sharing", response_model=GroupShareOut)
async def sharing(
    slug: str, body: GroupShareIn, actor: CurrentActor, session: Session
) -> GroupShareOut:
    """The member's consent to show this group's attendance and check-ins to their care team."""
    return GroupShareOut(share=await continuity.set_sharing(session, actor, slug, body.share))


@router.get("/me/record", response_model=GroupRecordsOut)
async def my_record(actor: CurrentActor, session: Session) -> GroupRecordsOut:
    records = await continuity.my_record(session, actor)
    return GroupRecordsOut(groups=[GroupRecordOut(**asdict(r)) for r in records])


@router.get("/patients/{patient_id}/record", response_model=GroupRecordsOut)
async def patient_record(patient_id: uuid.UUID, actor: CurrentActor, session: Session):
    """A clinician's view: only with a care relationship and the patient's consent (else 404)."""
    records = await continuity.patient_record(session, actor, patient_id)
    return GroupRecordsOut(groups=[GroupRecordOut(**asdict(r)) for r in records])


@router.get("/{slug}/sessions", response_model=GroupSessionsOut)
async def opened_sessions(slug: str, actor: CurrentActor, session: Session) -> GroupSessionsOut:
    """The sessions that have opened, newest first (the group's facilitators, for notes)."""
    rows = await continuity.facilitated_sessions(session, actor, slug)
    return GroupSessionsOut(
        sessions=[GroupSessionOut(id=r.id, starts_at=r.starts_at, ends_at=r.ends_at) for r in rows]
    )


@router.post("/{slug}/sessions/{session_id}/notes", response_model=GroupNoteOut, status_code=201)
async def add_note(
    slug: str, session_id: uuid.UUID, body: GroupNoteIn, actor: CurrentActor, session: Session
) -> GroupNoteOut:
    note = await continuity.add_note(session, actor, slug, session_id, body.body)
    return GroupNoteOut(id=note.id, body=note.body, created_at=note.created_at, mine=True)


@router.get("/{slug}/sessions/{session_id}/notes", response_model=GroupNotesOut)
async def list_notes(slug: str, session_id: uuid.UUID, actor: CurrentActor, session: Session):
    rows = await continuity.notes(session, actor, slug, session_id)
    return GroupNotesOut(
        notes=[
            GroupNoteOut(
                id=n.id, body=n.body, created_at=n.created_at, mine=n.author_id == actor.account_id
            )
            for n in rows
        ]
    )


@router.get("/{slug}/health", response_model=GroupHealthOut)
async def group_health(slug: str, actor: CurrentActor, session: Session) -> GroupHealthOut:
    """Attendance over time and retention, for the group's organisers (head counts only)."""
    found = await continuity.health(session, actor, slug)
    return GroupHealthOut(**asdict(found))


@router.get("/{slug}/support", response_model=GroupSupportsOut)
async def support_requests(slug: str, actor: CurrentActor, session: Session) -> GroupSupportsOut:
    """The group's unacknowledged "I need support" requests (its facilitators; else 404)."""
    rows = await support.open_requests(session, actor, slug)
    return GroupSupportsOut(requests=[GroupSupportOut(**asdict(r)) for r in rows])


@router.post("/{slug}/support/{request_id}/ack", response_model=GroupSupportOut)
async def acknowledge_support(
    slug: str, request_id: uuid.UUID, actor: CurrentActor, session: Session
) -> GroupSupportOut:
    """A facilitator acknowledges a request away from the room: its escalation stops."""
    return GroupSupportOut(**asdict(await support.acknowledge(session, actor, slug, request_id)))
