"""Caregiver groups suggested to caregivers ("suggested for you" on the groups list).

For an account of role caregiver: the caregiver groups (``caregiver: true``) they may see
(the same read rule as the list), that they are not in (no membership, or one they left), that
they can join themselves (not referral-only), soonest next session first, at most
:data:`LIMIT`. Anyone else is suggested nothing: the list's caregiver filter stays for them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups.service import GroupService, GroupView
from careverse.kernel.policy import Actor, Role

LIMIT = 3
_LATEST = datetime.max.replace(tzinfo=UTC)


async def for_caregiver(session: AsyncSession, actor: Actor) -> list[GroupView]:
    if actor.role is not Role.CAREGIVER:
        return []
    views = await GroupService(session).list(actor, caregiver=True)
    fits = [
        v
        for v in views
        if (v.mine is None or v.mine.status == "left") and v.group.admission != "referral"
    ]
    fits.sort(key=lambda v: (v.next_start is None, v.next_start or _LATEST))
    return fits[:LIMIT]
