"""What self-help publishes, and self-help's part of an erasure.

- :class:`SelfHelpCrisisRecorded` — the free text of a thought record or a planned activity
  screened positive on the crisis screen (:func:`careverse.kernel.crisis_screen.screen`, the
  one community uses). TRANSACTION phase: monitoring opens an urgent alert to the patient's care
  team in the same transaction as the record, through the same alert path as the questionnaire
  crisis answer (acknowledgement deadline, escalation). The event carries ids and the screen's
  categories only (``suicide``, ``self-harm``, ``harm-to-others``), never the patient's words.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue
from careverse.wellbeing.selfhelp_models import ModuleProgress, PlannedActivity, ThoughtRecord

RECORD_WORDS = {"thought-record": "a thought record", "activity": "an activity note"}
CATEGORY_WORDS = {
    "suicide": "suicide",
    "self-harm": "self-harm",
    "harm-to-others": "harm to others",
}


class SelfHelpCrisisRecorded(DomainEvent, frozen=True):
    """A patient's self-help text screened positive for crisis language."""

    patient_id: uuid.UUID
    signal_id: uuid.UUID  # one alert per signal
    record_type: str  # thought-record | activity
    record_id: uuid.UUID
    categories: tuple[str, ...]

    def why(self) -> str:
        """The alert's words, which quote nothing the patient wrote: "Self-help: the patient's
        words in a thought record screened positive for suicide language"."""
        kinds = " and ".join(CATEGORY_WORDS.get(c, "crisis") for c in self.categories) or "crisis"
        where = RECORD_WORDS.get(self.record_type, "self-help text")
        return f"Self-help: the patient's words in {where} screened positive for {kinds} language"


async def erase_selfhelp_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Self-help's part of an erasure (TRANSACTION phase): every row of the patient."""
    if event.patient_id is None:
        return
    for model in (ModuleProgress, ThoughtRecord, PlannedActivity):
        await session.execute(delete(model).where(model.patient_id == event.patient_id))
