"""The limits on posting (docs/community.md, "Trust and limits"): per-level rate limits across
all communities, then topic and member slow mode; each answers 429 with ``Retry-After``."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import trust
from careverse.community.models import Community, Membership, Post, Thread
from careverse.kernel import clock
from careverse.kernel.errors import TooManyRequests
from careverse.kernel.policy import Actor


def _retry(after: timedelta) -> int:
    return max(1, math.ceil(after.total_seconds()))


def _wait(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"


async def check_limits(
    session: AsyncSession, actor: Actor, c: Community, m: Membership, thread: Thread,
    level: int, new_topic: bool, mine_ids: list[uuid.UUID],
) -> None:  # fmt: skip
    """Per-level rate limits (all communities), then topic and member slow mode: 429."""
    now = clock.now()
    mine = or_(Post.author_account_id == actor.account_id, Post.pseudonym_id.in_(mine_ids))
    allowed = trust.limits(level)
    checks = [(Post.seq >= 1, timedelta(hours=1), allowed.posts_per_hour, "posts an hour")]
    if new_topic:
        checks.append((Post.seq == 1, timedelta(days=1), allowed.topics_per_day,
                       "new topics a day"))  # fmt: skip
    for which, window, limit, what in checks:
        n, oldest = (await session.execute(
            select(func.count(), func.min(Post.created_at))
            .where(mine, which, Post.created_at > now - window)
        )).one()  # fmt: skip
        if n >= limit:
            retry = _retry(clock.as_utc(oldest) + window - now)
            raise TooManyRequests(
                f"At your trust level ({allowed.name}) you may write {limit} {what}. "
                f"You can post again in {_wait(retry)}.", retry,
            )  # fmt: skip
    slow = [(thread.slow_seconds, thread.slow_until, Post.thread_id == thread.id, "topic")]
    slow.append((m.slow_seconds, m.slow_until, Post.community_id == c.id, "community"))
    for seconds, until, where, what in slow:
        if not seconds or (until is not None and clock.as_utc(until) <= now):
            continue
        last = await session.scalar(select(func.max(Post.created_at)).where(mine, where))
        if last is not None and now - clock.as_utc(last) < timedelta(seconds=seconds):
            retry = _retry(clock.as_utc(last) + timedelta(seconds=seconds) - now)
            raise TooManyRequests(
                f"Slow mode is on in this {what}: one post every {_wait(seconds)}. "
                f"You can post again in {_wait(retry)}.", retry,
            )  # fmt: skip
