"""Mentoring's part of an erasure: the person's applications, and the relationships they were a
side of (with goals, meetings, messages and reports), are deleted; reports and messages they
made elsewhere stay under no name (the foreign keys set them to null)."""

from __future__ import annotations

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.mentoring.models import Mentor, Relationship
from careverse.privacy.events import AccountErasureDue


async def erase_member_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    who = event.account_id
    await session.execute(
        delete(Relationship).where(
            or_(Relationship.mentor_id == who, Relationship.mentee_id == who)
        )
    )
    await session.execute(delete(Mentor).where(Mentor.account_id == who))
