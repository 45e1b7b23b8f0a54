"""Events and their registration: create (organisers), list and read, register with a capacity
and a waitlist, cancel (the first waiting person is promoted and told), the .ics file and the
reminders.

Capacity counts the audience (not hosts and speakers). Registering for a full event puts one on
the waitlist, in order. Reminders go an hour before, once (``reminded_at`` is the claim, so two
nodes send it once), in the app and by e-mail, with a neutral title; the .ics file is written by
groups' RFC 5545 writer (:func:`careverse.groups.ics.calendar`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import members as community_members
from careverse.events import access
from careverse.events.models import Event, EventPerson
from careverse.groups import ics
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.world.templates import TEMPLATES

log = structlog.get_logger(__name__)

KINDS = ("talk", "qa", "campaign")
VENUES = ("auditorium", "clinic-lobby")
REMIND_BEFORE = timedelta(hours=1)
REMINDER_TITLE = "Your event starts soon"
EVENT_NOTICE = "News about an event you registered for"
ICS_SUMMARY = "Careverse event"


@dataclass(frozen=True)
class EventSpec:
    slug: str
    title: str
    description: str
    kind: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    visibility: str = "public"
    template: str = "auditorium"


@dataclass(frozen=True)
class EventView:
    event: Event
    mine: EventPerson | None
    registered: int
    waitlisted: int
    hosts: list[uuid.UUID]
    speakers: list[uuid.UUID]


def check_spec(spec: EventSpec) -> None:
    if spec.kind not in KINDS:
        raise InvalidInput("Kind is talk, qa or campaign.", field="kind")
    if spec.template not in VENUES:
        raise InvalidInput(
            "Events are held in the auditorium or the clinic lobby.", field="template"
        )
    if spec.visibility not in ("public", "community"):
        raise InvalidInput("Visibility is public or community.", field="visibility")
    if spec.starts_at.tzinfo is None:
        raise InvalidInput("Give the start with its UTC offset.", field="starts_at")
    if spec.starts_at <= clock.now():
        raise InvalidInput("An event starts in the future.", field="starts_at")
    if not 15 <= spec.duration_minutes <= 480:
        raise InvalidInput("An event lasts 15 minutes to 8 hours.", field="duration_minutes")
    limit = TEMPLATES[spec.template].capacity - 10  # room for the hosts and speakers
    if not 1 <= spec.capacity <= limit:
        raise InvalidInput(f"Capacity is 1 to {limit} in this space.", field="capacity")


class EventService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def _counts(self, event_id: uuid.UUID) -> tuple[int, int]:
        rows = dict(
            (
                await self.session.execute(
                    select(EventPerson.status, func.count())
                    .where(EventPerson.event_id == event_id, EventPerson.role == "audience")
                    .group_by(EventPerson.status)
                )
            ).all()
        )
        return int(rows.get("registered", 0)), int(rows.get("waitlisted", 0))

    async def view(self, event: Event, mine: EventPerson | None) -> EventView:
        registered, waiting = await self._counts(event.id)
        hosts = await access.people_ids(self.session, event.id, "host")
        speakers = await access.people_ids(self.session, event.id, "speaker")
        return EventView(event, mine, registered, waiting, hosts, speakers)

    async def create(
        self,
        actor: Actor,
        community_slug: str | None,
        spec: EventSpec,
        hosts: list[uuid.UUID] | None = None,
        speakers: list[uuid.UUID] | None = None,
    ) -> EventView:
        async with unit_of_work(self.session):
            require_full_scope(actor)
            community_id = None
            if community_slug is not None:
                community, _ = await community_members.community_for(
                    self.session, actor, community_slug
                )
                community_id = community.id
            if not await access.may_organise(self.session, actor, community_id):
                raise Forbidden("Only organisers create events.", code="not_organiser")
            check_spec(spec)
            if community_id is None and spec.visibility != "public":
                raise InvalidInput("A site event is public.", field="visibility")
            if await self.session.scalar(select(Event.id).where(Event.slug == spec.slug)):
                raise Conflict("An event with this address exists.", code="slug_taken")
            event = Event(
                community_id=community_id, slug=spec.slug, title=spec.title,
                description=spec.description, kind=spec.kind, visibility=spec.visibility,
                template=spec.template, starts_at=spec.starts_at,
                ends_at=spec.starts_at + timedelta(minutes=spec.duration_minutes),
                capacity=spec.capacity, space_id=uuid.uuid4(), created_by=actor.account_id,
            )  # fmt: skip
            self.session.add(event)
            await self.session.flush()
            people = [(a, "host") for a in [actor.account_id, *(hosts or [])]]
            people += [(a, "speaker") for a in speakers or []]
            seen: set[uuid.UUID] = set()
            for account, role in people:
                if account in seen:
                    continue
                seen.add(account)
                if await directory.account_role(self.session, account) is None:
                    raise InvalidInput("No such person.", field=f"{role}s")
                self.session.add(
                    EventPerson(event_id=event.id, account_id=account, role=role,
                                status="registered")
                )  # fmt: skip
            audit.record(
                self.session, "events.create", actor=actor, resource_type="Event",
                resource_id=event.id,
            )  # fmt: skip
            await self.session.flush()
            mine = await access.person_row(self.session, event.id, actor.account_id)
        return await self.view(event, mine)

    async def list(
        self, actor: Actor, community_slug: str | None = None, past: bool = False
    ) -> list[EventView]:
        """The events the caller may see: upcoming (and running) ones, or past ones."""
        require_full_scope(actor)
        now = clock.now()
        query = select(Event)
        if past:
            query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc()).limit(50)
        else:
            query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
        if community_slug is not None:
            community, _ = await community_members.community_for(
                self.session, actor, community_slug
            )
            query = query.where(Event.community_id == community.id)
        out = []
        for event in (await self.session.scalars(query)).all():
            mine = await access.person_row(self.session, event.id, actor.account_id)
            if await access.may_see(self.session, actor, event, mine):
                out.append(await self.view(event, mine))
        return out

    async def get(self, actor: Actor, slug: str) -> EventView:
        event, mine = await access.visible_event(self.session, actor, slug)
        return await self.view(event, mine)

    async def register(self, actor: Actor, slug: str) -> EventView:
        async with unit_of_work(self.session):
            event, mine = await access.visible_event(self.session, actor, slug)
            if event.ends_at <= clock.now():
                raise Conflict("This event is over.", code="event_over")
            if mine is not None and mine.status != "cancelled":
                raise Conflict("You are already registered.", code="already_registered")
            registered, _ = await self._counts(event.id)
            status = "registered" if registered < event.capacity else "waitlisted"
            if mine is None:
                mine = EventPerson(event_id=event.id, account_id=actor.account_id,
                                   role="audience", status=status)  # fmt: skip
                self.session.add(mine)
            mine.status, mine.since = status, clock.now()
            audit.record(
                self.session, "events.register", actor=actor, resource_type="Event",
                resource_id=event.id, detail={"status": status},
            )  # fmt: skip
            await self.session.flush()
        return await self.view(event, mine)

    async def cancel(self, actor: Actor, slug: str) -> EventView:
        async with unit_of_work(self.session) as uow:
            event, mine = await access.visible_event(self.session, actor, slug)
            if mine is None or mine.status == "cancelled" or mine.role != "audience":
                raise NotFound("You are not registered.")
            freed = mine.status == "registered"
            mine.status = "cancelled"
            audit.record(
                self.session, "events.cancel", actor=actor, resource_type="Event",
                resource_id=event.id,
            )  # fmt: skip
            await self.session.flush()
            first = None
            if freed:
                first = await self.session.scalar(
                    select(EventPerson)
                    .where(EventPerson.event_id == event.id, EventPerson.status == "waitlisted")
                    .order_by(EventPerson.since)
                    .limit(1)
                )
            if first is not None:
                first.status = "registered"
                await uow.publish(NotificationRequested(
                    account_id=first.account_id, kind="events.promoted", title=EVENT_NOTICE,
                    body=f"A place opened at {event.title}: you are registered.",
                    link=f"/events/{event.slug}",
                ))  # fmt: skip
        return await self.view(event, mine)

    async def calendar(self, actor: Actor, slug: str, public_url: str) -> str:
        event, mine = await access.visible_event(self.session, actor, slug)
        if mine is None or mine.status != "registered":
            raise Forbidden("Register for the event first.", code="not_registered")
        url = f"{public_url.rstrip('/')}/events/{event.slug}"
        item = [(event.id, event.starts_at, event.ends_at)]
        return ics.calendar(item, url, clock.now(), summary=ICS_SUMMARY)


# ---- reminders ----------------------------------------------------------------------------


async def remind_due_once(db: Database) -> int:
    """Remind everyone registered for the events starting within the hour, once each."""
    now = clock.now()
    async with db.session() as session:
        due = (
            await session.scalars(
                select(Event.id).where(
                    Event.reminded_at.is_(None),
                    Event.starts_at > now,
                    Event.starts_at <= now + REMIND_BEFORE,
                )
            )
        ).all()
    sent = 0
    for event_id in due:
        async with db.session() as session, unit_of_work(session) as uow:
            claim = await session.execute(
                update(Event)
                .where(Event.id == event_id, Event.reminded_at.is_(None))
                .values(reminded_at=now)
            )
            if cast(CursorResult, claim).rowcount != 1:
                continue  # another node reminded them
            event = await session.get(Event, event_id)
            assert event is not None
            people = await access.people_ids(session, event_id, "host", "speaker", "audience")
            for account in people:
                await uow.publish(NotificationRequested(
                    account_id=account, kind="events.soon", title=REMINDER_TITLE,
                    body=f"{event.title} starts at {event.starts_at.isoformat()}.",
                    link=f"/events/{event.slug}", email=True,
                ))  # fmt: skip
                sent += 1
    return sent


async def forever(db: Database, every_seconds: float = 30.0) -> None:
    """The events job: reminders."""
    while True:
        try:
            await remind_due_once(db)
        except Exception as exc:
            log.error("events.job_failed", error=type(exc).__name__)
        await clock.sleep(every_seconds)
