"""A batch of replies in one transaction (see :mod:`careverse.community.batching`).

The same rules, in the same order, as ``ThreadService.reply_now`` followed by
``ModerationReviewer.review`` for each reply, with what they read fetched once for the batch:

1. reads (one query each, whatever the batch's size): the threads, their communities, the
   callers' memberships and pseudonyms, trust statistics, penalties in force, quoted posts and
   the posts of the last hour that count against each caller's rate limit;
2. checks, reply by reply in arrival order: the thread, the read policy, the quote, the body,
   the identity, membership, the rate limit per level and slow mode (counting the replies of the
   batch accepted before it), the penalty, the watched words and the pipeline (crisis screen,
   abuse score, patient details in a professional community); a refusal is that reply's answer;
3. writes, for the accepted replies, in order: trust statistics, pseudonyms made on first use,
   the posts (places in their threads taken in order), tags, system flags, holds, crisis cases
   (``open_crisis_case``: audited, alerted), search terms (one insert), mentions and the live
   ``PostPublished`` events; one commit, then the events are dispatched.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import pipeline, text, trust
from careverse.community.events import PostPublished
from careverse.community.limits import _retry, _wait
from careverse.community.members import (
    ADJECTIVES,
    NOUNS,
    is_staff,
    may_read,
    owner_index,
    relevel,
    require_member,
    visited,
)
from careverse.community.models import (
    Community,
    Membership,
    MemberStats,
    Post,
    PostTerm,
    Pseudonym,
    Thread,
)
from careverse.community.moderation_events import CrisisPostHeld
from careverse.community.moderation_models import CrisisCase, Flag, Hold, Penalty, PostTag
from careverse.community.moderation_review import (
    concern_for,
    crisis_recipients,
    refuse_blocked,
    refuse_penalised,
    rules_for,
)
from careverse.community.posts import (
    IDENTITIES,
    MAX_BODY,
    Posted,
    PostView,
    ThreadService,
    _badge,
    _check_text,
)
from careverse.community.review import Concern, PostReviewer
from careverse.identity import directory
from careverse.kernel import audit, clock, crypto
from careverse.kernel.config import Settings
from careverse.kernel.errors import DomainError, InvalidInput, NotFound, TooManyRequests
from careverse.kernel.policy import Actor, Role, require_full_scope
from careverse.kernel.uow import unit_of_work

HOUR = timedelta(hours=1)


@dataclass(slots=True)
class Request:
    """One reply waiting for the committer (the arguments of ``ThreadService.reply``)."""

    actor: Actor
    thread_id: uuid.UUID
    body: str
    identity: str
    quote_post_id: uuid.UUID | None
    language: str | None
    reviewer: PostReviewer
    future: asyncio.Future[Posted] = field(repr=False)


@dataclass
class Timings:
    """Where the committer's time went (seconds, summed over batches): for the bench."""

    batches: int = 0
    posts: int = 0
    fallbacks: int = 0
    stages: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds

    def clear(self) -> None:
        self.batches = self.posts = self.fallbacks = 0
        self.stages.clear()


@dataclass(slots=True)
class _Accepted:
    index: int
    request: Request
    thread: Thread
    community: Community
    membership: Membership
    body: str
    level: int
    verdict: pipeline.Verdict


@dataclass(slots=True)
class _Reads:
    threads: dict[uuid.UUID, Thread]
    communities: dict[uuid.UUID, Community]
    stats: dict[uuid.UUID, MemberStats]
    penalties: dict[tuple[uuid.UUID, uuid.UUID], list[Penalty]]
    quoted: dict[uuid.UUID, Post]
    hour: dict[uuid.UUID, tuple[int, datetime | None]]  # posts in the last hour, the oldest


async def post_batch(
    session: AsyncSession, batch: Sequence[Request], timings: Timings
) -> list[Posted | DomainError]:
    """Post ``batch`` in one transaction; each answer is a ``Posted`` or that reply's refusal.
    Any other error propagates with nothing written (the caller posts each reply alone)."""
    reviewer = batch[0].reviewer
    service = ThreadService(session, reviewer)
    answers: list[Posted | DomainError | None] = [None] * len(batch)
    async with unit_of_work(session) as uow:
        t0 = time.perf_counter()
        now = clock.now()
        reads = await _read(session, service, batch, now)
        t1 = time.perf_counter()
        accepted: list[_Accepted] = []
        in_batch: dict[uuid.UUID, list[_Accepted]] = {}
        for i, request in enumerate(batch):
            try:
                ok = await _check(session, service, reads, request, i, now, in_batch)
            except DomainError as refusal:
                answers[i] = refusal
                continue
            accepted.append(ok)
            in_batch.setdefault(request.actor.account_id, []).append(ok)
        t2 = time.perf_counter()
        posts = await _write_posts(session, service, reads, accepted, now)
        t3 = time.perf_counter()
        settings = reviewer.settings  # type: ignore[attr-defined]  # a ModerationReviewer
        terms: list[dict] = []
        reviews: list[tuple[str, tuple[str, ...], Concern | None]] = []
        crises: list[tuple[Post, uuid.UUID, list[str]]] = []
        for ok, post in zip(accepted, posts, strict=True):
            verdict = ok.verdict
            for tag in verdict.tags:
                session.add(PostTag(post_id=post.id, tag=tag[:40]))
            if verdict.flag:
                session.add(Flag(id=uuid.uuid4(), post_id=post.id, community_id=post.community_id,
                                 flagger_id=None, reason="system", weight=0, status="open",
                                 created_at=clock.now()))  # fmt: skip
            concern = None
            if verdict.action == "hold":  # a new post: no earlier reasons to merge with
                session.add(Hold(post_id=post.id, community_id=post.community_id,
                                 reasons=json.dumps(list(verdict.reasons)),
                                 crisis=verdict.crisis is not None,
                                 created_at=clock.now()))  # fmt: skip
            if verdict.crisis is not None:
                crises.append((post, ok.request.actor.account_id, verdict.crisis.reasons))
                concern = concern_for(settings, ok.request.language)
            tags = tuple(dict.fromkeys(t[:40] for t in verdict.tags))
            reviews.append((post.state, tags, concern))
            if post.state == "published":
                terms += [{"post_id": post.id, "term": t, "community_id": post.community_id}
                          for t in _terms(post.body)]  # fmt: skip
        if crises:
            await _open_crisis_cases(session, settings, crises)
        t4 = time.perf_counter()
        await session.flush()
        if terms:
            await session.execute(insert(PostTerm), terms)
        for ok, post in zip(accepted, posts, strict=True):
            if post.state == "published":
                await service._notify_mentions(ok.request.actor, ok.community, ok.thread, post)
                await uow.publish(PostPublished(community_id=ok.community.id,
                                                thread_id=ok.thread.id, post_id=post.id,
                                                seq=post.seq))  # fmt: skip
        await session.flush()
        t5 = time.perf_counter()
        for ok, post, (_state, tags, concern) in zip(accepted, posts, reviews, strict=True):
            (view,) = await service._views(ok.request.actor, [post], ok.thread, new=True,
                                           new_tags=tags)  # fmt: skip
            answers[ok.index] = _posted(view, concern)
        t6 = time.perf_counter()
    t7 = time.perf_counter()
    for stage, seconds in (("reads", t1 - t0), ("checks_and_pipeline", t2 - t1),
                           ("insert_posts", t3 - t2), ("holds_crisis_cases", t4 - t3),
                           ("terms_mentions_events", t5 - t4), ("views", t6 - t5),
                           ("commit_and_dispatch", t7 - t6)):  # fmt: skip
        timings.add(stage, seconds)
    assert all(a is not None for a in answers)
    return answers  # type: ignore[return-value]


_TERMS: dict[tuple[bytes, str], str] = {}
TERMS_KEPT = 50_000


def _terms(body: str) -> set[str]:
    """``text.terms``, with each word's blind index kept per process (by the key ring's index
    key, so a new ring never meets an old term): an HMAC a word is most of indexing a post."""
    key = crypto.keyring().index_key
    out = set()
    for word in text.words(body):
        found = _TERMS.get((key, word))
        if found is None:
            if len(_TERMS) >= TERMS_KEPT:
                _TERMS.clear()
            found = _TERMS[(key, word)] = text.term(word)
        out.add(found)
    return out


def _posted(view: PostView, concern: Concern | None) -> Posted:
    return Posted(view, concern)


async def _read(session: AsyncSession, service, batch: Sequence[Request], now: datetime) -> _Reads:
    accounts = list(dict.fromkeys(r.actor.account_id for r in batch))
    threads = {t.id: t for t in (await session.scalars(
        select(Thread).where(Thread.id.in_({r.thread_id for r in batch})))).all()}  # fmt: skip
    community_ids = {t.community_id for t in threads.values()}
    communities = {c.id: c for c in (await session.scalars(
        select(Community).where(Community.id.in_(community_ids)))).all()}  # fmt: skip
    memberships: dict[uuid.UUID, list[Membership]] = {a: [] for a in accounts}
    for m in (await session.scalars(
        select(Membership).where(Membership.account_id.in_(accounts)))).all():  # fmt: skip
        memberships[m.account_id].append(m)
    service._memberships.update(memberships)
    indexes = {owner_index(m.community_id, a): a for a, ms in memberships.items() for m in ms}
    mine: dict[uuid.UUID, list[uuid.UUID]] = {a: [] for a in accounts}
    if indexes:
        for row in (await session.scalars(
            select(Pseudonym).where(Pseudonym.owner_index.in_(list(indexes))))).all():  # fmt: skip
            account = indexes[row.owner_index]
            service._own.setdefault((row.community_id, account), row)
            mine[account].append(row.id)
    service._mine.update(mine)
    stats = {s.account_id: s for s in (await session.scalars(
        select(MemberStats).where(MemberStats.account_id.in_(accounts)))).all()}  # fmt: skip
    penalties: dict[tuple[uuid.UUID, uuid.UUID], list[Penalty]] = {}
    for p in (await session.scalars(select(Penalty).where(
        Penalty.account_id.in_(accounts), Penalty.kind.in_(("silence", "suspend")),
        Penalty.lifted_at.is_(None),
    ))).all():  # fmt: skip
        penalties.setdefault((p.community_id, p.account_id), []).append(p)
    quote_ids = {r.quote_post_id for r in batch if r.quote_post_id is not None}
    quoted = {p.id: p for p in (await session.scalars(
        select(Post).where(Post.id.in_(quote_ids)))).all()} if quote_ids else {}  # fmt: skip
    # The rate limit's count: each caller's posts of the last hour (by account or pseudonym).
    owner_of = {pid: a for a, ids in mine.items() for pid in ids}
    hour: dict[uuid.UUID, tuple[int, datetime | None]] = {a: (0, None) for a in accounts}
    who = [Post.author_account_id.in_(accounts)]
    if owner_of:
        who.append(Post.pseudonym_id.in_(list(owner_of)))
    for author, pseudonym, n, oldest in (await session.execute(
        select(Post.author_account_id, Post.pseudonym_id, func.count(), func.min(Post.created_at))
        .where(or_(*who), Post.created_at > now - HOUR)
        .group_by(Post.author_account_id, Post.pseudonym_id)
    )).all():  # fmt: skip
        account = author if author in hour else owner_of.get(pseudonym) if pseudonym else None
        if account is None:
            continue
        count, first = hour[account]
        oldest = clock.as_utc(oldest)
        hour[account] = (count + n, oldest if first is None or oldest < first else first)
    return _Reads(threads, communities, stats, penalties, quoted, hour)


def _level(stats: MemberStats | None, actor: Actor, today: str) -> int:
    """The trust level ``visited`` then ``relevel`` would give (without changing the row)."""
    posts_read = (stats.posts_read or 0) if stats else 0
    days = (stats.days_visited or 0) if stats else 0
    if stats is None or stats.last_visit_on != today:
        days += 1
    standing = bool(stats.good_standing) if stats is not None else True
    return trust.earned(posts_read, days, standing, clinician=actor.role is Role.CLINICIAN)


async def _check(
    session: AsyncSession, service, reads: _Reads, request: Request, index: int, now: datetime,
    in_batch: dict[uuid.UUID, list[_Accepted]],
) -> _Accepted:  # fmt: skip
    """Every check of one reply, in the order of the ordinary path; raises its refusal."""
    actor = request.actor
    thread = reads.threads.get(request.thread_id)
    if thread is None:
        raise NotFound("Not found.")
    require_full_scope(actor)
    community = reads.communities.get(thread.community_id)
    if community is None:
        raise NotFound("Not found.")
    m = next((m for m in service._memberships[actor.account_id]
              if m.community_id == community.id), None)  # fmt: skip
    if not may_read(actor, community, m):
        raise NotFound("Not found.")
    if request.quote_post_id is not None:
        quoted = reads.quoted.get(request.quote_post_id)
        if quoted is None or quoted.thread_id != thread.id or quoted.state != "published":
            raise InvalidInput("Quote a published post of this thread.", field="quote_post_id")
    body = _check_text(request.body, "body", MAX_BODY)
    if request.identity not in IDENTITIES:
        raise InvalidInput("identity must be 'pseudonym' or 'name'.", field="identity")
    m = require_member(m)
    level = _level(reads.stats.get(actor.account_id), actor, now.date().isoformat())
    earlier = in_batch.get(actor.account_id, [])
    if not is_staff(actor, m):
        await _limits(session, service, reads, actor, community, m, thread, level, earlier, now)
    _penalty(reads, community.id, actor.account_id)
    rules = await rules_for(session, community.id)
    verdict = pipeline.review(body, community_kind=community.kind, trust_level=level, rules=rules)
    refuse_blocked(verdict)
    return _Accepted(index, request, thread, community, m, body, level, verdict)


async def _limits(
    session: AsyncSession, service, reads: _Reads, actor: Actor, c: Community, m: Membership,
    thread: Thread, level: int, earlier: list[_Accepted], now: datetime,
) -> None:  # fmt: skip
    """``limits.check_limits`` for a reply, counting this batch's earlier accepted replies."""
    allowed = trust.limits(level)
    n, oldest = reads.hour[actor.account_id]
    n += len(earlier)
    if earlier and oldest is None:
        oldest = now
    if n >= allowed.posts_per_hour:
        assert oldest is not None
        retry = _retry(oldest + HOUR - now)
        raise TooManyRequests(
            f"At your trust level ({allowed.name}) you may write {allowed.posts_per_hour} "
            f"posts an hour. You can post again in {_wait(retry)}.", retry,
        )  # fmt: skip
    mine_ids = service._mine[actor.account_id]
    slow = [(thread.slow_seconds, thread.slow_until, Post.thread_id == thread.id, "topic",
             [e for e in earlier if e.thread.id == thread.id])]  # fmt: skip
    slow.append((m.slow_seconds, m.slow_until, Post.community_id == c.id, "community",
                 [e for e in earlier if e.community.id == c.id]))  # fmt: skip
    for seconds, until, where, what, same in slow:
        if not seconds or (until is not None and clock.as_utc(until) <= now):
            continue
        if same:
            last: datetime | None = now
        else:
            mine = or_(Post.author_account_id == actor.account_id, Post.pseudonym_id.in_(mine_ids))
            last = await session.scalar(select(func.max(Post.created_at)).where(mine, where))
        if last is not None and now - clock.as_utc(last) < timedelta(seconds=seconds):
            retry = _retry(clock.as_utc(last) + timedelta(seconds=seconds) - now)
            raise TooManyRequests(
                f"Slow mode is on in this {what}: one post every {_wait(seconds)}. "
                f"You can post again in {_wait(retry)}.", retry,
            )  # fmt: skip


def _penalty(reads: _Reads, community_id: uuid.UUID, account_id: uuid.UUID) -> None:
    """``ModerationReviewer``'s first step: a silence or suspension in force refuses (403)."""
    now = clock.now()
    rows = reads.penalties.get((community_id, account_id), [])
    live = [p for p in rows if p.until is None or clock.as_utc(p.until) > now]
    live.sort(key=lambda p: (p.kind != "suspend", p.step))
    if live:
        refuse_penalised(live[0])


async def _write_posts(
    session: AsyncSession, service, reads: _Reads, accepted: list[_Accepted], now: datetime
) -> list[Post]:
    """Statistics, pseudonyms and the posts of the accepted replies, in order; one flush."""
    await _new_pseudonyms(session, service, accepted)
    posts = []
    for ok in accepted:
        actor = ok.request.actor
        stats = reads.stats.get(actor.account_id)
        if stats is None:
            stats = MemberStats(account_id=actor.account_id, posts_read=0, days_visited=0,
                                good_standing=True, trust_level=0)  # fmt: skip
            session.add(stats)
            reads.stats[actor.account_id] = stats
        visited(stats, now.date())
        relevel(stats, actor)
        post = Post(
            id=uuid.uuid4(), thread_id=ok.thread.id, community_id=ok.community.id,
            seq=ok.thread.post_count + 1, body=ok.body, quote_post_id=ok.request.quote_post_id,
            state="published", created_at=now, badge=_badge(actor, ok.membership),
        )  # fmt: skip
        if ok.request.identity == "pseudonym":
            post.pseudonym_id = service._own[(ok.community.id, actor.account_id)].id
        else:
            post.author_account_id = actor.account_id
        ok.thread.post_count, ok.thread.last_post_at = post.seq, now
        if ok.verdict.text != ok.body:  # censored or replaced words
            post.body = ok.verdict.text
        post.state = "held" if ok.verdict.action == "hold" else "published"
        session.add(post)
        posts.append(post)
    await session.flush()
    return posts


async def _open_crisis_cases(
    session: AsyncSession, settings: Settings, crises: list[tuple[Post, uuid.UUID, list[str]]]
) -> None:
    """``moderation_review.open_crisis_case`` for posts written in this batch (none has a case
    yet): each post held gets its case with an acknowledgement deadline, its audit row
    (``community.crisis.hold``) and its ``CrisisPostHeld`` to the community's staff and the
    on-call clinician (the alert path); the recipients are read once per community."""
    now = clock.now()
    deadline = now + timedelta(minutes=settings.alert_escalation_minutes)
    cases = []
    for post, author, reasons in crises:
        case = CrisisCase(id=uuid.uuid4(), post_id=post.id, community_id=post.community_id,
                          author_account_id=author, reasons=json.dumps(reasons), status="open",
                          opened_at=now, acknowledge_by=deadline)  # fmt: skip
        session.add(case)
        cases.append(case)
    await session.flush()
    staff: dict[uuid.UUID, list[uuid.UUID]] = {}
    for (post, author, reasons), case in zip(crises, cases, strict=True):
        audit.record(
            session, "community.crisis.hold", actor_id=None, actor_role="system",
            resource_type="CommunityPost", resource_id=post.id,
            detail={"case": str(case.id), "rules": len(reasons)},
        )  # fmt: skip
        brief = await directory.account(session, author)
        if post.community_id not in staff:  # everyone but an author: the author is left out below
            staff[post.community_id] = await crisis_recipients(
                session, settings, post.community_id, uuid.UUID(int=0))  # fmt: skip
        recipients = [p for p in staff[post.community_id] if p != author]
        await unit_of_work(session).publish(CrisisPostHeld(
            case_id=case.id, post_id=post.id, community_id=post.community_id,
            author_account_id=author, author_patient_id=brief.patient_id if brief else None,
            reasons=tuple(reasons), recipients=tuple(recipients),
            acknowledge_by=deadline.isoformat(),
        ))  # fmt: skip


async def _new_pseudonyms(session: AsyncSession, service, accepted: list[_Accepted]) -> None:
    """``members.pseudonym_for`` for every caller posting under a pseudonym for the first time
    in a community (a random handle not taken there), with one read of the taken handles."""
    wanted = list(dict.fromkeys(
        (ok.community.id, ok.request.actor.account_id) for ok in accepted
        if ok.request.identity == "pseudonym"
        and (ok.community.id, ok.request.actor.account_id) not in service._own
    ))  # fmt: skip
    if not wanted:
        return
    taken: dict[uuid.UUID, set[str]] = {c: set() for c, _ in wanted}
    for community_id, handle in (await session.execute(
        select(Pseudonym.community_id, Pseudonym.handle)
        .where(Pseudonym.community_id.in_(list(taken)))
    )).all():  # fmt: skip
        taken[community_id].add(handle)
    for community_id, account_id in wanted:
        while True:
            handle = (
                f"{secrets.choice(ADJECTIVES)}-{secrets.choice(NOUNS)}-{secrets.randbelow(90) + 10}"
            )
            if handle not in taken[community_id]:
                break
        taken[community_id].add(handle)
        row = Pseudonym(
            id=uuid.uuid4(), community_id=community_id, handle=handle,
            owner_index=owner_index(community_id, account_id), owner=str(account_id),
        )  # fmt: skip
        session.add(row)
        service._own[(community_id, account_id)] = row
        service._mine.setdefault(account_id, []).append(row.id)
    await session.flush()  # before the posts that name them
