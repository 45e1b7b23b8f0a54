"""Threads and posts: start a topic, reply (with a quote), read (and track what was read), react,
bookmark, accept an answer, search, and the limits on posting (trust levels, slow mode). Authors
are shown by a per-community handle (pseudonym) or by name, as they chose; the account behind a
handle is never returned (``mine`` tells only the caller about their own posts). Posts are not
audited one by one: an audit row tying an account to a pseudonymous post would be the very link
the pseudonym exists to prevent (docs/community.md). Replies go through the node's group commit
(``community/batching.py``) when the caller is not already in a transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import text, thread_page
from careverse.community.events import PostPublished
from careverse.community.limits import check_limits
from careverse.community.members import (
    community_for,
    is_staff,
    may_read,
    owner_index,
    pseudonym_for,
    readable,
    relevel,
    require_member,
    stats_of,
    visited,
)
from careverse.community.models import (
    Bookmark,
    Community,
    Membership,
    Post,
    PostTerm,
    Pseudonym,
    Reaction,
    Thread,
    ThreadRead,
)
from careverse.community.post_state import index_post as _index
from careverse.community.render_cache import posts_html
from careverse.community.review import Concern, Draft, PostReviewer
from careverse.community.thread_page import REACTIONS, PostRow
from careverse.identity import directory
from careverse.kernel import clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Role, require_full_scope
from careverse.kernel.uow import unit_of_work

IDENTITIES = ("pseudonym", "name")
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_MENTIONS = 10
PAGE = 200
MENTION_TITLE = "You were mentioned in a community discussion"  # no health data


@dataclass(frozen=True, slots=True)
class Author:
    handle: str | None  # the per-community pseudonym
    name: str | None  # when posted under one's name
    badge: str | None
    mine: bool


@dataclass(frozen=True, slots=True)
class PostView:
    post: Post | PostRow  # a thread page's posts are PostRow (no ORM object, body not decrypted)
    author: Author
    html: str
    quote: dict | None = None
    reactions: dict[str, int] = field(default_factory=dict)
    my_reactions: list[str] = field(default_factory=list)
    bookmarked: bool = False
    accepted: bool = False
    tags: list[str] = field(default_factory=list)  # the pipeline's (cw-method: behind a warning)


@dataclass(frozen=True, slots=True)
class ThreadView:
    thread: Thread
    title: str
    author: Author
    unread: int = 0


@dataclass(frozen=True, slots=True)
class Posted:
    post: PostView
    concern: Concern | None
    thread: ThreadView | None = None


class ReplyBatcher(Protocol):  # community.batching.PostBatcher: the node's group commit
    def batchable(self, reviewer: PostReviewer) -> bool: ...
    async def reply(self, reviewer: PostReviewer, actor: Actor, thread_id: uuid.UUID,
                    body: str, identity: str, quote_post_id: uuid.UUID | None,
                    language: str | None) -> Posted: ...  # fmt: skip


def _check_text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"'{name}' must not be empty.", field=name)
    if len(value) > limit:
        raise InvalidInput(f"'{name}' is longer than {limit} characters.", field=name)
    return value


class ThreadService:
    def __init__(self, session: AsyncSession, reviewer: PostReviewer | None = None,
                 batcher: ReplyBatcher | None = None):  # fmt: skip
        self.session = session
        self.reviewer = reviewer or PostReviewer()
        self.batcher = batcher  # the node's group commit of replies (community/batching.py)
        self._mine: dict[uuid.UUID, list[uuid.UUID]] = {}  # the caller's pseudonyms, read once
        self._own: dict[tuple[uuid.UUID, uuid.UUID], Pseudonym] = {}
        self._memberships: dict[uuid.UUID, list[Membership]] = {}  # the caller's, read once
        self._known_handles: dict[uuid.UUID, str] = {}

    async def _memberships_of(self, account_id: uuid.UUID) -> list[Membership]:
        """All the account's memberships (every community, any status) in one query."""
        if account_id not in self._memberships:
            self._memberships[account_id] = list((await self.session.scalars(
                select(Membership).where(Membership.account_id == account_id)
            )).all())  # fmt: skip
        return self._memberships[account_id]

    async def _readable(
        self, actor: Actor, community_id: uuid.UUID
    ) -> tuple[Community, Membership | None]:
        """:func:`members.readable` (the same policy), with the caller's memberships read once
        for this and for their pseudonyms."""
        require_full_scope(actor)
        community = await self.session.get(Community, community_id)
        if community is None:
            raise NotFound("Not found.")
        memberships = await self._memberships_of(actor.account_id)
        m = next((m for m in memberships if m.community_id == community.id), None)
        if m is None:  # joined since this service read them (a service living past one request)
            self._memberships.pop(actor.account_id, None)
            memberships = await self._memberships_of(actor.account_id)
            m = next((m for m in memberships if m.community_id == community.id), None)
        if not may_read(actor, community, m):
            raise NotFound("Not found.")
        return community, m

    async def _mine_ids(self, account_id: uuid.UUID) -> list[uuid.UUID]:
        """The account's own pseudonyms (every community), read once per service; the rows are
        kept, so the pseudonym to post under needs no query of its own."""
        if account_id not in self._mine:
            communities = [m.community_id for m in await self._memberships_of(account_id)]
            rows = (await self.session.scalars(select(Pseudonym).where(
                Pseudonym.owner_index.in_([owner_index(c, account_id) for c in communities])
            ))).all() if communities else []  # fmt: skip
            for row in rows:
                self._own.setdefault((row.community_id, account_id), row)
            self._mine[account_id] = [row.id for row in rows]
        return self._mine[account_id]

    async def _own_pseudonym(self, community_id: uuid.UUID, account_id: uuid.UUID) -> uuid.UUID:
        key = (community_id, account_id)
        if key not in self._own:  # kept (the session's identity map holds rows weakly)
            self._own[key] = await pseudonym_for(self.session, community_id, account_id)
            known = self._mine.get(account_id)
            if known is not None and self._own[key].id not in known:
                known.append(self._own[key].id)  # made just now
        return self._own[key].id

    async def _handles(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Handles by pseudonym id: the caller's own (already read) without a query."""
        known = self._known_handles | {p.id: p.handle for p in self._own.values()}
        out = {i: known[i] for i in ids if i in known}
        rest = ids - out.keys()
        if rest:
            found = {row[0]: row[1] for row in (await self.session.execute(
                select(Pseudonym.id, Pseudonym.handle).where(Pseudonym.id.in_(rest))
            )).all()}  # fmt: skip
            self._known_handles.update(found)
            out.update(found)
        return out

    # ---- shaping ---------------------------------------------------------------------------

    async def _authors(
        self, actor: Actor, rows: Sequence[Post | PostRow | Thread],
        known: dict[uuid.UUID, tuple[str | None, bool]] | None = None,
    ) -> list[Author]:  # fmt: skip
        """Authors as shown to ``actor``; ``known``: (handle, the caller's own) by pseudonym id,
        when the caller has them already."""
        if not rows:
            return []
        if known is None:
            mine = set(await self._mine_ids(actor.account_id))
            handles = await self._handles({r.pseudonym_id for r in rows if r.pseudonym_id})
            known = {i: (h, i in mine) for i, h in handles.items()}
        names = await directory.display_names(
            self.session, {r.author_account_id for r in rows if r.author_account_id}
        )
        out = []
        for r in rows:
            badge = getattr(r, "badge", None)
            if r.pseudonym_id is not None:
                handle, own = known.get(r.pseudonym_id, (None, False))
                out.append(Author(handle, None, badge, own))
            elif r.author_account_id is not None:
                out.append(Author(None, names.get(r.author_account_id), badge,
                                  r.author_account_id == actor.account_id))  # fmt: skip
            else:
                out.append(Author(None, None, None, False))  # erased: a tombstone
        return out

    async def _views(
        self, actor: Actor, posts: Sequence[Post | PostRow], thread: Thread | None = None,
        new: bool = False, new_tags: Sequence[str] | None = None,
        authors: Sequence[Author] | None = None,
    ) -> list[PostView]:  # fmt: skip
        """Posts as shown to ``actor``; ``new``: just written (no reactions or bookmarks yet),
        with ``new_tags`` when the reviewer said which tags it stored."""
        if not posts:
            return []
        found = await thread_page.extras(self.session, actor.account_id, posts, new,
                                         tags=not (new and new_tags is not None))  # fmt: skip
        counts, mine, marked, tags = found.counts, found.mine, found.marked, found.tags
        if new and new_tags is not None:
            tags = {p.id: list(new_tags) for p in posts}
        quoted_ids = {p.quote_post_id for p in posts if p.quote_post_id}
        quoted = {q.id: q for q in (await self.session.scalars(
            select(Post).where(Post.id.in_(quoted_ids)))).all()} if quoted_ids else {}  # fmt: skip
        quoted_authors = dict(zip(quoted, await self._authors(actor, list(quoted.values())),
                                  strict=True)) if quoted else {}  # fmt: skip
        if authors is None:
            authors = await self._authors(actor, posts)
        accepted = thread.accepted_post_id if thread else None
        out, unseen = [], []
        for p, author in zip(posts, authors, strict=True):
            shown = p.state == "published" or (p.state in ("held", "hidden") and author.mine)
            if not shown:
                unseen.append(p.id)
            quote = None
            q = quoted.get(p.quote_post_id) if p.quote_post_id else None
            if q is not None:
                a = quoted_authors[q.id]
                quote = {
                    "post_id": q.id, "seq": q.seq, "author": a,
                    "excerpt": text.excerpt(q.body) if q.state == "published" else "",
                }  # fmt: skip
            out.append(PostView(
                p, author, _html(p) if shown else "", quote, counts[p.id],
                sorted(mine.get(p.id, [])), p.id in marked, p.id == accepted,
                sorted(tags.get(p.id, [])) if shown else [],
            ))  # fmt: skip
        posts_html.forget(unseen)  # a post not shown any more leaves the node's kept HTML
        return out

    def _visible(self, actor: Actor, m: Membership | None, post: Post | PostRow, mine: set) -> bool:
        if post.state in ("published", "removed") or is_staff(actor, m):
            return True
        return post.author_account_id == actor.account_id or post.pseudonym_id in mine

    # ---- reading ---------------------------------------------------------------------------

    async def threads(self, actor: Actor, slug: str) -> list[ThreadView]:
        async with unit_of_work(self.session):
            c, _m = await community_for(self.session, actor, slug)
            await readable(self.session, actor, c.id)
            rows = (await self.session.scalars(
                select(Thread).where(Thread.community_id == c.id)
                .order_by(Thread.last_post_at.desc()).limit(PAGE)
            )).all()  # fmt: skip
            read = dict((await self.session.execute(
                select(ThreadRead.thread_id, ThreadRead.last_read_seq).where(
                    ThreadRead.account_id == actor.account_id,
                    ThreadRead.thread_id.in_([t.id for t in rows]))
            )).all()) if rows else {}  # fmt: skip
            authors = await self._authors(actor, rows)
        return [
            ThreadView(t, t.title, a, max(0, t.post_count - read.get(t.id, 0)))
            for t, a in zip(rows, authors, strict=True)
        ]

    async def read(
        self, actor: Actor, thread_id: uuid.UUID, after: int = 0
    ) -> tuple[ThreadView, Community, Membership | None, list[PostView]]:
        """A thread and its posts after ``after`` (up to 200); marks them read. Six statements
        at most (thread_page.py): the thread with what it needs about the reader, the page with
        its handles, the thread's handle when none of the page has it, the page's reactions,
        bookmarks and tags, authors' names, a new reader's statistics."""
        if after < 0:
            raise InvalidInput("'after' must not be negative.", field="after")
        async with unit_of_work(self.session):
            ctx = await thread_page.context(self.session, thread_id, actor.account_id)
            if ctx is None:
                raise NotFound("Not found.")
            thread, c, m = ctx.thread, ctx.community, ctx.membership
            require_full_scope(actor)
            if not may_read(actor, c, m):
                raise NotFound("Not found.")
            own = owner_index(c.id, actor.account_id)
            rows = await thread_page.page(self.session, thread, after, PAGE, own)
            mine = {p.pseudonym_id for p in rows if p.own}
            rows = [p for p in rows if self._visible(actor, m, p, mine)]
            known = {p.pseudonym_id: (p.handle, p.own) for p in rows if p.pseudonym_id}
            if thread.pseudonym_id is not None and thread.pseudonym_id not in known:
                known[thread.pseudonym_id] = await thread_page.handle(
                    self.session, thread.pseudonym_id, own)  # fmt: skip
            author, *authors = await self._authors(actor, [thread, *rows], known)
            await thread_page.mark_read(self.session, actor, rows, ctx)
            views = await self._views(actor, rows, thread, authors=authors)
        return ThreadView(thread, thread.title, author, 0), c, m, views

    async def check_readable(self, actor: Actor, thread_id: uuid.UUID) -> None:
        """Nothing, or 404 when the caller may not read the thread (before opening a stream)."""
        async with unit_of_work(self.session):
            thread = await self.session.get(Thread, thread_id)
            if thread is None:
                raise NotFound("Not found.")
            await readable(self.session, actor, thread.community_id)

    async def post(self, actor: Actor, post_id: uuid.UUID) -> PostView:
        """One post, read fresh (live updates), through the community policy."""
        async with unit_of_work(self.session):
            post = await self.session.get(Post, post_id)
            if post is None:
                raise NotFound("Not found.")
            _, m = await readable(self.session, actor, post.community_id)
            mine = set(await self._mine_ids(actor.account_id))
            if not self._visible(actor, m, post, mine):
                raise NotFound("Not found.")
            thread = await self.session.get(Thread, post.thread_id)
            (view,) = await self._views(actor, [post], thread)
        return view

    # ---- posting ---------------------------------------------------------------------------

    async def start(
        self, actor: Actor, slug: str, title: str, body: str, identity: str = "pseudonym",
        language: str | None = None,
    ) -> Posted:  # fmt: skip
        title = _check_text(title, "title", MAX_TITLE)
        async with unit_of_work(self.session):
            c, m = await community_for(self.session, actor, slug)
            thread = Thread(id=uuid.uuid4(), community_id=c.id, title=title, post_count=0,
                            last_post_at=clock.now())  # fmt: skip
            posted = await self._post(actor, c, m, thread, body, identity, None, language, title)
            (author,) = await self._authors(actor, [thread])
        return Posted(posted.post, posted.concern, ThreadView(thread, title, author, 0))

    async def reply(
        self, actor: Actor, thread_id: uuid.UUID, body: str, identity: str = "pseudonym",
        quote_post_id: uuid.UUID | None = None, language: str | None = None,
    ) -> Posted:  # fmt: skip
        args = (actor, thread_id, body, identity, quote_post_id, language)
        batched = self.batcher is not None and self.batcher.batchable(self.reviewer)
        if batched and self.batcher and not unit_of_work(self.session).active:  # else: join it
            return await self.batcher.reply(self.reviewer, *args)
        return await self.reply_now(*args)

    async def reply_now(
        self, actor: Actor, thread_id: uuid.UUID, body: str, identity: str = "pseudonym",
        quote_post_id: uuid.UUID | None = None, language: str | None = None,
    ) -> Posted:  # fmt: skip
        async with unit_of_work(self.session):
            thread = await self.session.get(Thread, thread_id)
            if thread is None:
                raise NotFound("Not found.")
            c, m = await self._readable(actor, thread.community_id)
            if quote_post_id is not None:
                quoted = await self.session.get(Post, quote_post_id)
                if quoted is None or quoted.thread_id != thread.id or quoted.state != "published":
                    raise InvalidInput("Quote a published post of this thread.",
                                       field="quote_post_id")  # fmt: skip
            return await self._post(actor, c, m, thread, body, identity, quote_post_id, language)

    async def _post(
        self, actor: Actor, c: Community, m: Membership | None, thread: Thread, body: str,
        identity: str, quote_post_id: uuid.UUID | None, language: str | None,
        title: str | None = None,
    ) -> Posted:  # fmt: skip
        body = _check_text(body, "body", MAX_BODY)
        if identity not in IDENTITIES:
            raise InvalidInput("identity must be 'pseudonym' or 'name'.", field="identity")
        m = require_member(m)
        stats = await stats_of(self.session, actor.account_id)
        visited(stats)
        level = relevel(stats, actor)
        if not is_staff(actor, m):
            await check_limits(self.session, actor, c, m, thread, level, title is not None,
                               await self._mine_ids(actor.account_id))  # fmt: skip
        if title is not None:
            self.session.add(thread)
            if identity == "pseudonym":
                thread.pseudonym_id = await self._own_pseudonym(c.id, actor.account_id)
            else:
                thread.author_account_id = actor.account_id
            await self.session.flush()  # the thread's row before its first post's
        now = clock.now()
        seq = thread.post_count + 1
        post = Post(
            id=uuid.uuid4(), thread_id=thread.id, community_id=c.id, seq=seq, body=body,
            quote_post_id=quote_post_id, state="published", created_at=now, badge=_badge(actor, m),
        )  # fmt: skip
        if identity == "pseudonym":
            post.pseudonym_id = await self._own_pseudonym(c.id, actor.account_id)
        else:
            post.author_account_id = actor.account_id
        thread.post_count, thread.last_post_at = seq, now
        self.session.add(post)
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict("Someone posted at the same moment; send it again.",
                           code="busy_thread") from None  # fmt: skip
        review = await self.reviewer.review(self.session, Draft(
            post_id=post.id, thread_id=thread.id, community_id=c.id, community_kind=c.kind,
            author_account_id=actor.account_id, body=body, trust_level=level, title=title,
            language=language,
        ))  # fmt: skip
        if review.body is not None:
            post.body = review.body
        post.state = review.state
        if post.state == "published":
            await _index(self.session, post, title, new=True)
            await self._notify_mentions(actor, c, thread, post)
            await unit_of_work(self.session).publish(PostPublished(
                community_id=c.id, thread_id=thread.id, post_id=post.id, seq=seq))  # fmt: skip
        await self.session.flush()
        (view,) = await self._views(actor, [post], thread, new=True, new_tags=review.tags)
        return Posted(view, review.concern)

    async def _notify_mentions(
        self, actor: Actor, c: Community, thread: Thread, post: Post
    ) -> None:
        names = text.mentions(post.body)[:MAX_MENTIONS]
        if not names:
            return
        members = (await self.session.scalars(select(Membership.account_id).where(
            Membership.community_id == c.id, Membership.status == "active"))).all()  # fmt: skip
        by_name: dict[str, set[uuid.UUID]] = {}
        for account_id, name in (await directory.display_names(self.session, set(members))).items():
            for key in {name.replace(" ", "").casefold(), name.split(" ")[0].casefold()}:
                by_name.setdefault(key, set()).add(account_id)
        told: set[uuid.UUID] = {actor.account_id}
        for name in names:
            pseudonym = await self.session.scalar(select(Pseudonym).where(
                Pseudonym.community_id == c.id, Pseudonym.handle == name))  # fmt: skip
            if pseudonym is not None:
                targets = {uuid.UUID(pseudonym.owner)} & set(members)
            else:
                found = by_name.get(name, set())
                targets = found if len(found) == 1 else set()
            for account_id in targets - told:
                told.add(account_id)
                await unit_of_work(self.session).publish(NotificationRequested(
                    account_id=account_id, kind="community.mention", title=MENTION_TITLE,
                    link=f"/community/threads/{thread.id}#post-{post.seq}",
                ))  # fmt: skip

    # ---- reactions, bookmarks, accepted answer, search -------------------------------------

    async def _readable_post(self, actor: Actor, post_id: uuid.UUID) -> Post:
        post = await self.session.get(Post, post_id)
        if post is None:
            raise NotFound("Not found.")
        await readable(self.session, actor, post.community_id)
        if post.state != "published":
            raise NotFound("Not found.")
        return post

    async def react(self, actor: Actor, post_id: uuid.UUID, kind: str, on: bool) -> PostView:
        if kind not in REACTIONS:
            raise InvalidInput(f"kind must be one of {', '.join(REACTIONS)}.", field="kind")
        async with unit_of_work(self.session):
            post = await self._readable_post(actor, post_id)
            key = (post.id, actor.account_id, kind)
            existing = await self.session.get(Reaction, key)
            if on and existing is None:
                _, m = await readable(self.session, actor, post.community_id)
                require_member(m)
                self.session.add(Reaction(post_id=post.id, account_id=actor.account_id,
                                          kind=kind))  # fmt: skip
            elif not on and existing is not None:
                await self.session.delete(existing)
            await self.session.flush()
            (view,) = await self._views(actor, [post], await self.session.get(
                Thread, post.thread_id))  # fmt: skip
        return view

    async def bookmark(self, actor: Actor, post_id: uuid.UUID, on: bool) -> None:
        async with unit_of_work(self.session):
            post = await self._readable_post(actor, post_id)
            existing = await self.session.get(Bookmark, (post.id, actor.account_id))
            if on and existing is None:
                self.session.add(Bookmark(post_id=post.id, account_id=actor.account_id))
            elif not on and existing is not None:
                await self.session.delete(existing)

    async def bookmarks(self, actor: Actor) -> list[PostView]:
        async with unit_of_work(self.session):
            rows = (await self.session.scalars(
                select(Post).join(Bookmark, Bookmark.post_id == Post.id)
                .where(Bookmark.account_id == actor.account_id, Post.state == "published")
                .order_by(Bookmark.created_at.desc()).limit(PAGE)
            )).all()  # fmt: skip
            kept = []
            for p in rows:  # a community left since: its bookmarks are not shown
                try:
                    await readable(self.session, actor, p.community_id)
                except NotFound:
                    continue
                kept.append(p)
            return await self._views(actor, kept)

    async def accept(
        self, actor: Actor, thread_id: uuid.UUID, post_id: uuid.UUID | None
    ) -> uuid.UUID | None:
        """The asker marks a reply as the accepted answer (or clears it)."""
        async with unit_of_work(self.session):
            thread = await self.session.get(Thread, thread_id)
            if thread is None:
                raise NotFound("Not found.")
            await readable(self.session, actor, thread.community_id)
            (author,) = await self._authors(actor, [thread])
            if not author.mine:
                raise Forbidden("Only the person who asked may accept an answer.",
                                code="not_the_asker")  # fmt: skip
            if post_id is not None:
                post = await self.session.get(Post, post_id)
                if (
                    post is None
                    or post.thread_id != thread.id
                    or post.seq == 1
                    or (post.state != "published")
                ):
                    raise InvalidInput("Accept a published reply of this thread.",
                                       field="post_id")  # fmt: skip
            thread.accepted_post_id = post_id
        return post_id

    async def search(self, actor: Actor, slug: str, q: str) -> list[tuple[ThreadView, PostView]]:
        """Posts of the community that contain every word of ``q`` (whole words)."""
        wanted = list(dict.fromkeys(text.words(q or "")))[: text.MAX_QUERY_TERMS]
        if not wanted:
            raise InvalidInput("Search for at least one word of two letters or more.", field="q")
        hashes = [text.term(w) for w in wanted]
        async with unit_of_work(self.session):
            c, _ = await community_for(self.session, actor, slug)
            await readable(self.session, actor, c.id)
            hits = (
                select(PostTerm.post_id)
                .where(PostTerm.community_id == c.id, PostTerm.term.in_(hashes))
                .group_by(PostTerm.post_id)
                .having(func.count(func.distinct(PostTerm.term)) == len(set(hashes)))
            )
            posts = (await self.session.scalars(
                select(Post).where(Post.id.in_(hits), Post.state == "published")
                .order_by(Post.created_at.desc()).limit(50)
            )).all()  # fmt: skip
            threads = {t.id: t for t in (await self.session.scalars(select(Thread).where(
                Thread.id.in_({p.thread_id for p in posts})))).all()} if posts else {}  # fmt: skip
            views = await self._views(actor, posts)
            thread_authors = await self._authors(actor, [threads[p.thread_id] for p in posts])
        return [
            (ThreadView(threads[p.thread_id], threads[p.thread_id].title, a), v)
            for p, v, a in zip(posts, views, thread_authors, strict=True)
        ]


def _html(post: Post | PostRow) -> str:
    """A shown post's HTML: a page's row from the node's kept HTML (by id and ciphertext)."""
    if isinstance(post, PostRow):
        return posts_html.html(post.id, post.sealed)
    return text.render(post.body)


def _badge(actor: Actor, m: Membership) -> str | None:
    if actor.role is Role.CLINICIAN:
        return "verified_professional"
    if actor.role is Role.PATIENT and m.lived_experience:
        return "lived_experience"
    return None
