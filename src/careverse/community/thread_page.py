"""A thread page read cheaply: the posts' columns the page shows (no ORM objects, the body left
encrypted: :mod:`render_cache` renders only the posts it has not kept), and what members did
with the posts (reactions, the reader's own reactions and bookmarks, the pipeline's tags) with
the page given by its thread and ``seq`` range instead of a list of 200 ids to bind.

Profiled (docs/performance.md, community): loading 200 full ``Post`` objects, decrypting every
body although its HTML was kept, and binding 200 ids into four ``IN`` lists were most of a
200-post read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    func,
    literal_column,
    select,
    type_coerce,
    union_all,
)  # fmt: skip
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from careverse.community.members import relevel, stats_of, visited
from careverse.community.models import (
    Bookmark,
    Community,
    Membership,
    MemberStats,
    Post,
    Pseudonym,
    Reaction,
    Thread,
    ThreadRead,
)  # fmt: skip
from careverse.community.moderation_models import PostTag
from careverse.kernel.policy import Actor

REACTIONS = ("me_too", "thank_you", "helpful")
SEALED = type_coerce(Post.body, Text).label("sealed")  # the stored ciphertext, not decrypted
BY_RANGE_FROM = 8  # posts of one thread: from this many, select them by seq range


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as a thread page shows it (the attributes of ``Post`` that the page uses) and its
    body as stored (``sealed``: ciphertext, decrypted only to render a post not kept)."""

    id: uuid.UUID
    thread_id: uuid.UUID
    community_id: uuid.UUID
    seq: int
    state: str
    pseudonym_id: uuid.UUID | None
    author_account_id: uuid.UUID | None
    badge: str | None
    quote_post_id: uuid.UUID | None
    created_at: datetime
    edited_at: datetime | None
    sealed: str
    handle: str | None  # the pseudonym's handle, when posted under one
    own: bool  # under the reader's own pseudonym in this community


@dataclass(frozen=True, slots=True)
class Context:
    """A thread with its community and, for the reader, their membership, how far they read it
    and their trust statistics (each None when there is none): one statement."""

    thread: Thread
    community: Community
    membership: Membership | None
    position: ThreadRead | None
    stats: MemberStats | None


@dataclass(slots=True)
class Extras:
    """What members did with a page's posts, by post id."""

    counts: dict[uuid.UUID, dict[str, int]]
    mine: dict[uuid.UUID, list[str]] = field(default_factory=dict)
    marked: set[uuid.UUID] = field(default_factory=set)
    tags: dict[uuid.UUID, list[str]] = field(default_factory=dict)


async def context(
    session: AsyncSession, thread_id: uuid.UUID, account_id: uuid.UUID
) -> Context | None:
    """The thread and what reading it needs about the reader (None: no such thread)."""
    found = (await session.execute(
        select(Thread, Community, Membership, ThreadRead, MemberStats)
        .join(Community, Community.id == Thread.community_id)
        .outerjoin(Membership, and_(Membership.community_id == Thread.community_id,
                                    Membership.account_id == account_id))
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id,
                                    ThreadRead.account_id == account_id))
        .outerjoin(MemberStats, MemberStats.account_id == account_id)
        .where(Thread.id == thread_id)
    )).first()  # fmt: skip
    return None if found is None else Context(*found)


async def page(
    session: AsyncSession, thread: Thread, after: int, limit: int, own_index: str
) -> list[PostRow]:
    """The thread's posts after ``after`` (up to ``limit``), oldest first, with their handles;
    ``own_index``: the reader's pseudonym's owner index in this community."""
    rows = await session.execute(
        select(Post.id, Post.seq, Post.state, Post.pseudonym_id, Post.author_account_id,
               Post.badge, Post.quote_post_id, Post.created_at, Post.edited_at, SEALED,
               Pseudonym.handle, Pseudonym.owner_index == own_index)
        .outerjoin(Pseudonym, Pseudonym.id == Post.pseudonym_id)
        .where(Post.thread_id == thread.id, Post.seq > after).order_by(Post.seq).limit(limit)
    )  # fmt: skip
    t, c = thread.id, thread.community_id
    return [PostRow(i, t, c, seq, state, pseudonym, account, badge, quote, created, edited, sealed,
                    handle, bool(own))
            for i, seq, state, pseudonym, account, badge, quote, created, edited, sealed, handle,
            own in rows]  # fmt: skip


async def handle(
    session: AsyncSession, pseudonym_id: uuid.UUID, own_index: str
) -> tuple[str | None, bool]:
    """A pseudonym's handle and whether it is the reader's (``own_index``)."""
    found = (await session.execute(select(Pseudonym.handle, Pseudonym.owner_index == own_index)
                                   .where(Pseudonym.id == pseudonym_id))).first()  # fmt: skip
    return (None, False) if found is None else (found[0], bool(found[1]))


def among(
    column: QueryableAttribute[uuid.UUID], posts: Sequence[Post | PostRow]
) -> ColumnElement[bool]:
    """``column`` (a post id) is one of ``posts``: for many posts of one thread by the thread
    and ``seq`` range (rows of the range's other posts may come back: look them up by id)."""
    first = posts[0]
    if len(posts) >= BY_RANGE_FROM and all(p.thread_id == first.thread_id for p in posts):
        seqs = [p.seq for p in posts]
        return column.in_(select(Post.id).where(
            Post.thread_id == first.thread_id, Post.seq.between(min(seqs), max(seqs))))  # fmt: skip
    return column.in_([p.id for p in posts])


async def extras(
    session: AsyncSession, account_id: uuid.UUID, posts: Sequence[Post | PostRow], new: bool,
    tags: bool = True,
) -> Extras:  # fmt: skip
    """Reactions (counts and the reader's own, one query), the reader's bookmarks and, with
    ``tags``, the posts' tags; ``new``: just written, so none of the first two."""
    out = Extras({p.id: dict.fromkeys(REACTIONS, 0) for p in posts})
    if not posts:
        return out
    kinds = [literal_column("'r'"), literal_column("'b'"), literal_column("'t'")]
    zero = literal_column("0")
    parts = []
    if not new:
        own = func.sum(case((Reaction.account_id == account_id, 1), else_=0))
        parts.append(select(Reaction.post_id, kinds[0], Reaction.kind, func.count(), own)
                     .where(among(Reaction.post_id, posts))
                     .group_by(Reaction.post_id, Reaction.kind))  # fmt: skip
        parts.append(select(Bookmark.post_id, kinds[1], literal_column("''"), zero, zero).where(
            Bookmark.account_id == account_id, among(Bookmark.post_id, posts)))  # fmt: skip
    if tags:
        parts.append(select(PostTag.post_id, kinds[2], PostTag.tag, zero, zero)
                     .where(among(PostTag.post_id, posts)))  # fmt: skip
    if not parts:
        return out
    # One statement (one round trip) for the three: on SQLite each is several hops to its thread.
    found = cast("list[tuple[uuid.UUID, str, str, int, int]]",
                 (await session.execute(union_all(*parts))).all())  # fmt: skip
    for post_id, what, name, n, mine in found:
        if post_id not in out.counts:  # a post of the range that the reader is not shown
            continue
        if what == "r":
            out.counts[post_id][name] = n
            if mine:
                out.mine.setdefault(post_id, []).append(name)
        elif what == "b":
            out.marked.add(post_id)
        else:
            out.tags.setdefault(post_id, []).append(name)
    return out


async def mark_read(
    session: AsyncSession, actor: Actor, rows: Sequence[PostRow], ctx: Context
) -> None:
    """The reader has seen ``rows``: their place in the thread and their posts-read count (trust
    levels) move on; the rows were read with the thread (``ctx``), so no statement unless they
    change (or the reader has no statistics yet)."""
    if not rows:
        return
    position = ctx.position
    if position is None:
        position = ThreadRead(thread_id=ctx.thread.id, account_id=actor.account_id,
                              last_read_seq=0)  # fmt: skip
        session.add(position)
    newest = max(p.seq for p in rows)
    fresh = sum(1 for p in rows if p.seq > position.last_read_seq)
    position.last_read_seq = max(position.last_read_seq, newest)
    stats = ctx.stats or await stats_of(session, actor.account_id)
    stats.posts_read = (stats.posts_read or 0) + fresh
    visited(stats)
    relevel(stats, actor)
