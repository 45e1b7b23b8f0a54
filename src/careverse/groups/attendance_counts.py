"""How often people came to support-group sessions: a narrow read for other capabilities.

Research's cohort criteria ("attended at least n sessions") read this for consented patients only;
it answers counts, never which group or when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.groups.models import GroupAttendance


async def sessions_attended(
    session: AsyncSession, account_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The number of group sessions each account attended (any group); absent means none."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(GroupAttendance.account_id, func.count())
        .where(GroupAttendance.account_id.in_(ids))
        .group_by(GroupAttendance.account_id)
    )
    return {account_id: int(n) for account_id, n in rows.all()}
