"""Mentors' applications, training and approval; matching mentees; relationships with goals,
meetings, messages, an end and reports (docs/mentoring.md).

Every entry point is audited. A relationship is the business of its two sides only (404 for
anyone else); applications are seen by the applicant and the community's organisers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.library import Feedback
from careverse.community.library import score as score_quiz
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Role, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.mentoring import access, training
from careverse.mentoring.matching import AGE_BANDS, GENDERS, SLOTS, Candidate, Match, Need, best
from careverse.mentoring.models import Goal, Meeting, Mentor, Message, Relationship, Report
from careverse.world.circle_events import GroupSpaceRequested

MAX_CAPACITY = 5
ROLES = ("mentor", "educator")
SPACE_TEMPLATE = "consult-room"  # a small private room for two (world/templates.py)
SPACE_NAME = "Mentoring room"  # never a condition nor a person's name
NOTICE = "News about your mentoring"
REPORTED = "A mentoring relationship was reported"


@dataclass(frozen=True)
class Profile:
    """A mentor's application, or a mentee's need (``capacity`` and ``gender`` unused)."""

    condition: str
    stage: str
    languages: list[str]
    age_band: str
    gender: str
    availability: list[str]
    capacity: int = 1
    about: str = ""
    role: str = "mentor"


def _clean(p: Profile, mentor: bool) -> Profile:
    condition, stage = p.condition.strip().lower(), p.stage.strip().lower()
    languages = sorted({x.strip().lower() for x in p.languages if x.strip()})
    if not condition:
        raise InvalidInput("Name the condition.", field="condition")
    if not languages:
        raise InvalidInput("Name at least one language.", field="languages")
    if p.age_band not in AGE_BANDS:
        raise InvalidInput(f"Age band is one of {', '.join(AGE_BANDS)}.", field="age_band")
    if (mentor or p.gender) and p.gender not in GENDERS:
        raise InvalidInput(f"Gender is one of {', '.join(GENDERS)}.", field="gender")
    bad = [s for s in p.availability if s not in SLOTS]
    if bad:
        raise InvalidInput("Availability slots look like mon-am, wed-pm or sat-eve.",
                           field="availability")  # fmt: skip
    if mentor and not 1 <= p.capacity <= MAX_CAPACITY:
        raise InvalidInput(f"Capacity is 1 to {MAX_CAPACITY} mentees.", field="capacity")
    if p.role not in ROLES:
        raise InvalidInput("Role is mentor or educator.", field="role")
    return Profile(condition, stage, languages, p.age_band, p.gender, sorted(set(p.availability)),
                   p.capacity, p.about.strip(), p.role)  # fmt: skip


def need_of(p: Profile) -> Need:
    p = _clean(p, mentor=False)
    return Need(p.condition, p.stage, frozenset(p.languages), p.age_band, p.gender or None,
                frozenset(p.availability))  # fmt: skip


@dataclass(frozen=True)
class Offer:
    mentor: Mentor
    name: str
    match: Match


@dataclass(frozen=True)
class QuizOutcome:
    score: int
    total: int
    passed: bool
    feedback: list[Feedback]


class MentoringService:
    def __init__(self, session: AsyncSession):
        self.session = session

    # ---- mentors -------------------------------------------------------------------------

    async def apply(self, actor: Actor, slug: str, profile: Profile) -> Mentor:
        async with unit_of_work(self.session):
            community = await access.community(self.session, actor, slug)
            p = _clean(profile, mentor=True)
            row = await self._mentor_of(community.id, actor.account_id)
            if row is not None and row.status in ("applied", "approved", "paused"):
                raise Conflict("You have already applied here.", code="already_applied")
            if row is None:
                row = Mentor(community_id=community.id, account_id=actor.account_id)
                self.session.add(row)
            row.kind = "professional" if community.kind == "professional" else "peer"
            row.role, row.status, row.condition, row.stage = p.role, "applied", p.condition, p.stage
            row.languages, row.age_band, row.gender = p.languages, p.age_band, p.gender
            row.availability, row.capacity, row.about = p.availability, p.capacity, p.about
            row.applied_at, row.decided_at, row.decided_by = clock.now(), None, None
            await self.session.flush()
            audit.record(self.session, "mentoring.apply", actor=actor,
                         resource_type="Mentor", resource_id=row.id)  # fmt: skip
            return row

    async def _mentor_of(self, community_id: uuid.UUID, account_id: uuid.UUID) -> Mentor | None:
        return await self.session.scalar(
            select(Mentor).where(
                Mentor.community_id == community_id, Mentor.account_id == account_id
            )
        )

    async def mine(self, actor: Actor) -> list[Mentor]:
        require_full_scope(actor)
        rows = await self.session.scalars(
            select(Mentor).where(Mentor.account_id == actor.account_id).order_by(Mentor.applied_at)
        )
        return list(rows.all())

    async def take_quiz(self, actor: Actor, slug: str, answers: list[list[int]]) -> QuizOutcome:
        async with unit_of_work(self.session):
            community = await access.community(self.session, actor, slug)
            row = await self._mentor_of(community.id, actor.account_id)
            if row is None or row.status != "applied":
                raise Conflict("Apply to mentor here first.", code="not_applied")
            points, feedback = score_quiz(training.QUESTIONS, answers)
            passed = points >= training.PASS_MARK
            row.quiz_score = points
            row.trained_at = clock.now() if passed else None
            audit.record(self.session, "mentoring.quiz", actor=actor,
                         resource_type="Mentor", resource_id=row.id)  # fmt: skip
            return QuizOutcome(points, len(training.QUESTIONS), passed, feedback)

    async def applications(self, actor: Actor, slug: str) -> list[tuple[Mentor, str]]:
        async with unit_of_work(self.session):
            community = await access.community(self.session, actor, slug)
            await access.require_organiser(self.session, actor, community.id)
            rows = list((await self.session.scalars(
                select(Mentor).where(Mentor.community_id == community.id,
                                     Mentor.status == "applied").order_by(Mentor.applied_at)
            )).all())  # fmt: skip
            names = await directory.display_names(self.session, {r.account_id for r in rows})
            audit.record(self.session, "mentoring.applications", actor=actor,
                         resource_type="Community", resource_id=community.id)  # fmt: skip
            return [(r, names.get(r.account_id, "")) for r in rows]

    async def decide(self, actor: Actor, slug: str, mentor_id: uuid.UUID, approve: bool) -> Mentor:
        async with unit_of_work(self.session) as uow:
            community = await access.community(self.session, actor, slug)
            await access.require_organiser(self.session, actor, community.id)
            row = await self.session.get(Mentor, mentor_id)
            if row is None or row.community_id != community.id:
                raise NotFound("Not found.")
            if row.status != "applied":
                raise Conflict("This application was already decided.", code="decided")
            if approve and row.trained_at is None:
                raise Conflict("The applicant has not passed the training quiz yet.",
                               code="not_trained")  # fmt: skip
            row.status = "approved" if approve else "rejected"
            row.decided_by, row.decided_at = actor.account_id, clock.now()
            await uow.publish(NotificationRequested(
                account_id=row.account_id, kind=f"mentoring.{row.status}", title=NOTICE,
                link="/mentoring",
            ))  # fmt: skip
            audit.record(self.session, f"mentoring.{row.status}", actor=actor,
                         resource_type="Mentor", resource_id=row.id)  # fmt: skip
            return row

    # ---- matching ------------------------------------------------------------------------

    async def _loads(self, mentor_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not mentor_ids:
            return {}
        rows = await self.session.execute(
            select(Relationship.mentor_row_id, func.count())
            .where(Relationship.status == "active", Relationship.mentor_row_id.in_(mentor_ids))
            .group_by(Relationship.mentor_row_id)
        )
        return {k: int(n) for k, n in rows.all()}

    async def _candidates(self, community_id: uuid.UUID, actor: Actor) -> dict[str, Candidate]:
        mentors = list((await self.session.scalars(
            select(Mentor).where(Mentor.community_id == community_id, Mentor.status == "approved",
                                 Mentor.account_id != actor.account_id)
        )).all())  # fmt: skip
        taken = set((await self.session.scalars(
            select(Relationship.mentor_row_id).where(
                Relationship.mentee_id == actor.account_id, Relationship.status == "active")
        )).all())  # fmt: skip
        loads = await self._loads([m.id for m in mentors])
        return {
            str(m.id): Candidate(str(m.id), m.condition, m.stage, frozenset(m.languages),
                                 m.age_band, m.gender, frozenset(m.availability), m.capacity,
                                 loads.get(m.id, 0))
            for m in mentors if m.id not in taken
        }  # fmt: skip

    async def matches(
        self, actor: Actor, slug: str, profile: Profile, limit: int = 5
    ) -> list[Offer]:
        async with unit_of_work(self.session):
            community = await access.community(self.session, actor, slug)
            need = need_of(profile)
            candidates = await self._candidates(community.id, actor)
            found = best(need, list(candidates.values()), limit)
            rows = {str(m.id): m for m in (await self.session.scalars(
                select(Mentor).where(Mentor.id.in_([uuid.UUID(f.key) for f in found]))
            )).all()}  # fmt: skip
            names = await directory.display_names(
                self.session, {r.account_id for r in rows.values()}
            )
            audit.record(self.session, "mentoring.match", actor=actor,
                         resource_type="Community", resource_id=community.id)  # fmt: skip
            return [Offer(rows[f.key], names.get(rows[f.key].account_id, ""), f) for f in found]

    async def request(
        self, actor: Actor, slug: str, mentor_id: uuid.UUID, profile: Profile, goals: list[str]
    ) -> Relationship:
        """Start a relationship with a mentor offered by the match (its reasons are kept)."""
        async with unit_of_work(self.session) as uow:
            community = await access.community(self.session, actor, slug)
            need = need_of(profile)
            candidates = await self._candidates(community.id, actor)
            mentor = await self.session.get(Mentor, mentor_id)
            if mentor is None or mentor.community_id != community.id or mentor.status != "approved":
                raise NotFound("Not found.")
            candidate = candidates.get(str(mentor.id))
            if candidate is None:
                raise Conflict("You already have this mentor.", code="already_matched")
            if candidate.load >= candidate.capacity:
                raise Conflict("This mentor has no free place just now.", code="mentor_full")
            (match,) = best(need, [candidate], 1) or (None,)
            if match is None:
                raise Conflict("This mentor does not match what you asked for.", code="no_match")
            row = Relationship(
                mentor_row_id=mentor.id, mentor_id=mentor.account_id, mentee_id=actor.account_id,
                kind=mentor.kind, reasons=[r.code for r in match.reasons], space_id=uuid.uuid4(),
            )  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            for text in goals:
                self.session.add(Goal(relationship_id=row.id, text=_text(text, "goals", 300)))
            await uow.publish(GroupSpaceRequested(
                space_id=row.space_id, name=SPACE_NAME, template=SPACE_TEMPLATE,
                owner_id=mentor.account_id, capacity=2,
                members=((mentor.account_id, "facilitator", ""),
                         (actor.account_id, "participant", "")),
            ))  # fmt: skip
            await uow.publish(NotificationRequested(
                account_id=mentor.account_id, kind="mentoring.matched", title=NOTICE,
                link=f"/mentoring/relationships/{row.id}",
            ))  # fmt: skip
            audit.record(self.session, "mentoring.request", actor=actor,
                         resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip
            return row

    # ---- relationships -------------------------------------------------------------------

    async def relationships(self, actor: Actor) -> list[tuple[Relationship, str]]:
        require_full_scope(actor)
        me = actor.account_id
        rows = list((await self.session.scalars(
            select(Relationship).where(or_(Relationship.mentor_id == me,
                                           Relationship.mentee_id == me))
            .order_by(Relationship.started_at.desc())
        )).all())  # fmt: skip
        others = {r.mentee_id if r.mentor_id == me else r.mentor_id for r in rows}
        names = await directory.display_names(self.session, others)
        return [(r, names.get(r.mentee_id if r.mentor_id == me else r.mentor_id, "")) for r in rows]

    async def detail(self, actor: Actor, relationship_id: uuid.UUID):
        async with unit_of_work(self.session):
            row = await access.relationship(self.session, actor, relationship_id)
            goals = list((await self.session.scalars(
                select(Goal).where(Goal.relationship_id == row.id).order_by(Goal.created_at)
            )).all())  # fmt: skip
            meetings = list((await self.session.scalars(
                select(Meeting).where(Meeting.relationship_id == row.id).order_by(Meeting.starts_at)
            )).all())  # fmt: skip
            messages = list((await self.session.scalars(
                select(Message).where(Message.relationship_id == row.id)
                .order_by(Message.created_at).limit(200)
            )).all())  # fmt: skip
            names = await directory.display_names(self.session, {row.mentor_id, row.mentee_id})
            audit.record(self.session, "mentoring.read", actor=actor,
                         resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip
            return row, goals, meetings, messages, names

    async def _active(self, actor: Actor, relationship_id: uuid.UUID) -> Relationship:
        row = await access.relationship(self.session, actor, relationship_id)
        if row.status != "active":
            raise Conflict("This mentoring relationship has ended.", code="ended")
        return row

    async def add_goal(self, actor: Actor, relationship_id: uuid.UUID, text: str) -> Goal:
        async with unit_of_work(self.session):
            row = await self._active(actor, relationship_id)
            goal = Goal(relationship_id=row.id, text=_text(text, "text", 300))
            self.session.add(goal)
            await self.session.flush()
            audit.record(self.session, "mentoring.goal", actor=actor,
                         resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip
            return goal

    async def mark_goal(self, actor: Actor, relationship_id: uuid.UUID, goal_id: uuid.UUID,
                        done: bool) -> Goal:  # fmt: skip
        async with unit_of_work(self.session):
            row = await self._active(actor, relationship_id)
            goal = await self.session.get(Goal, goal_id)
            if goal is None or goal.relationship_id != row.id:
                raise NotFound("Not found.")
            goal.done = done
            audit.record(self.session, "mentoring.goal", actor=actor,
                         resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip
            return goal

    async def schedule(self, actor: Actor, relationship_id: uuid.UUID, starts_at: datetime,
                       duration_minutes: int) -> Meeting:  # fmt: skip
        async with unit_of_work(self.session) as uow:
            row = await self._active(actor, relationship_id)
            if starts_at.tzinfo is None:
                raise InvalidInput("Give the time with its UTC offset.", field="starts_at")
            if starts_at < clock.now() - timedelta(minutes=5):
                raise InvalidInput("A meeting is scheduled in the future.", field="starts_at")
            meeting = Meeting(
                relationship_id=row.id, starts_at=starts_at,
                duration_minutes=duration_minutes, created_by=actor.account_id,
            )  # fmt: skip
            self.session.add(meeting)
            await self.session.flush()
            await self._tell_the_other(uow, actor, row, "mentoring.meeting", "mentoring.meeting")
            return meeting

    async def post(self, actor: Actor, relationship_id: uuid.UUID, body: str) -> Message:
        async with unit_of_work(self.session) as uow:
            row = await self._active(actor, relationship_id)
            message = Message(relationship_id=row.id, author_id=actor.account_id,
                              body=_text(body, "body", 4000))  # fmt: skip
            self.session.add(message)
            await self.session.flush()
            await self._tell_the_other(uow, actor, row, "mentoring.message", "mentoring.message")
            return message

    async def end(self, actor: Actor, relationship_id: uuid.UUID) -> Relationship:
        async with unit_of_work(self.session) as uow:
            row = await self._active(actor, relationship_id)
            row.status, row.ended_at, row.ended_by = "ended", clock.now(), actor.account_id
            await self._tell_the_other(
                uow, actor, row, "mentoring.ended", "mentoring.end", link="/mentoring"
            )
            return row

    async def _tell_the_other(
        self, uow, actor: Actor, row: Relationship, kind: str, action: str, link: str | None = None
    ) -> None:
        """Notify the other side of the relationship (a neutral title) and audit the change."""
        other = row.mentee_id if actor.account_id == row.mentor_id else row.mentor_id
        await uow.publish(NotificationRequested(
            account_id=other, kind=kind, title=NOTICE,
            link=link or f"/mentoring/relationships/{row.id}",
        ))  # fmt: skip
        audit.record(self.session, action, actor=actor,
                     resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip

    async def report(self, actor: Actor, relationship_id: uuid.UUID, reason: str) -> Report:
        """Either side reports the other: the site's moderators and admins are told at once."""
        async with unit_of_work(self.session) as uow:
            row = await access.relationship(self.session, actor, relationship_id)
            report = Report(relationship_id=row.id, reporter_id=actor.account_id,
                            reason=_text(reason, "reason", 2000))  # fmt: skip
            self.session.add(report)
            await self.session.flush()
            staff = await directory.active_with_roles(self.session, (Role.MODERATOR, Role.ADMIN))
            for person in staff:
                await uow.publish(NotificationRequested(
                    account_id=person.id, kind="mentoring.reported", title=REPORTED,
                    body=report.reason, link="/mentoring", email=True,
                ))  # fmt: skip
            audit.record(self.session, "mentoring.report", actor=actor,
                         resource_type="MentoringRelationship", resource_id=row.id)  # fmt: skip
            return report


def _text(text: str, field: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("Write something.", field=field)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=field)
    return text
