"""Mentoring HTTP API (docs/mentoring.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_session
from careverse.mentoring import training
from careverse.mentoring.models import Mentor, Relationship
from careverse.mentoring.schemas import (
    ApplyIn,
    DecisionIn,
    FeedbackOut,
    GoalDoneIn,
    GoalIn,
    GoalOut,
    MatchesOut,
    MatchOut,
    MeetingIn,
    MeetingOut,
    MentorOut,
    MentorsOut,
    MessageIn,
    MessageOut,
    ModuleOut,
    NeedIn,
    QuestionOut,
    QuizIn,
    QuizOut,
    ReasonOut,
    RelationshipOut,
    RelationshipsOut,
    ReportIn,
    RequestIn,
)
from careverse.mentoring.service import MentoringService, Profile

router = APIRouter(prefix="/api/mentoring", tags=["mentoring"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]


def _need(body: NeedIn) -> Profile:
    return Profile(body.condition, body.stage, body.languages, body.age_band,
                   body.gender_preference, body.availability)  # fmt: skip


def _mentor(row: Mentor, name: str = "") -> MentorOut:
    return MentorOut(
        id=row.id, name=name, kind=row.kind, role=row.role, status=row.status,
        condition=row.condition, stage=row.stage, languages=row.languages, age_band=row.age_band,
        gender=row.gender, availability=row.availability, capacity=row.capacity, about=row.about,
        trained=row.trained_at is not None,
    )  # fmt: skip


def _relationship(row: Relationship, me: uuid.UUID, other: str) -> RelationshipOut:
    return RelationshipOut(
        id=row.id, kind=row.kind, status=row.status,
        my_side="mentor" if row.mentor_id == me else "mentee", other=other,
        reasons=list(row.reasons), space_id=row.space_id, started_at=row.started_at,
        ended_at=row.ended_at,
    )  # fmt: skip


@router.get("/module", response_model=ModuleOut)
async def module(actor: CurrentActor) -> ModuleOut:
    """The training module and its quiz (without the answers)."""
    return ModuleOut(title=training.TITLE, body=training.BODY, pass_mark=training.PASS_MARK,
                     questions=[QuestionOut(**q) for q in training.public_questions()])  # fmt: skip


@router.post("/communities/{community}/apply", response_model=MentorOut, status_code=201)
async def apply(community: str, body: ApplyIn, actor: CurrentActor, session: Session):
    """Apply to mentor (or educate) in a community one may read."""
    profile = Profile(body.condition, body.stage, body.languages, body.age_band, body.gender,
                      body.availability, body.capacity, body.about, body.role)  # fmt: skip
    return _mentor(await MentoringService(session).apply(actor, community, profile))


@router.post("/communities/{community}/quiz", response_model=QuizOut)
async def quiz(community: str, body: QuizIn, actor: CurrentActor, session: Session) -> QuizOut:
    """The applicant's answers to the training quiz, scored on the server."""
    out = await MentoringService(session).take_quiz(actor, community, body.answers)
    return QuizOut(score=out.score, total=out.total, passed=out.passed,
                   feedback=[FeedbackOut(right=f.right, explanation=f.explanation)
                             for f in out.feedback])  # fmt: skip


@router.get("/communities/{community}/applications", response_model=MentorsOut)
async def applications(community: str, actor: CurrentActor, session: Session) -> MentorsOut:
    """Applications waiting for a decision (the community's organisers)."""
    rows = await MentoringService(session).applications(actor, community)
    return MentorsOut(mentors=[_mentor(r, name) for r, name in rows])


@router.post("/communities/{community}/applications/{mentor_id}", response_model=MentorOut)
async def decide(
    community: str, mentor_id: uuid.UUID, body: DecisionIn, actor: CurrentActor, session: Session
) -> MentorOut:
    """Approve (after the training quiz is passed) or decline an application."""
    return _mentor(
        await MentoringService(session).decide(actor, community, mentor_id, body.approve)
    )


@router.post("/communities/{community}/matches", response_model=MatchesOut)
async def matches(community: str, body: NeedIn, actor: CurrentActor, session: Session):
    """The best approved mentors with a free place for this need, with the reasons."""
    offers = await MentoringService(session).matches(actor, community, _need(body))
    return MatchesOut(matches=[
        MatchOut(mentor_id=o.mentor.id, name=o.name, role=o.mentor.role, about=o.mentor.about,
                 languages=o.mentor.languages, score=o.match.score,
                 reasons=[ReasonOut(code=r.code, points=r.points, detail=r.detail)
                          for r in o.match.reasons])
        for o in offers
    ])  # fmt: skip


@router.post("/communities/{community}/relationships", response_model=RelationshipOut,
             status_code=201)  # fmt: skip
async def request_mentor(community: str, body: RequestIn, actor: CurrentActor, session: Session):
    """Start mentoring with a matched mentor (their load is capped)."""
    row = await MentoringService(session).request(
        actor, community, body.mentor_id, _need(body.need), body.goals
    )
    return await relationship(row.id, actor, session)


@router.get("/me", response_model=MentorsOut)
async def my_applications(actor: CurrentActor, session: Session) -> MentorsOut:
    return MentorsOut(mentors=[_mentor(r) for r in await MentoringService(session).mine(actor)])


@router.get("/relationships", response_model=RelationshipsOut)
async def relationships(actor: CurrentActor, session: Session) -> RelationshipsOut:
    """My mentor(s) and my mentees."""
    rows = await MentoringService(session).relationships(actor)
    return RelationshipsOut(
        relationships=[_relationship(r, actor.account_id, other) for r, other in rows]
    )


@router.get("/relationships/{relationship_id}", response_model=RelationshipOut)
async def relationship(relationship_id: uuid.UUID, actor: CurrentActor, session: Session):
    """One relationship with its goals, meetings and messages (its two sides only)."""
    row, goals, meetings, messages, names = await MentoringService(session).detail(
        actor, relationship_id
    )
    me = actor.account_id
    out = _relationship(
        row, me, names.get(row.mentee_id if row.mentor_id == me else row.mentor_id, "")
    )
    out.goals = [GoalOut(id=g.id, text=g.text, done=g.done) for g in goals]
    out.meetings = [MeetingOut(id=m.id, starts_at=m.starts_at,
                               duration_minutes=m.duration_minutes) for m in meetings]  # fmt: skip
    out.messages = [
        MessageOut(id=m.id, author=names.get(m.author_id, "") if m.author_id else "",
                   mine=m.author_id == me, body=m.body, created_at=m.created_at)
        for m in messages
    ]  # fmt: skip
    return out


@router.post("/relationships/{relationship_id}/goals", response_model=GoalOut, status_code=201)
async def add_goal(relationship_id: uuid.UUID, body: GoalIn, actor: CurrentActor, session: Session):
    goal = await MentoringService(session).add_goal(actor, relationship_id, body.text)
    return GoalOut(id=goal.id, text=goal.text, done=goal.done)


@router.put("/relationships/{relationship_id}/goals/{goal_id}", response_model=GoalOut)
async def mark_goal(
    relationship_id: uuid.UUID, goal_id: uuid.UUID, body: GoalDoneIn, actor: CurrentActor,
    session: Session,
) -> GoalOut:  # fmt: skip
    goal = await MentoringService(session).mark_goal(actor, relationship_id, goal_id, body.done)
    return GoalOut(id=goal.id, text=goal.text, done=goal.done)


@router.post("/relationships/{relationship_id}/meetings", response_model=MeetingOut,
             status_code=201)  # fmt: skip
async def schedule(relationship_id: uuid.UUID, body: MeetingIn, actor: CurrentActor,
                   session: Session) -> MeetingOut:  # fmt: skip
    """A 1:1 meeting in the relationship's private room (``space_id``)."""
    m = await MentoringService(session).schedule(
        actor, relationship_id, body.starts_at, body.duration_minutes
    )
    return MeetingOut(id=m.id, starts_at=m.starts_at, duration_minutes=m.duration_minutes)


@router.post("/relationships/{relationship_id}/messages", response_model=MessageOut,
             status_code=201)  # fmt: skip
async def post_message(relationship_id: uuid.UUID, body: MessageIn, actor: CurrentActor,
                       session: Session) -> MessageOut:  # fmt: skip
    m = await MentoringService(session).post(actor, relationship_id, body.body)
    return MessageOut(id=m.id, author="", mine=True, body=m.body, created_at=m.created_at)


@router.post("/relationships/{relationship_id}/end", status_code=204)
async def end(relationship_id: uuid.UUID, actor: CurrentActor, session: Session) -> Response:
    """Either side leaves; the other is told."""
    await MentoringService(session).end(actor, relationship_id)
    return Response(status_code=204)


@router.post("/relationships/{relationship_id}/report", status_code=204)
async def report(relationship_id: uuid.UUID, body: ReportIn, actor: CurrentActor,
                 session: Session) -> Response:  # fmt: skip
    """Report the other side: the site's moderators are told."""
    await MentoringService(session).report(actor, relationship_id, body.reason)
    return Response(status_code=204)
