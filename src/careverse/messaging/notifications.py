"""The notifications inbox: store what :class:`NotificationRequested` asks, read it, mark it read.

Any capability publishes ``NotificationRequested`` in its unit of work; :func:`store` runs in the
TRANSACTION phase, so the notice commits with the change it announces or not at all. After the
commit the committing node sends the e-mail (title and link only: the body may carry health data
and is never e-mailed) and every node pushes the title to the person's open pages
(messaging/streams.py).
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import NotFound
from careverse.kernel.i18n import translate
from careverse.kernel.mail import Mailer
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.messaging.models import Notification

# The same for every e-mail (in the recipient's language): nothing to read from it.
SUBJECT = translate(None, "notification.email.subject")
PAGE_LIMIT = 200


def add(session: AsyncSession, event: NotificationRequested, emailed: bool) -> Notification:
    """Add the notice to the person's inbox in the publisher's transaction."""
    note = Notification(
        account_id=event.account_id, kind=event.kind[:32], title=event.title[:120],
        body=event.body, link=event.link, patient_id=event.patient_id, emailed=emailed,
    )  # fmt: skip
    session.add(note)
    return note


def email_text(title: str, link: str | None, public_url: str, language: str | None = None) -> str:
    """What the e-mail says: the title (no health data by contract) and where to read the rest,
    in the recipient's language (the title is the publisher's own words)."""
    if not link:
        return translate(language, "notification.email.bodyNoLink", title=title)
    url = f"{public_url.rstrip('/')}{link}"
    return translate(language, "notification.email.body", title=title, link=url)


async def send_email(
    db: Database, mailer: Mailer, settings: Settings, event: NotificationRequested
) -> bool:
    """Send the e-mail a notice asked for, after its commit; answers whether one went."""
    if not event.email or not mailer.configured:
        return False
    async with db.session() as session:
        person = await directory.account(session, event.account_id)
        # A patient's notices go to the address they gave for them, else their sign-in address.
        address = None
        if person is not None and person.patient_id is not None:
            address = await directory.patient_email(session, person.patient_id)
        address = address or await directory.account_email(session, event.account_id)
    if not address:
        return False
    language = person.preferred_language if person is not None else None
    subject = translate(language, "notification.email.subject")
    return await mailer.send(
        address, subject, email_text(event.title, event.link, settings.public_url, language)
    )


class NotificationService:
    """A person's own inbox: newest first, paged, unread count, mark read."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def page(
        self, actor: Actor, unread_only: bool = False, limit: int = PAGE_LIMIT, offset: int = 0
    ) -> list[Notification]:
        """The caller's notifications, newest first."""
        require_full_scope(actor)
        query = select(Notification).where(Notification.account_id == actor.account_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
        async with unit_of_work(self.session):
            rows = await self.session.scalars(query.limit(limit).offset(offset))
            return list(rows.all())

    async def unread(self, actor: Actor) -> int:
        """How many of the caller's notifications are unread."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            count = await self.session.scalar(
                select(func.count()).where(
                    Notification.account_id == actor.account_id, Notification.read_at.is_(None)
                )
            )
        return int(count or 0)

    async def mark_read(self, actor: Actor, notification_id: uuid.UUID | None = None) -> None:
        """Mark one notification (or, with no id, all) as read; 404 when not the caller's."""
        require_full_scope(actor)
        query = update(Notification).where(
            Notification.account_id == actor.account_id, Notification.read_at.is_(None)
        )
        async with unit_of_work(self.session):
            if notification_id is not None:
                owned = await self.session.scalar(
                    select(Notification.id).where(
                        Notification.id == notification_id,
                        Notification.account_id == actor.account_id,
                    )
                )
                if owned is None:
                    raise NotFound("Not found.")
                query = query.where(Notification.id == notification_id)
            await self.session.execute(query.values(read_at=clock.now()))
