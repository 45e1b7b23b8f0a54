"""Research's part of an erasure (privacy's ``AccountErasureDue``, in the erasure's transaction).

A patient's research consents go. Their past trial allocations stay as anonymous rows (the arm
counts are part of the trial's sealed sequence; removing them would change every later draw),
their patient id cleared. Exports already made hold only study pseudonyms. Where the erased
account was a study's researcher or approver, an export's requester or an enroller, the id is
cleared.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.privacy.events import AccountErasureDue
from careverse.research.models import Allocation, Export, ResearchConsent, Study


async def erase_research_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    if event.patient_id is not None:
        pid = event.patient_id
        await session.execute(delete(ResearchConsent).where(ResearchConsent.patient_id == pid))
        await session.execute(
            update(Allocation).where(Allocation.patient_id == pid).values(patient_id=None)
        )
    aid = event.account_id
    for model, column in ((Study, Study.owner_id), (Study, Study.approver_id),
                          (Export, Export.requester_id), (Export, Export.approved_by),
                          (Allocation, Allocation.enrolled_by)):  # fmt: skip
        await session.execute(update(model).where(column == aid).values({column.key: None}))
