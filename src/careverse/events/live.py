"""An event while it runs and after: entering its space, slides, raised questions and their
moderation, and the recording (slides, chat and questions with their times).

The space is a world space of the event's template (``auditorium`` or ``clinic-lobby``), made
through the world's :class:`GroupSpaceRequested` when the first person enters — from an hour
before the start for hosts, 15 minutes for everyone else — invite-only and unlisted, with the
hosts as its facilitators (they run the stage, world/stage.py) and each registrant added as
they enter.

A question's words go through the crisis screen before anything else: a positive screen holds
the question (a host cannot approve it) and publishes :class:`EventQuestionCrisis`, which
reaches a human through monitoring's alert path. Hosts see every question with its asker; the
audience sees the approved and answered ones (and their own), without askers' names.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.moderation_review import oncall
from careverse.events import access
from careverse.events.events import EventQuestionCrisis
from careverse.events.models import Event, EventLogEntry, EventPerson, EventQuestion, EventSlide
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.crisis_screen import screen
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work
from careverse.world.circle_events import GroupSpaceRequested
from careverse.world.stage_events import StageQuestionDecided, StageRecorded
from careverse.world.templates import TEMPLATES

OPENS_BEFORE = timedelta(minutes=15)
HOSTS_BEFORE = timedelta(hours=1)
SPACE_NAME = "Careverse event"
STATUS_OF = {"approve": "approved", "answer": "answered", "dismiss": "dismissed"}
SHOWN = ("approved", "answered")
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_IMAGE = 2 * 1024 * 1024
MAX_SLIDES = 100


@dataclass(frozen=True)
class Joined:
    event: Event
    space_id: uuid.UUID
    host: bool
    speakers: list[uuid.UUID]


def _require_registered(mine: EventPerson | None) -> EventPerson:
    if mine is None or mine.status != "registered":
        raise Forbidden("Register for the event first.", code="not_registered")
    return mine


async def join(session: AsyncSession, actor: Actor, slug: str) -> Joined:
    """Enter the event's space (made once); the caller becomes one of its members."""
    async with unit_of_work(session) as uow:
        event, mine = await access.visible_event(session, actor, slug)
        mine = _require_registered(mine)
        host = access.is_host(mine)
        now = clock.now()
        if now < event.starts_at - (HOSTS_BEFORE if host else OPENS_BEFORE):
            raise Conflict("The event's doors are not open yet.", code="not_open_yet")
        if now > event.ends_at:
            raise Conflict("This event is over.", code="event_over")
        hosts = await access.people_ids(session, event.id, "host")
        people = [(h, "facilitator", "") for h in hosts]
        if not host:
            people.append((actor.account_id, "participant", ""))
        spec = TEMPLATES[event.template]
        await uow.publish(GroupSpaceRequested(
            space_id=event.space_id, name=SPACE_NAME, template=event.template,
            owner_id=event.created_by or actor.account_id,
            capacity=min(spec.capacity, event.capacity + 10), members=tuple(people),
        ))  # fmt: skip
        audit.record(session, "events.join", actor=actor, resource_type="Event",
                     resource_id=event.id)  # fmt: skip
        speakers = await access.people_ids(session, event.id, "speaker")
    return Joined(event, event.space_id, host, speakers)


async def by_space(session: AsyncSession, actor: Actor, space_id: uuid.UUID) -> Event | None:
    """The event held in ``space_id``, if the caller may see it (None otherwise: a space that
    holds no event and one whose event is hidden answer the same)."""
    event = await session.scalar(select(Event).where(Event.space_id == space_id))
    if event is None:
        return None
    try:
        found, _ = await access.visible_event(session, actor, event.slug)
    except NotFound:
        return None
    return found


# ---- slides -------------------------------------------------------------------------------


async def set_texts(session: AsyncSession, actor: Actor, slug: str, texts: list[str]) -> None:
    """Replace the event's slides with these texts (hosts)."""
    async with unit_of_work(session):
        event, mine = await access.visible_event(session, actor, slug)
        access.require_host(mine)
        await session.execute(delete(EventSlide).where(EventSlide.event_id == event.id))
        for i, text in enumerate(texts):
            session.add(EventSlide(event_id=event.id, position=i, text=text))
        audit.record(session, "events.slides", actor=actor, resource_type="Event",
                     resource_id=event.id)  # fmt: skip


async def add_image(
    session: AsyncSession, actor: Actor, slug: str, data: bytes, caption: str
) -> EventSlide:
    """Append an uploaded image (PNG or JPEG, at most 2 MB) as a slide (hosts)."""
    async with unit_of_work(session):
        event, mine = await access.visible_event(session, actor, slug)
        access.require_host(mine)
        kind = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
        if kind is None:
            raise InvalidInput("A slide image is a PNG or JPEG file.", field="image")
        if len(data) > MAX_IMAGE:
            raise InvalidInput("A slide image is at most 2 MB.", field="image")
        count = await session.scalar(
            select(func.count()).select_from(EventSlide).where(EventSlide.event_id == event.id)
        )
        if (count or 0) >= MAX_SLIDES:
            raise InvalidInput(f"At most {MAX_SLIDES} slides.", field="image")
        slide = EventSlide(event_id=event.id, position=count or 0, text=caption,
                           media_type=kind, image=data)  # fmt: skip
        session.add(slide)
        audit.record(session, "events.slides", actor=actor, resource_type="Event",
                     resource_id=event.id)  # fmt: skip
    return slide


async def slides(session: AsyncSession, actor: Actor, slug: str) -> list[EventSlide]:
    event, mine = await access.visible_event(session, actor, slug)
    _require_registered(mine)
    return list((await session.scalars(
        select(EventSlide).where(EventSlide.event_id == event.id).order_by(EventSlide.position)
    )).all())  # fmt: skip


async def image(
    session: AsyncSession, actor: Actor, slug: str, slide_id: uuid.UUID
) -> tuple[bytes, str]:
    event, mine = await access.visible_event(session, actor, slug)
    _require_registered(mine)
    slide = await session.get(EventSlide, slide_id)
    if slide is None or slide.event_id != event.id or slide.media_type is None:
        raise NotFound("Not found.")
    await session.refresh(slide, ["image"])
    return slide.image or b"", slide.media_type


# ---- questions ----------------------------------------------------------------------------


async def ask(
    session: AsyncSession, actor: Actor, slug: str, text: str, settings: Settings
) -> EventQuestion:
    """Raise a question. Its words are screened first: crisis language holds it and reaches a
    human (EventQuestionCrisis); the question is kept either way."""
    text = text.strip()
    if not 3 <= len(text) <= 500:
        raise InvalidInput("A question is 3 to 500 characters.", field="text")
    async with unit_of_work(session) as uow:
        event, mine = await access.visible_event(session, actor, slug)
        _require_registered(mine)
        if clock.now() > event.ends_at:
            raise Conflict("This event is over.", code="event_over")
        screening = screen(text)
        question = EventQuestion(
            event_id=event.id, account_id=actor.account_id, body=text,
            status="held" if screening.flagged else "pending", crisis=screening.flagged,
        )  # fmt: skip
        session.add(question)
        await session.flush()
        audit.record(session, "events.question.ask", actor=actor, resource_type="EventQuestion",
                     resource_id=question.id)  # fmt: skip
        if screening.flagged:
            audit.record(session, "events.crisis", actor=actor, resource_type="EventQuestion",
                         resource_id=question.id)  # fmt: skip
            brief = await directory.account(session, actor.account_id)
            hosts = await access.people_ids(session, event.id, "host")
            people = [*await oncall(session, settings), *hosts]
            await uow.publish(EventQuestionCrisis(
                question_id=question.id, event_id=event.id, event_slug=event.slug,
                patient_id=brief.patient_id if brief else None,
                recipients=tuple(p for p in dict.fromkeys(people) if p != actor.account_id),
                categories=tuple(screening.categories),
            ))  # fmt: skip
    return question


async def questions(
    session: AsyncSession, actor: Actor, slug: str
) -> tuple[list[EventQuestion], bool]:
    """Hosts: every question. Others: the approved and answered ones, and their own."""
    event, mine = await access.visible_event(session, actor, slug)
    _require_registered(mine)
    host = access.is_host(mine)
    query = select(EventQuestion).where(EventQuestion.event_id == event.id)
    if not host:
        query = query.where(
            EventQuestion.status.in_(SHOWN) | (EventQuestion.account_id == actor.account_id)
        )
    rows = (await session.scalars(query.order_by(EventQuestion.asked_at))).all()
    async with unit_of_work(session):
        audit.record(session, "events.question.read", actor=actor, resource_type="Event",
                     resource_id=event.id)  # fmt: skip
    return list(rows), host


async def _decide(
    session: AsyncSession, event: Event, question_id: uuid.UUID, by: uuid.UUID, decision: str
) -> EventQuestion:
    question = await session.get(EventQuestion, question_id)
    if question is None or question.event_id != event.id:
        raise NotFound("No such question.")
    if question.status == "held" and decision != "dismiss":
        raise Conflict("A question held for crisis language is for a human to follow up, "
                       "not for the stage.", code="crisis_held")  # fmt: skip
    question.status, question.decided_at, question.decided_by = (
        STATUS_OF[decision],
        clock.now(),
        by,
    )
    detail = json.dumps({"id": str(question.id), "status": question.status})
    session.add(EventLogEntry(event_id=event.id, account_id=by, kind="question", detail=detail))
    return question


async def decide(
    session: AsyncSession, actor: Actor, slug: str, question_id: uuid.UUID, decision: str
) -> EventQuestion:
    """A host approves, answers or dismisses a question (also from the stage, below)."""
    if decision not in STATUS_OF:
        raise InvalidInput("Decision is approve, answer or dismiss.", field="decision")
    async with unit_of_work(session):
        event, mine = await access.visible_event(session, actor, slug)
        access.require_host(mine)
        question = await _decide(session, event, question_id, actor.account_id, decision)
        audit.record(session, "events.question.decide", actor=actor,
                     resource_type="EventQuestion", resource_id=question.id,
                     detail={"decision": decision})  # fmt: skip
    return question


# ---- what the stage publishes (world/stage.py; TRANSACTION phase) -------------------------


async def on_question_decided(event: StageQuestionDecided, session: AsyncSession) -> None:
    """A host's decision from the room: applied when they are one of the event's hosts."""
    found = await session.scalar(select(Event).where(Event.space_id == event.space_id))
    if found is None or not access.is_host(await access.person_row(session, found.id, event.by_id)):
        return
    try:
        async with session.begin_nested():
            await _decide(session, found, event.question_id, event.by_id, event.decision)
    except (NotFound, Conflict):
        return
    audit.record(session, "events.question.decide", actor_id=event.by_id,
                 resource_type="EventQuestion", resource_id=event.question_id,
                 detail={"decision": event.decision})  # fmt: skip


async def on_stage_recorded(event: StageRecorded, session: AsyncSession) -> None:
    """Keep the stage's start, end, slides and chat in the event's recording."""
    found = await session.scalar(select(Event).where(Event.space_id == event.space_id))
    if found is None:
        return
    at = datetime.fromtimestamp(event.at, UTC)
    if event.kind == "start" and found.started_at is None:
        found.started_at = at
    if event.kind == "end":
        found.ended_at = at
    session.add(EventLogEntry(event_id=found.id, account_id=event.account_id, kind=event.kind,
                              detail=event.detail, at=at))  # fmt: skip


async def recording(session: AsyncSession, actor: Actor, slug: str) -> dict:
    """The slides, the log (start, end, slides shown, chat) and the approved and answered
    questions, with their times: for the event's registrants, once it has started."""
    event, mine = await access.visible_event(session, actor, slug)
    _require_registered(mine)
    if event.started_at is None and clock.now() < event.starts_at:
        raise Conflict("The recording starts with the event.", code="not_started")
    log = (await session.scalars(
        select(EventLogEntry).where(EventLogEntry.event_id == event.id).order_by(EventLogEntry.at)
    )).all()  # fmt: skip
    asked = (await session.scalars(
        select(EventQuestion).where(EventQuestion.event_id == event.id,
                                    EventQuestion.status.in_(SHOWN))
        .order_by(EventQuestion.asked_at)
    )).all()  # fmt: skip
    async with unit_of_work(session):
        audit.record(session, "events.recording.read", actor=actor, resource_type="Event",
                     resource_id=event.id)  # fmt: skip
    return {
        "slides": await slides(session, actor, slug),
        "log": [e for e in log if e.kind != "question"],
        "questions": list(asked),
    }
