"""What privacy publishes."""

from __future__ import annotations

import uuid

from careverse.kernel.events import DomainEvent


class AccountErasureDue(DomainEvent, frozen=True):
    """An account's erasure is being carried out now; TRANSACTION-phase handlers delete their
    capability's rows about the person (``patient_id``: the account's patient record, if any)."""

    account_id: uuid.UUID
    patient_id: uuid.UUID | None
