"""Background work of the care capability: reminders before visits, and letting caregivers out
of open consult rooms when the delegation their invitation rested on expires.

Every node may run the job. Each reminder is claimed with a conditional UPDATE (only one node's
claim matches the row), so two nodes never both send it; a claim left by a node that died is taken
over after ``STALE_CLAIM``. The claim is a unit of work of its own, committed before the reminder
is written and sent (its own unit of work too), one appointment at a time.

An expiring delegation publishes nothing; every access checks it, so the caregiver is refused from
the next request on. :func:`end_lapsed_invitations_once` also ends their invitations into rooms
that are open now, so the world closes a socket they still hold there (on every node). Nodes may
race to end the same invitation: only the one whose DELETE removed it publishes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, or_, select, update

from careverse.care.booking import BookingService
from careverse.care.events import end_invitation
from careverse.care.models import Appointment, Invitee
from careverse.care.service import may_invite_caregiver
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.mail import Mailer
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)
STALE_CLAIM = timedelta(minutes=10)


MAX_LEAD_MINUTES = 1440  # the longest reminder a patient may choose (schemas.AppointmentIn)


async def send_reminders_once(db: Database, settings: Settings, mailer: Mailer | None) -> int:
    """Send the reminders that are due now; answers how many this node sent."""
    now = clock.now()
    lead = settings.care_reminder_lead_minutes
    async with db.session() as session:
        # The widest lead anyone may choose, then each visit's own (the patient's choice).
        rows = (
            await session.execute(
                select(Appointment.id, Appointment.start_at, Appointment.reminder_minutes).where(
                    Appointment.status.in_(("booked", "checked_in")),
                    Appointment.start_at > now,
                    Appointment.start_at <= now + timedelta(minutes=max(lead, MAX_LEAD_MINUTES)),
                    Appointment.reminder_sent_at.is_(None),
                )
            )
        ).all()
    due = [
        appointment_id
        for appointment_id, start_at, chosen in rows
        if (minutes := lead if chosen is None else chosen) > 0
        and start_at <= now + timedelta(minutes=minutes)
    ]
    sent = 0
    for appointment_id in due:
        async with db.session() as session:
            async with unit_of_work(session):
                claim = await session.execute(
                    update(Appointment)
                    .where(
                        Appointment.id == appointment_id,
                        Appointment.reminder_sent_at.is_(None),
                        or_(
                            Appointment.reminder_claimed_at.is_(None),
                            Appointment.reminder_claimed_at < now - STALE_CLAIM,
                        ),
                    )
                    .values(reminder_claimed_at=now)
                )
            if cast(CursorResult, claim).rowcount != 1:
                continue  # another node has it
            await BookingService(session, settings, mailer).send_reminder(appointment_id)
            sent += 1
    return sent


async def end_lapsed_invitations_once(db: Database) -> int:
    """End the caregiver invitations into open consult rooms whose delegation has expired (or
    no longer grants appointments or consults); answers how many this node ended."""
    ended = 0
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Invitee, Appointment.space_id, Appointment.patient_id)
                .join(Appointment, Appointment.id == Invitee.appointment_id)
                .where(Invitee.role == "caregiver", Appointment.status == "in_progress")
            )
        ).all()
        for invitee, space_id, patient_id in rows:
            async with unit_of_work(session):
                if await may_invite_caregiver(session, invitee.account_id, patient_id):
                    continue
                if await end_invitation(
                    session, invitee, space_id, patient_id, reason="delegation-expired"
                ):
                    ended += 1
    return ended


async def end_lapsed_invitations_forever(db: Database, settings: Settings) -> None:
    while True:
        try:
            ended = await end_lapsed_invitations_once(db)
            if ended:
                log.info("care.invitations_lapsed", count=ended)
        except Exception as exc:
            log.error("care.invitations_check_failed", error=type(exc).__name__)
        await clock.sleep(settings.care_reminder_check_seconds)


async def send_reminders_forever(db: Database, settings: Settings, mailer: Mailer | None) -> None:
    while True:
        try:
            sent = await send_reminders_once(db, settings, mailer)
            if sent:
                log.info("care.reminders_sent", count=sent)
        except Exception as exc:
            log.error("care.reminders_failed", error=type(exc).__name__)
        await clock.sleep(settings.care_reminder_check_seconds)
