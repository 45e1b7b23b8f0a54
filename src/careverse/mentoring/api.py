"""Mentoring HTTP API (docs/mentoring.md)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.mentoring import organising, training
from careverse.mentoring.models import Mentor, Relationship
from careverse.mentoring.schemas import (
    MentoringApplyIn,
    MentoringDecisionIn,
    MentoringFeedbackOut,
    MentoringGoalDoneIn,
    MentoringGoalIn,
    MentoringGoalOut,
    MentoringMatchesOut,
    MentoringMatchOut,
    MentoringMeetingIn,
    MentoringMeetingOut,
    MentoringMentorOut,
    MentoringMentorsOut,
    MentoringMessageIn,
    MentoringMessageOut,
    MentoringModuleOut,
    MentoringNeedIn,
    MentoringQuestionOut,
    MentoringQuizIn,
    MentoringQuizOut,
    MentoringReasonOut,
    MentoringRelationshipOut,
    MentoringRelationshipsOut,
    MentoringReportIn,
    MentoringReportOut,
    MentoringReportsOut,
    MentoringRequestIn,
    MentoringStandingIn,
)
from careverse.mentoring.service import MentoringService, Profile

router = APIRouter(prefix="/api/mentoring", tags=["mentoring"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]


def _need(body: MentoringNeedIn) -> Profile:
    return Profile(
        body.condition,
        body.stage,
        body.languages,
        body.age_band,
        body.gender_preference,
        body.availability,
    )


def _mentor(row: Mentor, name: str = "") -> MentoringMentorOut:
    return MentoringMentorOut(
        id=row.id,
        name=name,
        kind=row.kind,
        role=row.role,
        status=row.status,
        condition=row.condition,
        stage=row.stage,
        languages=row.languages,
        age_band=row.age_band,
        gender=row.gender,
        availability=row.availability,
        capacity=row.capacity,
        about=row.about,
        trained=row.trained_at is not None,
        quiz_score=row.quiz_score,
    )


def _relationship(row: Relationship, me: uuid.UUID, other: str) -> MentoringRelationshipOut:
    return MentoringRelationshipOut(
        id=row.id,
        kind=row.kind,
        status=row.status,
        my_side="mentor" if row.mentor_id == me else "mentee",
        other=other,
        reasons=list(row.reasons),
        space_id=row.space_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


@router.get("/module", response_model=MentoringModuleOut)
async def module(actor: CurrentActor) -> MentoringModuleOut:
    """The training module and its quiz (without the answers)."""
    return MentoringModuleOut(
        title=training.TITLE,
        body=training.BODY,
        pass_mark=training.PASS_MARK,
        questions=[MentoringQuestionOut(**q) for q in training.public_questions()],
    )


@router.post("/communities/{community}/apply", response_model=MentoringMentorOut, status_code=201)
async def apply(community: str, body: MentoringApplyIn, actor: CurrentActor, session: Session):
    """Apply to mentor (or educate) in a community one may read."""
    profile = Profile(
        body.condition,
        body.stage,
        body.languages,
        body.age_band,
        body.gender,
        body.availability,
        body.capacity,
        body.about,
        body.role,
    )
    return _mentor(await MentoringService(session).apply(actor, community, profile))


@router.post("/communities/{community}/quiz", response_model=MentoringQuizOut)
async def quiz(
    community: str, body: MentoringQuizIn, actor: CurrentActor, session: Session
) -> MentoringQuizOut:
    """The applicant's answers to the training quiz, scored on the server."""
    out = await MentoringService(session).take_quiz(actor, community, body.answers)
    return MentoringQuizOut(
        score=out.score,
        total=out.total,
        passed=out.passed,
        feedback=[
            MentoringFeedbackOut(right=f.right, explanation=f.explanation) for f in out.feedback
        ],
    )


@router.get("/communities/{community}/applications", response_model=MentoringMentorsOut)
async def applications(
    community: str, actor: CurrentActor, session: Session
) -> MentoringMentorsOut:
    """Applications waiting for a decision (the community's organisers)."""
    rows = await MentoringService(session).applications(actor, community)
    return MentoringMentorsOut(mentors=[_mentor(r, name) for r, name in rows])


@router.post("/communities/{community}/applications/{mentor_id}", response_model=MentoringMentorOut)
async def decide(
    community: str,
    mentor_id: uuid.UUID,
    body: MentoringDecisionIn,
    actor: CurrentActor,
    session: Session,
) -> MentoringMentorOut:
    """Approve (after the training quiz is passed) or decline an application."""
    return _mentor(
        await MentoringService(session).decide(actor, community, mentor_id, body.approve)
    )


@router.post("/communities/{community}/matches", response_model=MentoringMatchesOut)
async def matches(community: str, body: MentoringNeedIn, actor: CurrentActor, session: Session):
    """The best approved mentors with a free place for this need, with the reasons."""
    offers = await MentoringService(session).matches(actor, community, _need(body))
    return MentoringMatchesOut(
        matches=[
            MentoringMatchOut(
                mentor_id=o.mentor.id,
                name=o.name,
                role=o.mentor.role,
                about=o.mentor.about,
                languages=o.mentor.languages,
                score=o.match.score,
                reasons=[
                    MentoringReasonOut(code=r.code, points=r.points, detail=r.detail)
                    for r in o.match.reasons
                ],
            )
            for o in offers
        ]
    )


@router.post(
    "/communities/{community}/relationships",
    response_model=MentoringRelationshipOut,
    status_code=201,
)
async def request_mentor(
    community: str, body: MentoringRequestIn, actor: CurrentActor, session: Session
):
    """Start mentoring with a matched mentor (their load is capped)."""
    row = await MentoringService(session).request(
        actor, community, body.mentor_id, _need(body.need), body.goals
    )
    return await relationship(row.id, actor, session)


@router.get("/me", response_model=MentoringMentorsOut)
async def my_applications(actor: CurrentActor, session: Session) -> MentoringMentorsOut:
    return MentoringMentorsOut(
        mentors=[_mentor(r) for r in await MentoringService(session).mine(actor)]
    )


@router.put("/me/{mentor_id}", response_model=MentoringMentorOut)
async def set_standing(
    mentor_id: uuid.UUID, body: MentoringStandingIn, actor: CurrentActor, session: Session
) -> MentoringMentorOut:
    """A mentor pauses, resumes or withdraws their own approval, or changes their capacity."""
    row = await organising.set_standing(session, actor, mentor_id, body.status, body.capacity)
    return _mentor(row)


@router.get("/reports", response_model=MentoringReportsOut)
async def reports(actor: CurrentActor, session: Session) -> MentoringReportsOut:
    """The latest reports (the site's moderators and admins, who are told of each)."""
    rows = await organising.reports(session, actor)
    return MentoringReportsOut(reports=[MentoringReportOut(**asdict(r)) for r in rows])


@router.get("/relationships", response_model=MentoringRelationshipsOut)
async def relationships(actor: CurrentActor, session: Session) -> MentoringRelationshipsOut:
    """My mentor(s) and my mentees."""
    rows = await MentoringService(session).relationships(actor)
    return MentoringRelationshipsOut(
        relationships=[_relationship(r, actor.account_id, other) for r, other in rows]
    )


@router.get("/relationships/{relationship_id}", response_model=MentoringRelationshipOut)
async def relationship(relationship_id: uuid.UUID, actor: CurrentActor, session: Session):
    """One relationship with its goals, meetings and messages (its two sides only)."""
    row, goals, meetings, messages, names = await MentoringService(session).detail(
        actor, relationship_id
    )
    me = actor.account_id
    out = _relationship(
        row, me, names.get(row.mentee_id if row.mentor_id == me else row.mentor_id, "")
    )
    out.goals = [MentoringGoalOut(id=g.id, text=g.text, done=g.done) for g in goals]
    out.meetings = [
        MentoringMeetingOut(id=m.id, starts_at=m.starts_at, duration_minutes=m.duration_minutes)
        for m in meetings
    ]
    out.messages = [
        MentoringMessageOut(
            id=m.id,
            author=names.get(m.author_id, "") if m.author_id else "",
            mine=m.author_id == me,
            body=m.body,
            created_at=m.created_at,
        )
        for m in messages
    ]
    return out


@router.post(
    "/relationships/{relationship_id}/goals", response_model=MentoringGoalOut, status_code=201
)
async def add_goal(
    relationship_id: uuid.UUID, body: MentoringGoalIn, actor: CurrentActor, session: Session
):
    goal = await MentoringService(session).add_goal(actor, relationship_id, body.text)
    return MentoringGoalOut(id=goal.id, text=goal.text, done=goal.done)


@router.put("/relationships/{relationship_id}/goals/{goal_id}", response_model=MentoringGoalOut)
async def mark_goal(
    relationship_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: MentoringGoalDoneIn,
    actor: CurrentActor,
    session: Session,
) -> MentoringGoalOut:
    goal = await MentoringService(session).mark_goal(actor, relationship_id, goal_id, body.done)
    return MentoringGoalOut(id=goal.id, text=goal.text, done=goal.done)


@router.post(
    "/relationships/{relationship_id}/meetings", response_model=MentoringMeetingOut, status_code=201
)
async def schedule(
    relationship_id: uuid.UUID, body: MentoringMeetingIn, actor: CurrentActor, session: Session
) -> MentoringMeetingOut:
    """A 1:1 meeting in the relationship's private room (``space_id``)."""
    m = await MentoringService(session).schedule(
        actor, relationship_id, body.starts_at, body.duration_minutes
    )
    return MentoringMeetingOut(id=m.id, starts_at=m.starts_at, duration_minutes=m.duration_minutes)


@router.post(
    "/relationships/{relationship_id}/messages", response_model=MentoringMessageOut, status_code=201
)
async def post_message(
    relationship_id: uuid.UUID, body: MentoringMessageIn, actor: CurrentActor, session: Session
) -> MentoringMessageOut:
    m = await MentoringService(session).post(actor, relationship_id, body.body)
    return MentoringMessageOut(id=m.id, author="", mine=True, body=m.body, created_at=m.created_at)


@router.post("/relationships/{relationship_id}/end", status_code=204)
async def end(relationship_id: uuid.UUID, actor: CurrentActor, session: Session) -> Response:
    """Either side leaves; the other is told."""
    await MentoringService(session).end(actor, relationship_id)
    return Response(status_code=204)


@router.post("/relationships/{relationship_id}/report", status_code=204)
async def report(
    relationship_id: uuid.UUID, body: MentoringReportIn, actor: CurrentActor, session: Session
) -> Response:
    """Report the other side: the site's moderators are told."""
    await MentoringService(session).report(actor, relationship_id, body.reason)
    return Response(status_code=204)
