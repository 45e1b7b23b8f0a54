"""Telling a person something in the app: one event any capability publishes, one inbox delivers.

A capability that wants someone told ("your appointment is booked", "you were mentioned", "a new
message from your care team", "an alert about Amara") publishes :class:`NotificationRequested`
through its unit of work, in the TRANSACTION phase, so the notice commits with the change it
announces or not at all. The messaging capability subscribes, stores the notice in the person's
inbox, pushes it to their open pages and, when they chose e-mail, sends a message that carries no
health data. The publisher needs to know nothing of the inbox: the kernel holds only the event.

``title`` is shown in lists and push payloads and never carries health data ("New message from
your care team", not what the message says); ``body`` may (it is encrypted at rest by the inbox).
``link`` is a client path ("/care/appointments/…"), never a URL with health data in it.
"""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class NotificationRequested(DomainEvent, frozen=True):
    """Someone is to be told something in the app (and by e-mail when they chose it)."""

    account_id: uuid.UUID  # who is told
    kind: str  # "appointment.booked", "message.received", "community.mention", "alert.raised" …
    title: str  # no health data
    body: str = ""  # may carry health data: encrypted at rest, never e-mailed
    link: str | None = None  # a client path
    patient_id: uuid.UUID | None = None  # whose care it concerns, if anyone's (for erasure)
    email: bool = False  # also send an e-mail without health data, if the person has an address
