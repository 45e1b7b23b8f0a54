"""What wellbeing publishes, and wellbeing's own part of an erasure.

- :class:`CrisisResponseRecorded` — a questionnaire response took the crisis path (PHQ-9 item 9
  answered 1 or more, or any C-SSRS screener risk above none). TRANSACTION phase: monitoring
  opens (or updates) the patient's urgent alert in the same transaction as the response, so a
  stored crisis response never lacks its alert. The event carries ids and reason codes only
  (``"phq9-item9:1"``, ``"cssrs:q6-recent"``); :meth:`CrisisResponseRecorded.why` puts them in
  the alert's words, which monitoring stores encrypted and never logs.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue
from careverse.wellbeing.instruments import crisis_reason
from careverse.wellbeing.models import WellbeingResponse
from careverse.wellbeing.schedule_models import WellbeingSchedule


class CrisisResponseRecorded(DomainEvent, frozen=True):
    """A patient's questionnaire response raised a crisis flag."""

    patient_id: uuid.UUID
    response_id: uuid.UUID
    instrument: str  # phq9 | cssrs
    reasons: tuple[str, ...]  # reason codes, see careverse.wellbeing.instruments.crisis_reason

    def why(self) -> str:
        """The reasons in the alert's words: "PHQ-9 item 9 answered 'several days'"."""
        return "; ".join(crisis_reason(code) for code in self.reasons)


async def erase_patient_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Wellbeing's part of an erasure (TRANSACTION phase): every response and schedule of the
    patient."""
    if event.patient_id is None:
        return
    await session.execute(
        delete(WellbeingSchedule).where(WellbeingSchedule.patient_id == event.patient_id)
    )
    await session.execute(
        delete(WellbeingResponse).where(WellbeingResponse.patient_id == event.patient_id)
    )
