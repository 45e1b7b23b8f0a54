"""Notifications: in-app rows (committed with the change they announce) and e-mail after commit.

E-mail subjects carry no health data, and the reason for a visit is never e-mailed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots
from careverse.care.models import Appointment, Notification
from careverse.care.service import zone_of_account
from careverse.identity import directory
from careverse.kernel import clock
from careverse.kernel.errors import NotFound
from careverse.kernel.mail import Mailer
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work

TITLES = {
    "appointment.booked": "Appointment booked",
    "appointment.changed": "Appointment changed",
    "appointment.cancelled": "Appointment cancelled",
    "appointment.reminder": "Appointment reminder",
}
SUBJECT = "A message from Careverse"  # the same for every e-mail: nothing to read from it
VERBS = {
    "appointment.booked": "is booked",
    "appointment.changed": "has moved",
    "appointment.cancelled": "is cancelled",
    "appointment.reminder": "starts soon",
}


@dataclass
class Outbox:
    """E-mails to send once the transaction that created them has committed."""

    mailer: Mailer | None
    pending: list[tuple[str, str, str]] = field(default_factory=list)

    async def send(self) -> int:
        sent = 0
        if self.mailer is None or not self.mailer.configured:
            self.pending.clear()
            return 0
        while self.pending:
            to, subject, body = self.pending.pop(0)
            sent += await self.mailer.send(to, subject, body)
        return sent


def notify(
    session: AsyncSession,
    outbox: Outbox,
    account_id: uuid.UUID,
    kind: str,
    body: str,
    *,
    appointment_id: uuid.UUID | None = None,
    email: str | None = None,
    link: str | None = None,
) -> Notification:
    """Queue an in-app notification (and an e-mail when there is an address and SMTP)."""
    note = Notification(
        account_id=account_id,
        kind=kind,
        title=TITLES.get(kind, "Notification"),
        body=body,
        appointment_id=appointment_id,
        emailed=bool(email and outbox.mailer and outbox.mailer.configured),
    )
    session.add(note)
    if note.emailed and email:  # emailed implies an address; the check narrows its type
        text = f"{body}\n\n{link}\n" if link else f"{body}\n"
        outbox.pending.append((email, SUBJECT, text + "\n— Careverse\n"))
    return note


async def announce(
    session: AsyncSession,
    outbox: Outbox,
    public_url: str,
    appt: Appointment,
    kind: str,
    clinician_name: str,
    actor: Actor | None,
) -> None:
    """Tell the patient (and whoever booked for them) and the clinician about an appointment.

    Each sees the time in their own zone; the clinician is not told of their own change, nor
    reminded.
    """
    patient = await directory.patient(session, appt.patient_id)
    link = f"{public_url.rstrip('/')}/care/appointments/{appt.id}"
    recipients: dict[uuid.UUID, str | None] = {}
    if patient is not None and patient.account_id is not None:
        recipients[patient.account_id] = await directory.patient_email(session, patient.id)
    if appt.booked_by and appt.booked_by not in recipients and appt.booked_by != appt.clinician_id:
        recipients[appt.booked_by] = None
    for account_id, email in recipients.items():
        _, when = slots.render(appt.start_at, await zone_of_account(session, account_id))
        notify(
            session, outbox, account_id, kind,
            f"Your video appointment with {clinician_name} on {when} {VERBS[kind]}.",
            appointment_id=appt.id, email=email, link=link,
        )  # fmt: skip
    if kind != "appointment.reminder" and (actor is None or actor.account_id != appt.clinician_id):
        _, when = slots.render(appt.start_at, await zone_of_account(session, appt.clinician_id))
        name = patient.name if patient else "A patient"
        notify(
            session, outbox, appt.clinician_id, kind,
            f"{name}'s appointment on {when} {VERBS[kind]}.", appointment_id=appt.id,
        )  # fmt: skip


class NotificationService:
    """A person's in-app notifications."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def mine(self, actor: Actor, unread_only: bool = False) -> list[Notification]:
        """The caller's in-app notifications, newest first (at most 200)."""
        require_full_scope(actor)
        query = select(Notification).where(Notification.account_id == actor.account_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        async with unit_of_work(self.session):
            rows = await self.session.scalars(
                query.order_by(Notification.created_at.desc()).limit(200)
            )
            return list(rows.all())

    async def mark_read(self, actor: Actor, notification_id: uuid.UUID | None = None) -> None:
        """Mark one notification (or, with no id, all of them) as read."""
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
