"""Groups' domain events, and its handlers of the world's circle events.

:class:`GroupSupportEscalated` is published when nobody acknowledged a member's "I need support"
by its deadline; monitoring handles it as community's crisis holds (an urgent alert on the
member's record when they are a patient, the on-call clinician told with e-mail), so it reaches a
human through the one alert and escalation path (monitoring/group_alerts.py).
"""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class GroupSupportEscalated(DomainEvent, frozen=True):
    """A request for support in a group session passed its acknowledgement deadline."""

    request_id: uuid.UUID
    group_id: uuid.UUID
    patient_id: uuid.UUID | None  # the member's record, when they are a patient
    recipients: tuple[uuid.UUID, ...]  # the on-call clinician (or site staff), the facilitators
    raised_at: str  # ISO time


class GroupMemberPromoted(DomainEvent, frozen=True):
    """A place freed and the first on the waitlist became a member."""

    group_id: uuid.UUID
    account_id: uuid.UUID
