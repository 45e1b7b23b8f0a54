"""Messaging's handlers: the inbox's side of :class:`NotificationRequested`, caregivers told of
alerts about the people they support, and messaging's part of every erasure.

Messaging publishes no event of its own: a new message asks for a notification through the
kernel's ``NotificationRequested`` like any capability does.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.relationships import caregivers_with
from careverse.kernel.db import Database
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Category
from careverse.kernel.uow import unit_of_work
from careverse.messaging.models import Message, MessageThread, Notification, ThreadRead
from careverse.messaging.notifications import add
from careverse.monitoring.events import AlertChanged
from careverse.privacy.events import AccountErasureDue

# An alert's changes a caregiver is told of: a new alert, or one that got worse.
TOLD = frozenset({"opened", "raised", "reopened"})
ALERT_TITLE = "New alert about someone you support"  # no health data, no name


async def tell_caregivers_of_alert(db: Database, event: AlertChanged) -> None:
    """COMMITTED handler: each caregiver whose delegation covers the person's vitals is told.

    Runs after the alert's commit in a unit of work of its own, so a failure here never touches
    the alert path (the care team's alert is the safety net, this is a courtesy).
    """
    if event.change not in TOLD:
        return
    async with db.session() as session, unit_of_work(session) as uow:
        carers = await caregivers_with(session, event.patient_id, Category.VITALS)
        if not carers:
            return
        patient = await directory.patient(session, event.patient_id)
        first = (patient.name if patient else "").split(" ")[0] or "Someone you support"
        for caregiver_id in carers:
            await uow.publish(
                NotificationRequested(
                    account_id=caregiver_id, kind="alert.raised", title=ALERT_TITLE,
                    body=f"{first}: a {event.severity} alert was raised. Open their vitals to "
                    "see why and what the care team is doing.",
                    link="/vitals", patient_id=event.patient_id,
                )
            )  # fmt: skip


async def erase_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Messaging's part of an erasure (TRANSACTION phase): the person's notifications, the
    patient's threads (their messages, attachments and receipts go with them), the account's read
    receipts, and its name taken off messages it wrote and threads it was given elsewhere."""
    mine = Notification.account_id == event.account_id
    if event.patient_id is not None:
        mine = or_(mine, Notification.patient_id == event.patient_id)
    await session.execute(delete(Notification).where(mine))
    if event.patient_id is not None:
        threads = select(MessageThread.id).where(MessageThread.patient_id == event.patient_id)
        await session.execute(delete(ThreadRead).where(ThreadRead.thread_id.in_(threads)))
        await session.execute(delete(Message).where(Message.thread_id.in_(threads)))
        await session.execute(
            delete(MessageThread).where(MessageThread.patient_id == event.patient_id)
        )
    await session.execute(delete(ThreadRead).where(ThreadRead.account_id == event.account_id))
    await session.execute(
        update(Message).where(Message.author_id == event.account_id).values(author_id=None)
    )
    for column in (MessageThread.created_by, MessageThread.assigned_to):
        await session.execute(
            update(MessageThread).where(column == event.account_id).values({column.key: None})
        )


def store(email_possible: bool):
    """The TRANSACTION handler that adds each notice to its person's inbox."""

    async def store_notification(event: NotificationRequested, session: AsyncSession) -> None:
        add(session, event, emailed=event.email and email_possible)

    return store_notification
