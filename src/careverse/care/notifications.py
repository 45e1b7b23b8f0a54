"""Appointment notices: care asks for them through :class:`NotificationRequested`; the inbox
(messaging) stores them with the change they announce and e-mails the patient after the commit.

The reason for a visit is never in a notice; the body names the clinician and the time, the title
("Appointment booked") nothing at all, and only the title and the link are e-mailed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.care import slots
from careverse.care.models import Appointment
from careverse.care.service import zone_of_account
from careverse.identity import directory
from careverse.kernel.mail import Mailer
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor
from careverse.kernel.uow import unit_of_work

TITLES = {
    "appointment.booked": "Appointment booked",
    "appointment.changed": "Appointment changed",
    "appointment.cancelled": "Appointment cancelled",
    "appointment.reminder": "Appointment reminder",
}
VERBS = {
    "appointment.booked": "is booked",
    "appointment.changed": "has moved",
    "appointment.cancelled": "is cancelled",
    "appointment.reminder": "starts soon",
}


@dataclass
class Outbox:
    """Kept for the booking service's shape: e-mail now leaves from the inbox after the commit
    (messaging sends what ``NotificationRequested(email=True)`` asks), so there is nothing to send
    here."""

    mailer: Mailer | None

    async def send(self) -> int:
        return 0


async def notify(
    session: AsyncSession,
    account_id: uuid.UUID,
    kind: str,
    body: str,
    *,
    appointment: Appointment,
    email: bool = False,
) -> None:
    """Ask for an in-app notice (and an e-mail) in the current unit of work."""
    await unit_of_work(session).publish(
        NotificationRequested(
            account_id=account_id, kind=kind, title=TITLES.get(kind, "Notification"), body=body,
            link=f"/care/appointments/{appointment.id}", patient_id=appointment.patient_id,
            email=email,
        )
    )  # fmt: skip


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

    Each sees the time in their own zone; the patient is e-mailed when they gave an address for
    notices; the clinician is not told of their own change, nor reminded.
    """
    patient = await directory.patient(session, appt.patient_id)
    recipients: dict[uuid.UUID, bool] = {}
    if patient is not None and patient.account_id is not None:
        recipients[patient.account_id] = bool(await directory.patient_email(session, patient.id))
    if appt.booked_by and appt.booked_by not in recipients and appt.booked_by != appt.clinician_id:
        recipients[appt.booked_by] = False
    own = patient.account_id if patient is not None else None
    first = (patient.name.split() or ["Someone you support"])[0] if patient else "A patient"
    for account_id, email in recipients.items():
        _, when = slots.render(appt.start_at, await zone_of_account(session, account_id))
        # The patient reads "Your …"; a caregiver who booked for them reads "Amara's …".
        whose = "Your" if account_id == own else f"{first}'s"
        await notify(
            session, account_id, kind,
            f"{whose} video appointment with {clinician_name} on {when} {VERBS[kind]}.",
            appointment=appt, email=email,
        )  # fmt: skip
    if kind != "appointment.reminder" and (actor is None or actor.account_id != appt.clinician_id):
        _, when = slots.render(appt.start_at, await zone_of_account(session, appt.clinician_id))
        name = patient.name if patient else "A patient"
        await notify(
            session, appt.clinician_id, kind,
            f"{name}'s appointment on {when} {VERBS[kind]}.", appointment=appt,
        )  # fmt: skip
