"""Events' domain events, and its part of an erasure.

:class:`EventQuestionCrisis` is published when a raised question screened positive on the crisis
screen (:func:`careverse.kernel.crisis_screen.screen`, the one communities use). TRANSACTION
phase: monitoring (monitoring/event_alerts.py, like community's crisis holds and groups'
unacknowledged "I need support") opens a ``high`` alert on the asker's record when they are a
patient, and tells the on-call clinician (or every admin and site moderator) and the event's
hosts in the app and by e-mail. It carries ids and the screen's categories, never the words.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.events.models import Event, EventLogEntry, EventPerson, EventQuestion
from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue

CATEGORY_WORDS = {
    "suicide": "suicide",
    "self-harm": "self-harm",
    "harm-to-others": "harm to others",
}


class EventQuestionCrisis(DomainEvent, frozen=True):
    """A question raised at an event screened positive for crisis language: it is held."""

    question_id: uuid.UUID
    event_id: uuid.UUID
    event_slug: str
    patient_id: uuid.UUID | None  # the asker's record, when they are a patient
    recipients: tuple[uuid.UUID, ...]  # the on-call clinician (or site staff), the hosts
    categories: tuple[str, ...]

    def why(self) -> str:
        """The alert's words, quoting nothing the person wrote."""
        kinds = " and ".join(CATEGORY_WORDS.get(c, "crisis") for c in self.categories) or "crisis"
        return f"A question raised at an event screened positive for {kinds} language"


async def erase_person_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Events' part of an erasure (TRANSACTION phase): the person's registrations, questions and
    chat lines are deleted; events they made stay under no name (``created_by`` cleared)."""
    account = event.account_id
    for model in (EventPerson, EventQuestion, EventLogEntry):
        await session.execute(delete(model).where(model.account_id == account))
    await session.execute(update(Event).where(Event.created_by == account).values(created_by=None))
    await session.execute(
        update(EventQuestion).where(EventQuestion.decided_by == account).values(decided_by=None)
    )
