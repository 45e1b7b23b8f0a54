"""Mentoring's part of an erasure: the person's applications, and the relationships they were a
side of (with goals, meetings, messages and reports), are deleted;
the applications they decided as an organiser stay, under no name."""

from __future__ import annotations

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.mentoring.models import Mentor, Relationship
from careverse.mentoring.volunteering_models import HoursLog, Opportunity, SignUp
from careverse.privacy.events import AccountErasureDue


async def erase_member_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    who = event.account_id
    await session.execute(
        delete(Relationship).where(
            or_(Relationship.mentor_id == who, Relationship.mentee_id == who)
        )
    )
    await session.execute(delete(Mentor).where(Mentor.account_id == who))
    await session.execute(update(Mentor).where(Mentor.decided_by == who).values(decided_by=None))
    await session.execute(delete(SignUp).where(SignUp.account_id == who))
    await session.execute(
        update(Opportunity).where(Opportunity.organiser_id == who).values(organiser_id=None)
    )
    await session.execute(
        update(HoursLog).where(HoursLog.confirmed_by == who).values(confirmed_by=None)
    )
