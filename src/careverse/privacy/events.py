"""Privacy's domain events."""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class AccountErasureDue(DomainEvent, frozen=True):
    account_id: uuid.UUID
    patient_id: uuid.UUID | None
