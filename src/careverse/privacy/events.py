"""What privacy publishes, and privacy's own part of an erasure.

``AccountErasureDue`` is published by an erasure (``PrivacyService.erase_due``) inside its unit of
work, before identity turns the account into a tombstone. Every capability that keeps rows about
a person subscribes a TRANSACTION handler that deletes or anonymises its own rows, so an erasure
is one transaction across capabilities and a failing handler leaves the person untouched and the
request still due. Foreign-key cascades stay in the schema only as a safety net.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.privacy.models import BreakGlass, Consent


class AccountErasureDue(DomainEvent, frozen=True, kw_only=True):
    """An account's erasure is being carried out now (its grace period has ended).

    ``patient_id`` is the account's patient record, if it has one. Handlers run in the erasure's
    transaction (TRANSACTION phase) and must delete their capability's rows about this person.
    """

    account_id: uuid.UUID
    patient_id: uuid.UUID | None


async def erase_privacy_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Privacy's part of an erasure: the patient's consents and the break-glass records on them.

    Kept: the erasure request (it points at the tombstone and says when erasure happened), and
    break-glass records an erased clinician opened on other patients (they belong to those
    patients' records, and the clinician's id no longer names anyone).
    """
    if event.patient_id is None:
        return
    await session.execute(delete(Consent).where(Consent.patient_id == event.patient_id))
    await session.execute(delete(BreakGlass).where(BreakGlass.patient_id == event.patient_id))
