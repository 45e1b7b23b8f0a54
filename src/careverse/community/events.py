"""What community publishes, and community's own part of an erasure.

- :class:`PostPublished` — a post became visible to the thread's readers (EVERYWHERE: each node
  hands it to the thread pages open there, which read it fresh through the service).

Erasure (TRANSACTION phase): the member's memberships, pseudonyms, reactions, bookmarks, reading
positions and statistics are deleted; their posts become "[removed]" tombstones owned by no one
(the body emptied, the author and pseudonym cleared, search terms deleted), so the replies of
others keep their place in the thread; a thread they opened keeps the others' replies under the
title "[removed]".
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.members import owner_index
from careverse.community.models import (
    Bookmark,
    Community,
    Membership,
    MemberStats,
    Post,
    PostTerm,
    Pseudonym,
    Reaction,
    Thread,
    ThreadRead,
)
from careverse.community.render_cache import posts_html
from careverse.kernel.events import DomainEvent
from careverse.privacy.events import AccountErasureDue

REMOVED = "[removed]"


class PostPublished(DomainEvent, frozen=True):
    """A post is now visible in its thread (new, or released by a moderator)."""

    community_id: uuid.UUID
    thread_id: uuid.UUID
    post_id: uuid.UUID
    seq: int


async def erase_member_rows(event: AccountErasureDue, session: AsyncSession) -> None:
    """Community's part of an erasure (see the module docstring)."""
    account = event.account_id
    communities = (await session.scalars(select(Community.id))).all()
    indexes = [owner_index(c, account) for c in communities]
    pseudonyms = (
        (
            await session.scalars(select(Pseudonym.id).where(Pseudonym.owner_index.in_(indexes)))
        ).all()
        if indexes
        else []
    )
    authored = or_(Post.author_account_id == account, Post.pseudonym_id.in_(pseudonyms))
    post_ids = (await session.scalars(select(Post.id).where(authored))).all()
    if post_ids:
        await session.execute(delete(PostTerm).where(PostTerm.post_id.in_(post_ids)))
        await session.execute(
            update(Post)
            .where(Post.id.in_(post_ids))
            .values(body="", state="removed", author_account_id=None, pseudonym_id=None, badge=None)
        )
        posts_html.forget(post_ids)  # this node's kept HTML of them (others': render_cache.py)
    opened = or_(Thread.author_account_id == account, Thread.pseudonym_id.in_(pseudonyms))
    await session.execute(
        update(Thread)
        .where(opened)
        .values(title=REMOVED, author_account_id=None, pseudonym_id=None)
    )
    if pseudonyms:
        await session.execute(delete(Pseudonym).where(Pseudonym.id.in_(pseudonyms)))
    for table in (Reaction, Bookmark, ThreadRead, Membership, MemberStats):
        await session.execute(delete(table).where(table.account_id == account))
    await session.execute(
        update(Membership).where(Membership.invited_by == account).values(invited_by=None)
    )
    await session.execute(
        update(Community).where(Community.created_by == account).values(created_by=None)
    )
