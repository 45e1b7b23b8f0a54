"""The moderation side's reviewer (every new post) and the crisis path.

:class:`ModerationReviewer` replaces community's default :class:`PostReviewer` (``setup_moderation``
provides it). For each new post, in the post's own transaction, it:

1. refuses a member silenced or suspended in the community (403 ``silenced``/``suspended``);
2. runs :func:`careverse.community.pipeline.review` with the site's and the community's
   watched words: ``block`` answers 422 naming ``body`` (nothing is stored), ``hold`` keeps the
   post out of sight with its reasons (a :class:`Hold`), a rule's ``flag`` adds a system flag, tags
   (``cw-method``, ``lived-experience``, a rule's tag) are kept on the post;
3. on crisis language, opens a :class:`CrisisCase` (acknowledgement deadline
   ``alert_escalation_minutes`` away), audits ``community.crisis.hold`` and publishes
   :class:`CrisisPostHeld` to the community's facilitators and moderators and the on-call
   clinician; monitoring opens the alert in the same transaction. The writer's answer carries the
   message of concern with the site's crisis resources, in their language.

Who the on-call clinician is (:func:`crisis_recipients`): the site's ``alert_oncall_account_id``
when it is an active clinician; otherwise — never nobody — every active admin and site
moderator. The community's facilitators and moderators are told as well in both cases.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, object_session

from careverse.community import pipeline
from careverse.community.content_rules import ContentRule, apply_rules
from careverse.community.members import STAFF_ROLES
from careverse.community.models import Membership, Post
from careverse.community.moderation_events import CrisisPostEscalated, CrisisPostHeld
from careverse.community.moderation_models import (
    ContentRuleRow,
    CrisisCase,
    Flag,
    Hold,
    Penalty,
    PostTag,
)
from careverse.community.review import Concern, Draft, PostReviewer, Resource, Review
from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import Forbidden, InvalidInput
from careverse.kernel.policy import Role
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)

FALLBACK_ROLES = (Role.ADMIN, Role.MODERATOR)


def concern_for(settings: Settings, language: str | None) -> Concern:
    """The message of concern in the writer's language (Accept-Language), else English."""
    table = settings.community_concern
    chosen = None
    for part in (language or "").split(","):
        code = part.split(";")[0].strip().lower()
        chosen = table.get(code) or table.get(code.split("-")[0])
        if chosen:
            break
    chosen = chosen or table.get("en") or next(iter(table.values()))
    return Concern(
        message=chosen.message,
        resources=[Resource(name=r.name, contact=r.contact, url=r.url) for r in chosen.resources],
    )


# Watched words per community (with the site's), kept per process: every post needs them and
# they change rarely. A change committed on this node clears the cache at once (the mapper events
# below); another node's change is seen within RULES_TTL_SECONDS.
RULES_TTL_SECONDS = 5.0
_rules: dict[uuid.UUID, tuple[float, int, tuple[ContentRule, ...]]] = {}
_rules_generation = [0]
_RULES_CHANGED = "community_rules_changed"


def invalidate_rules() -> None:
    _rules_generation[0] += 1
    _rules.clear()


def _rule_touched(_mapper, _connection, target: ContentRuleRow) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_RULES_CHANGED] = True


for _name in ("after_insert", "after_update", "after_delete"):
    event.listen(ContentRuleRow, _name, _rule_touched)


@event.listens_for(Session, "after_commit")
def _rules_committed(session: Session) -> None:
    if session.info.pop(_RULES_CHANGED, False):
        invalidate_rules()


@event.listens_for(Session, "after_rollback")
def _rules_rolled_back(session: Session) -> None:
    session.info.pop(_RULES_CHANGED, None)


async def rules_for(session: AsyncSession, community_id: uuid.UUID) -> list[ContentRule]:
    now, generation = time.monotonic(), _rules_generation[0]
    hit = _rules.get(community_id)
    if hit is not None and hit[1] == generation and now - hit[0] < RULES_TTL_SECONDS:
        return list(hit[2])
    rules = await _load_rules(session, community_id)
    if generation == _rules_generation[0]:  # not changed while loading
        _rules[community_id] = (now, generation, tuple(rules))
    return rules


async def _load_rules(session: AsyncSession, community_id: uuid.UUID) -> list[ContentRule]:
    rows = await session.scalars(
        select(ContentRuleRow)
        .where(
            (ContentRuleRow.community_id == community_id) | ContentRuleRow.community_id.is_(None)
        )
        .order_by(ContentRuleRow.created_at, ContentRuleRow.id)
    )
    return [ContentRule(r.word, r.action, r.replacement) for r in rows.all()]


async def penalty_in_force(
    session: AsyncSession, community_id: uuid.UUID, account_id: uuid.UUID
) -> Penalty | None:
    """The member's silence or suspension in force in the community, if any (the stricter)."""
    now = clock.now()
    rows = (await session.scalars(
        select(Penalty).where(
            Penalty.community_id == community_id, Penalty.account_id == account_id,
            Penalty.kind.in_(("silence", "suspend")), Penalty.lifted_at.is_(None),
        )
    )).all()  # fmt: skip
    live = [p for p in rows if p.until is None or clock.as_utc(p.until) > now]
    live.sort(key=lambda p: (p.kind != "suspend", p.step))
    return live[0] if live else None


async def oncall(session: AsyncSession, settings: Settings) -> list[uuid.UUID]:
    """The on-call clinician, else every active admin and site moderator (never nobody)."""
    if settings.alert_oncall_account_id:
        try:
            account = uuid.UUID(settings.alert_oncall_account_id)
        except ValueError:
            account = None
        if account and await directory.active_clinician(session, account):
            return [account]
        log.error("community.oncall_not_an_active_clinician")
    return [a.id for a in await directory.active_with_roles(session, FALLBACK_ROLES)]


async def crisis_recipients(
    session: AsyncSession, settings: Settings, community_id: uuid.UUID, author: uuid.UUID
) -> list[uuid.UUID]:
    """The community's facilitators and moderators and the on-call clinician (not the author)."""
    staff = (await session.scalars(
        select(Membership.account_id).where(
            Membership.community_id == community_id, Membership.status == "active",
            Membership.role.in_(STAFF_ROLES),
        ).order_by(Membership.joined_at)
    )).all()  # fmt: skip
    people = [*staff, *await oncall(session, settings)]
    return [p for p in dict.fromkeys(people) if p != author]


async def open_crisis_case(
    session: AsyncSession, settings: Settings, post: Post, author: uuid.UUID,
    reasons: list[str], actor_id: uuid.UUID | None = None,
) -> CrisisCase:  # fmt: skip
    """Hold the post for a human and alert (see the module doc); idempotent per post."""
    case = await session.scalar(select(CrisisCase).where(CrisisCase.post_id == post.id))
    if case is not None and case.status in ("open", "acknowledged"):
        return case
    now = clock.now()
    deadline = now + timedelta(minutes=settings.alert_escalation_minutes)
    if case is None:
        case = CrisisCase(id=uuid.uuid4(), post_id=post.id, community_id=post.community_id,
                          author_account_id=author)  # fmt: skip
        session.add(case)
    case.reasons, case.status, case.opened_at, case.acknowledge_by = (
        json.dumps(reasons), "open", now, deadline)  # fmt: skip
    case.acknowledged_by = case.acknowledged_at = case.escalated_at = None
    case.escalation_claimed_at = case.closed_by = case.closed_at = None
    await session.flush()
    audit.record(
        session, "community.crisis.hold", actor_id=actor_id,
        actor_role=None if actor_id else "system", resource_type="CommunityPost",
        resource_id=post.id, detail={"case": str(case.id), "rules": len(reasons)},
    )  # fmt: skip
    brief = await directory.account(session, author)
    recipients = await crisis_recipients(session, settings, post.community_id, author)
    await unit_of_work(session).publish(CrisisPostHeld(
        case_id=case.id, post_id=post.id, community_id=post.community_id,
        author_account_id=author, author_patient_id=brief.patient_id if brief else None,
        reasons=tuple(reasons), recipients=tuple(recipients), acknowledge_by=deadline.isoformat(),
    ))  # fmt: skip
    return case


async def hold(session: AsyncSession, post: Post, reasons: list[str], crisis: bool = False) -> None:
    """Record why a post is in the queue (merged with any earlier reasons)."""
    row = await session.get(Hold, post.id)
    if row is None:
        row = Hold(post_id=post.id, community_id=post.community_id, reasons="[]", crisis=False,
                   created_at=clock.now())  # fmt: skip
        session.add(row)
    known = json.loads(row.reasons or "[]")
    row.reasons = json.dumps([*known, *(r for r in reasons if r not in known)])
    row.crisis = bool(row.crisis) or crisis
    row.resolved_at = None


def refuse_penalised(penalty) -> None:
    """A silence or suspension in force refuses the post (403), saying until when."""
    until = clock.as_utc(penalty.until).isoformat() if penalty.until else "further notice"
    word = "silenced" if penalty.kind == "silence" else "suspended"
    raise Forbidden(f"You are {word} in this community until {until}.", code=word)


def refuse_blocked(verdict) -> None:
    """A watched word whose action is ``block`` refuses the post (422), naming the words."""
    if verdict.action != "block":
        return
    words = [r.rsplit(":", 1)[-1] for r in verdict.reasons if r.startswith("watched-word:block")]
    raise InvalidInput(
        f"This post uses words this community does not allow: {', '.join(words)}.",
        field="body", code="blocked_words",
    )  # fmt: skip


class ModerationReviewer(PostReviewer):
    """The full reviewer: watched words from the tables, penalties, holds, the crisis path."""

    def __init__(self, settings: Settings):
        self.settings = settings

    async def review(self, session: AsyncSession, draft: Draft) -> Review:
        penalty = await penalty_in_force(session, draft.community_id, draft.author_account_id)
        if penalty is not None:
            refuse_penalised(penalty)
        text = draft.body if draft.title is None else f"{draft.title}\n\n{draft.body}"
        rules = await rules_for(session, draft.community_id)
        verdict = pipeline.review(text, community_kind=draft.community_kind,
                                  trust_level=draft.trust_level, rules=rules)  # fmt: skip
        refuse_blocked(verdict)
        post = await session.get(Post, draft.post_id)
        assert post is not None
        body = None
        if draft.title is None and verdict.text != draft.body:
            body = verdict.text
        elif draft.title is not None:
            body = apply_rules(draft.body, rules).text  # the title is not rewritten
        for tag in verdict.tags:
            session.add(PostTag(post_id=post.id, tag=tag[:40]))
        if verdict.flag:
            session.add(Flag(id=uuid.uuid4(), post_id=post.id, community_id=post.community_id,
                             flagger_id=None, reason="system", weight=0, status="open",
                             created_at=clock.now()))  # fmt: skip
        concern = None
        if verdict.action == "hold":
            await hold(session, post, verdict.reasons, crisis=verdict.crisis is not None)
        if verdict.crisis is not None:
            await open_crisis_case(session, self.settings, post, draft.author_account_id,
                                   verdict.crisis.reasons)  # fmt: skip
            concern = concern_for(self.settings, draft.language)
        state = "held" if verdict.action == "hold" else "published"
        return Review(state=state, body=body, concern=concern, reasons=tuple(verdict.reasons),
                      tags=tuple(dict.fromkeys(t[:40] for t in verdict.tags)))  # fmt: skip


# ---- escalation ---------------------------------------------------------------------------------


async def escalate_crisis_cases(db: Database, settings: Settings) -> int:
    """Escalate every crisis case still open past its deadline to the whole on-call group
    (the on-call clinician, every admin and site moderator): each case once, by one node."""
    now = clock.now()
    async with db.session() as session, unit_of_work(session):
        due = (await session.scalars(
            select(CrisisCase.id).where(
                CrisisCase.status == "open", CrisisCase.escalation_claimed_at.is_(None),
                CrisisCase.acknowledge_by <= now,
            ).limit(100)
        )).all()  # fmt: skip
        claimed = []
        for case_id in due:
            result = await session.execute(
                update(CrisisCase)
                .where(CrisisCase.id == case_id, CrisisCase.escalation_claimed_at.is_(None))
                .values(escalation_claimed_at=now)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(case_id)
    for case_id in claimed:
        async with db.session() as session, unit_of_work(session) as uow:
            case = await session.get(CrisisCase, case_id)
            if case is None or case.status != "open":
                continue
            wider = await oncall(session, settings)
            if settings.alert_oncall_account_id:  # the on-call clinician and the site's staff
                wider += [a.id for a in await directory.active_with_roles(session, FALLBACK_ROLES)]
            case.escalated_at = now
            audit.record(session, "community.crisis.escalate", actor_role="system",
                         resource_type="CommunityPost", resource_id=case.post_id,
                         detail={"case": str(case.id)})  # fmt: skip
            await uow.publish(CrisisPostEscalated(
                case_id=case.id, post_id=case.post_id, community_id=case.community_id,
                recipients=tuple(dict.fromkeys(wider)),
            ))  # fmt: skip
    return len(claimed)


async def escalate_forever(db: Database, settings: Settings) -> None:
    """The escalation job: every ``community_crisis_check_seconds``."""
    while True:
        try:
            await escalate_crisis_cases(db, settings)
        except Exception as exc:  # keep the loop alive; the next run retries
            log.error("community.crisis_escalation_failed", error=type(exc).__name__)
        await clock.sleep(settings.community_crisis_check_seconds)


def deadline_of(case: CrisisCase) -> datetime | None:
    return clock.as_utc(case.acknowledge_by) if case.status == "open" else None
