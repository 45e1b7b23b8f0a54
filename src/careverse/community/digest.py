"""The community e-mail digest: a periodic count of what is new for a member, with no health data.

A member chooses a digest (``daily`` or ``weekly``; none by default — an e-mail about one's
support groups is something to ask for, not to receive unasked). The digest counts, since the
last one: mentions of them, replies in topics they opened, and new topics in the communities they
belong to. The e-mail says only those counts and links to the app: no post text, no titles, no
community names (a community called "Type 2 diabetes" in an inbox is health data), no handles.

The job ``community.digest`` (every ``community_digest_check_seconds``) sends each due digest
once across nodes: a node claims a member's digest by moving its ``due_at`` forward with a
compare-and-set on the old value, so of two nodes one wins. Nothing is sent when nothing is new,
or when the node has no SMTP. Mentions are counted as they happen (``NotificationRequested`` of
kind ``community.mention``), because the notices themselves live in the messaging inbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, delete, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.digest_models import DigestChoice
from careverse.community.members import pseudonym_ids
from careverse.community.models import Membership, Post, Thread
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.actor import Actor, require_full_scope
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import InvalidInput
from careverse.kernel.i18n import list_of, translate
from careverse.kernel.mail import Mailer
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.uow import unit_of_work
from careverse.privacy.events import AccountErasureDue

log = structlog.get_logger(__name__)

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
FREQUENCIES = ("off", *PERIODS)
SUBJECT = translate(None, "digest.subject")  # in English; each member's in their language
BATCH = 100


@dataclass(frozen=True)
class Counts:
    mentions: int = 0
    replies: int = 0
    topics: int = 0

    @property
    def total(self) -> int:
        return self.mentions + self.replies + self.topics


@dataclass(frozen=True)
class Choice:
    frequency: str  # off|daily|weekly
    next_at: datetime | None


# ---- the member's choice -----------------------------------------------------------------------


async def current(session: AsyncSession, actor: Actor) -> Choice:
    row = await session.get(DigestChoice, actor.account_id)
    return Choice("off", None) if row is None else Choice(row.frequency, clock.as_utc(row.due_at))


async def choose(session: AsyncSession, actor: Actor, frequency: str) -> Choice:
    """Set the caller's own digest (``off`` deletes it); audited without health data."""
    require_full_scope(actor)
    if frequency not in FREQUENCIES:
        raise InvalidInput(f"frequency must be one of {', '.join(FREQUENCIES)}.", field="frequency")
    now = clock.now()
    async with unit_of_work(session):
        row = await session.get(DigestChoice, actor.account_id)
        if frequency == "off":
            if row is not None:
                await session.delete(row)
        elif row is None:
            due = now + PERIODS[frequency]
            session.add(DigestChoice(account_id=actor.account_id, frequency=frequency,
                                     due_at=due, since=now, mentions=0))  # fmt: skip
        elif row.frequency != frequency:
            row.frequency, row.due_at = frequency, clock.as_utc(row.since) + PERIODS[frequency]
        audit.record(session, "community.digest.choose", actor=actor, resource_type="Account",
                     resource_id=actor.account_id, detail={"frequency": frequency})  # fmt: skip
    return await current(session, actor)


# ---- counting ----------------------------------------------------------------------------------


async def count(
    session: AsyncSession, account_id: uuid.UUID, since: datetime, until: datetime
) -> tuple[int, int]:
    """(replies in topics they opened, new topics in their communities) in ``[since, until)``,
    published and written by someone else."""
    mine = await pseudonym_ids(session, account_id)
    not_mine_post = and_(
        or_(Post.author_account_id.is_(None), Post.author_account_id != account_id),
        or_(Post.pseudonym_id.is_(None), Post.pseudonym_id.not_in(mine)) if mine else true(),
    )
    in_window = and_(Post.state == "published", Post.created_at >= since, Post.created_at < until)
    opened = or_(Thread.author_account_id == account_id,
                 Thread.pseudonym_id.in_(mine) if mine else false())  # fmt: skip
    replies = await session.scalar(
        select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
        .where(opened, Post.seq > 1, in_window, not_mine_post)
    )  # fmt: skip
    theirs = select(Membership.community_id).where(
        Membership.account_id == account_id, Membership.status == "active"
    )
    topics = await session.scalar(
        select(func.count(Post.id))
        .where(Post.seq == 1, Post.community_id.in_(theirs), in_window, not_mine_post)
    )  # fmt: skip
    return int(replies or 0), int(topics or 0)


def message(counts: Counts, public_url: str, language: str | None = None) -> str:
    """The e-mail's whole text: counts and a link, nothing about what was said or where, in the
    member's language."""
    parts = [
        translate(language, key, count=n)
        for n, key in ((counts.replies, "digest.replies"), (counts.mentions, "digest.mentions"),
                       (counts.topics, "digest.topics"))
        if n
    ]  # fmt: skip
    link = f"{public_url.rstrip('/')}/community"
    return translate(language, "digest.body", items=list_of(language, parts), link=link)


# ---- the job -----------------------------------------------------------------------------------


async def send_due(db: Database, settings: Settings, mailer: Mailer) -> int:
    """Send every digest due now, each once across nodes; answers how many e-mails left."""
    if not mailer.configured:
        return 0
    now = clock.now()
    async with db.session() as session:
        due = (await session.execute(
            select(DigestChoice.account_id, DigestChoice.due_at)
            .where(DigestChoice.due_at <= now).order_by(DigestChoice.due_at).limit(BATCH)
        )).all()  # fmt: skip
    sent = 0
    for account_id, due_at in due:
        outgoing = await _claim(db, account_id, due_at, now)
        if outgoing is None:
            continue
        address, counts, language = outgoing
        subject = translate(language, "digest.subject")
        if await mailer.send(address, subject, message(counts, settings.public_url, language)):
            sent += 1
    return sent


async def _claim(
    db: Database, account_id: uuid.UUID, due_at: datetime, now: datetime
) -> tuple[str, Counts, str | None] | None:
    """Claim one member's digest (compare-and-set on ``due_at``), count its window and move it
    on; the address and counts to send, or None (another node had it, or nothing is new)."""
    async with db.session() as session, unit_of_work(session):
        row = await session.get(DigestChoice, account_id)
        if row is None:
            return None
        since, mentions = clock.as_utc(row.since), row.mentions  # before the claim updates them
        period = PERIODS.get(row.frequency, PERIODS["weekly"])
        following = clock.as_utc(due_at) + period
        if following <= now:  # the node was down for a while: the next one a period from now
            following = now + period
        claimed = await session.execute(
            update(DigestChoice)
            .where(DigestChoice.account_id == account_id, DigestChoice.due_at == due_at)
            .values(due_at=following, since=now, mentions=0)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        replies, topics = await count(session, account_id, since, now)
        counts = Counts(mentions=mentions, replies=replies, topics=topics)
        address = await directory.account_email(session, account_id)
        if counts.total == 0 or address is None:
            return None
        audit.record(session, "community.digest.send", actor_role="system",
                     resource_type="Account", resource_id=account_id)  # fmt: skip
        person = await directory.account(session, account_id)
    return address, counts, person.preferred_language if person else None


async def digest_forever(db: Database, settings: Settings, mailer: Mailer) -> None:
    """The digest job: every ``community_digest_check_seconds``."""
    while True:
        try:
            await send_due(db, settings, mailer)
        except Exception as exc:  # keep the loop alive; the next run retries
            log.error("community.digest_failed", error=type(exc).__name__)
        await clock.sleep(settings.community_digest_check_seconds)


# ---- events ------------------------------------------------------------------------------------


async def count_mention(event: NotificationRequested, session: AsyncSession) -> None:
    """A mention, in its post's transaction: one more for the member's next digest, if any."""
    if event.kind != "community.mention":
        return
    await session.execute(
        update(DigestChoice)
        .where(DigestChoice.account_id == event.account_id)
        .values(mentions=DigestChoice.mentions + 1)
    )


async def erase_digest(event: AccountErasureDue, session: AsyncSession) -> None:
    """Erasure: the member's digest choice and its state go."""
    await session.execute(delete(DigestChoice).where(DigestChoice.account_id == event.account_id))
