"""What the gallery publishes, and its part of an erasure.

- :class:`GalleryWorkHeld` — the crisis screen flagged a work's words (a poem, a title, a
  caption). TRANSACTION phase: monitoring (``monitoring.gallery_alerts``) opens a ``high`` alert
  on the author's record when the author is a patient — their care team sees it with its
  acknowledgement deadline and monitoring's escalation — in the same transaction as the held
  work, as for a held community post. The community's staff and the on-call clinician are told
  by the gallery itself (``NotificationRequested``), with the deadline. Ids and rule names only.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.moderation_events import describe
from careverse.gallery.models import GalleryReport, GalleryWork
from careverse.gallery.placing import space_of
from careverse.kernel.events import DomainEvent
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue
from careverse.world.gallery_events import GalleryWorkTakenDown


class GalleryWorkHeld(DomainEvent, frozen=True):
    """A work was held for crisis language; a human must take it on."""

    work_id: uuid.UUID
    community_id: uuid.UUID
    author_account_id: uuid.UUID
    author_patient_id: uuid.UUID | None
    reasons: tuple[str, ...]
    acknowledge_by: str  # ISO time

    def why(self) -> str:
        return "Held gallery work: " + "; ".join(describe(r) for r in self.reasons)


async def erase_member_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """The gallery's part of an erasure (TRANSACTION phase): the person's works (with their
    images, reports on them and their frames in the gallery space) and their reports go;
    decisions they made as a moderator stay, under no name."""
    who = event.account_id
    hung = (await session.execute(
        select(GalleryWork.id, GalleryWork.community_id).where(
            GalleryWork.author_account_id == who, GalleryWork.slot.is_not(None))
    )).all()  # fmt: skip
    for work_id, community_id in hung:
        space_id = await space_of(session, community_id)
        if space_id is not None:
            await unit_of_work(session).publish(
                GalleryWorkTakenDown(space_id=space_id, work_id=work_id)
            )
    await session.execute(delete(GalleryReport).where(GalleryReport.reporter_id == who))
    await session.execute(delete(GalleryWork).where(GalleryWork.author_account_id == who))
    for column in (GalleryWork.decided_by, GalleryWork.acknowledged_by):
        await session.execute(update(GalleryWork).where(column == who).values({column.key: None}))
