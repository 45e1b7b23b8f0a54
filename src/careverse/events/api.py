"""Events HTTP API (docs/events.md)."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.events import live
from careverse.events.models import EventQuestion, EventSlide
from careverse.events.schemas import (
    EventDecisionIn,
    EventIn,
    EventJoinedOut,
    EventLogEntryOut,
    EventOfSpaceOut,
    EventOut,
    EventPersonOut,
    EventQuestionAskedOut,
    EventQuestionIn,
    EventQuestionOut,
    EventQuestionsOut,
    EventRecordingOut,
    EventSlideOut,
    EventSlidesIn,
    EventSlidesOut,
    EventsOut,
)
from careverse.events.service import EventService, EventSpec, EventView
from careverse.identity import directory
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.deps import get_session, get_settings
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Actor

router = APIRouter(prefix="/api/events", tags=["events"], responses=ERRORS)
Session = Annotated[AsyncSession, Depends(get_session)]
AppSettings = Annotated[Settings, Depends(get_settings)]


async def _out(session: AsyncSession, actor: Actor, view: EventView) -> EventOut:
    e, mine = view.event, view.mine
    names = await directory.display_names(session, {*view.hosts, *view.speakers})
    community = None
    if e.community_id is not None:
        with contextlib.suppress(NotFound):  # a registrant who no longer reads the community
            community = (await community_members.readable(session, actor, e.community_id))[0].slug
    registered = mine is not None and mine.status == "registered"
    return EventOut(
        slug=e.slug, title=e.title, description=e.description, kind=e.kind,
        visibility=e.visibility, template=e.template, community=community,
        starts_at=e.starts_at, ends_at=e.ends_at, capacity=e.capacity,
        registered=view.registered, waitlisted=view.waitlisted,
        hosts=[EventPersonOut(id=h, name=names.get(h, "")) for h in view.hosts],
        speakers=[EventPersonOut(id=s, name=names.get(s, "")) for s in view.speakers],
        my_role=mine.role if mine and mine.status != "cancelled" else None,
        my_status=mine.status if mine else None,
        host=bool(mine and mine.role == "host" and registered),
        started=e.started_at is not None, ended=e.ended_at is not None or e.ends_at < clock.now(),
        space_id=e.space_id if registered else None,
    )  # fmt: skip


@router.get("", response_model=EventsOut)
async def list_events(
    actor: CurrentActor,
    session: Session,
    community: Annotated[str | None, Query(max_length=64)] = None,
    past: bool = False,
) -> EventsOut:
    """Upcoming (and running) events the caller may see, soonest first; ``past`` the ended."""
    views = await EventService(session).list(actor, community, past)
    return EventsOut(events=[await _out(session, actor, v) for v in views])


@router.post("", response_model=EventOut, status_code=201)
async def create_event(body: EventIn, actor: CurrentActor, session: Session) -> EventOut:
    """Organisers create an event of their community (or site staff, of the site); the creator
    and ``hosts`` host it, ``speakers`` speak."""
    spec = EventSpec(**body.model_dump(exclude={"community", "hosts", "speakers"}))
    view = await EventService(session).create(
        actor, body.community, spec, body.hosts, body.speakers
    )
    return await _out(session, actor, view)


@router.get("/spaces/{space_id}", response_model=EventOfSpaceOut)
async def event_of_space(
    space_id: uuid.UUID, actor: CurrentActor, session: Session
) -> EventOfSpaceOut:
    """The event held in a space, for the space page's event panel: ``null`` when the space
    holds none or the caller may not see it (the same answer, so nothing is told)."""
    event = await live.by_space(session, actor, space_id)
    if event is None:
        return EventOfSpaceOut(event=None)
    view = await EventService(session).get(actor, event.slug)
    return EventOfSpaceOut(event=await _out(session, actor, view))


@router.get("/{slug}", response_model=EventOut)
async def get_event(slug: str, actor: CurrentActor, session: Session) -> EventOut:
    return await _out(session, actor, await EventService(session).get(actor, slug))


@router.post("/{slug}/register", response_model=EventOut)
async def register(slug: str, actor: CurrentActor, session: Session) -> EventOut:
    """Register; a full event puts one on the waitlist."""
    return await _out(session, actor, await EventService(session).register(actor, slug))


@router.post("/{slug}/cancel", response_model=EventOut)
async def cancel(slug: str, actor: CurrentActor, session: Session) -> EventOut:
    """Cancel one's registration; the first on the waitlist takes the place."""
    return await _out(session, actor, await EventService(session).cancel(actor, slug))


@router.get("/{slug}/event.ics")
async def calendar_file(
    slug: str, actor: CurrentActor, session: Session, settings: AppSettings
) -> Response:
    """The event as an iCalendar file (a neutral title, times in UTC), for registrants."""
    text = await EventService(session).calendar(actor, slug, settings.public_url or "")
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="careverse-event.ics"'},
    )


@router.post("/{slug}/join", response_model=EventJoinedOut)
async def join(slug: str, actor: CurrentActor, session: Session) -> EventJoinedOut:
    """Enter the event's space (hosts from an hour before, registrants from 15 minutes)."""
    joined = await live.join(session, actor, slug)
    return EventJoinedOut(space_id=joined.space_id, host=joined.host, speakers=joined.speakers)


def _slide(s: EventSlide) -> EventSlideOut:
    return EventSlideOut(id=s.id, position=s.position, text=s.text, image=s.media_type is not None)


@router.get("/{slug}/slides", response_model=EventSlidesOut)
async def list_slides(slug: str, actor: CurrentActor, session: Session) -> EventSlidesOut:
    return EventSlidesOut(slides=[_slide(s) for s in await live.slides(session, actor, slug)])


@router.put("/{slug}/slides", response_model=EventSlidesOut)
async def set_slides(slug: str, body: EventSlidesIn, actor: CurrentActor, session: Session):
    """Replace the slides with a list of slide texts (hosts)."""
    await live.set_texts(session, actor, slug, body.texts)
    return EventSlidesOut(slides=[_slide(s) for s in await live.slides(session, actor, slug)])


@router.post("/{slug}/slides/image", response_model=EventSlideOut, status_code=201)
async def add_slide_image(
    slug: str,
    actor: CurrentActor,
    session: Session,
    file: Annotated[UploadFile, File(description="A PNG or JPEG, at most 2 MB")],
    caption: Annotated[str, Form(max_length=300)] = "",
) -> EventSlideOut:
    """Append an image slide (hosts)."""
    data = await file.read(live.MAX_IMAGE + 1)
    return _slide(await live.add_image(session, actor, slug, data, caption))


@router.get("/{slug}/slides/{slide_id}/image")
async def slide_image(slug: str, slide_id: uuid.UUID, actor: CurrentActor, session: Session):
    data, media_type = await live.image(session, actor, slug, slide_id)
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})


async def _questions(
    session: AsyncSession, rows: list[EventQuestion], host: bool, me: uuid.UUID
) -> list[EventQuestionOut]:
    names = await directory.display_names(session, {q.account_id for q in rows if q.account_id})
    return [
        EventQuestionOut(
            id=q.id,
            text=q.body,
            status=q.status,
            asked_at=q.asked_at,
            mine=q.account_id == me,
            asker=names.get(q.account_id) if host and q.account_id else None,
        )
        for q in rows
    ]


@router.post("/{slug}/questions", response_model=EventQuestionAskedOut, status_code=201)
async def ask(
    slug: str, body: EventQuestionIn, actor: CurrentActor, session: Session, settings: AppSettings
) -> EventQuestionAskedOut:
    """Raise a question for the hosts; crisis language holds it and tells a human now."""
    q = await live.ask(session, actor, slug, body.text, settings)
    return EventQuestionAskedOut(
        id=q.id, text=q.body, status=q.status, asked_at=q.asked_at, mine=True, asker=None,
        crisis=q.crisis,
    )  # fmt: skip


@router.get("/{slug}/questions", response_model=EventQuestionsOut)
async def list_questions(slug: str, actor: CurrentActor, session: Session) -> EventQuestionsOut:
    """Hosts: every question with its asker. Others: the approved and answered, and their own."""
    rows, host = await live.questions(session, actor, slug)
    shown = await _questions(session, rows, host, actor.account_id)
    return EventQuestionsOut(questions=shown, host=host)


@router.post("/{slug}/questions/{question_id}", response_model=EventQuestionOut)
async def decide(
    slug: str, question_id: uuid.UUID, body: EventDecisionIn, actor: CurrentActor, session: Session
) -> EventQuestionOut:
    """A host approves, answers or dismisses a question (the stage does the same live)."""
    q = await live.decide(session, actor, slug, question_id, body.decision)
    (out,) = await _questions(session, [q], True, actor.account_id)
    return out


@router.get("/{slug}/recording", response_model=EventRecordingOut)
async def recording(slug: str, actor: CurrentActor, session: Session) -> EventRecordingOut:
    """The slides, the stage's log (start, slides, chat, end) and the questions taken, with
    their times: registrants, once the event started. Nobody's audio or video."""
    found = await live.recording(session, actor, slug)
    entries = []
    for e in found["log"]:
        entry = EventLogEntryOut(kind=e.kind, at=e.at)
        if e.kind == "slide" and e.detail.isdigit():
            entry.slide = int(e.detail)
        elif e.kind == "chat":
            said = json.loads(e.detail or "{}")
            entry.name, entry.text = said.get("name"), said.get("text")
        entries.append(entry)
    return EventRecordingOut(
        slides=[_slide(s) for s in found["slides"]],
        log=entries,
        questions=await _questions(session, found["questions"], False, actor.account_id),
    )
