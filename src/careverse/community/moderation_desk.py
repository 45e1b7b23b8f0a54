"""Moderation, continued: appeals by members, watched words, and crisis cases (acknowledge,
release a false positive in one click, keep held). See :mod:`careverse.community.moderation`."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careverse.community.content_rules import RuleError, validate
from careverse.community.members import community_for, is_staff, stats_of
from careverse.community.models import Community, Post
from careverse.community.moderation import (
    APPEALABLE,
    SITE_STAFF,
    ModerationService,
    Target,
    _iso,
    bounded_text,
)
from careverse.community.moderation_models import (
    Appeal,
    ContentRuleRow,
    CrisisCase,
    ModAction,
    Penalty,
)
from careverse.community.post_state import set_state
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.policy import Actor, require_full_scope
from careverse.kernel.uow import unit_of_work

OUTCOMES = ("upheld", "overturned")


class ModerationDesk(ModerationService):
    # ---- appeals --------------------------------------------------------------------------

    async def about_me(self, actor: Actor) -> list[dict]:
        """The moderation actions about the caller (what they can appeal), newest first."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            rows = (await self.session.scalars(
                select(ModAction).where(ModAction.subject_account_id == actor.account_id)
                .order_by(ModAction.created_at.desc()).limit(200))).all()  # fmt: skip
            return [await self._action_json(r) for r in rows]

    async def appeal(self, actor: Actor, action_id: uuid.UUID, text: str) -> dict:
        words = bounded_text(text, "text", 2000)
        require_full_scope(actor)
        async with unit_of_work(self.session):
            action = await self.session.get(ModAction, action_id)
            if action is None or action.subject_account_id != actor.account_id:
                raise NotFound("Not found.")
            if action.action not in APPEALABLE:
                raise Conflict("This action cannot be appealed.", code="not_appealable")
            row = Appeal(id=uuid.uuid4(), action_id=action.id, account_id=actor.account_id,
                         text=words, status="open", created_at=clock.now())  # fmt: skip
            self.session.add(row)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict("You have appealed this already.", code="appealed") from None
            audit.record(self.session, "community.appeal", actor=actor, resource_type="Appeal",
                         resource_id=row.id, detail={"log": str(action.id)})  # fmt: skip
        return {"id": str(row.id), "status": "open"}

    async def appeals(self, actor: Actor) -> list[dict]:
        """Open appeals in the communities the caller moderates (who appealed is not shown)."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            communities = await self._staff_communities(actor)
            if communities == []:
                raise Forbidden("You moderate no community.", code="not_community_staff")
            query = (select(Appeal, ModAction).join(ModAction, ModAction.id == Appeal.action_id)
                     .where(Appeal.status == "open"))  # fmt: skip
            if communities is not None:
                query = query.where(ModAction.community_id.in_(communities))
            rows = (await self.session.execute(query.order_by(Appeal.created_at))).all()
            out = []
            for appeal, action in rows:
                out.append({"id": str(appeal.id), "text": appeal.text, "status": appeal.status,
                            "created_at": _iso(appeal.created_at),
                            "action": await self._action_json(action)})  # fmt: skip
            return out

    async def decide(self, actor: Actor, appeal_id: uuid.UUID, outcome: str, reason: str) -> dict:
        """Uphold or overturn an appeal: another moderator than the one who acted (or an admin).
        Overturning publishes a hidden post again and lifts a penalty."""
        if outcome not in OUTCOMES:
            raise InvalidInput("outcome must be 'upheld' or 'overturned'.", field="outcome")
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            appeal = await self.session.get(Appeal, appeal_id)
            action = await self.session.get(ModAction, appeal.action_id) if appeal else None
            if appeal is None or action is None or action.post_id is None:
                raise NotFound("Not found.")
            t = await self._target(actor, action.post_id)
            if appeal.status != "open":
                raise Conflict("This appeal was decided already.", code="decided")
            if action.moderator_id == actor.account_id and actor.role.value != "admin":
                raise Forbidden("Another moderator decides an appeal of your action.",
                                code="own_action")  # fmt: skip
            appeal.status, appeal.decided_by = outcome, actor.account_id
            appeal.decision, appeal.decided_at = why, clock.now()
            if outcome == "overturned":
                await self._overturn(t, action)
            audit.record(self.session, "community.appeal.decide", actor=actor,
                         resource_type="Appeal", resource_id=appeal.id,
                         detail={"outcome": outcome})  # fmt: skip
            await self._tell_author(t, f"appeal-{outcome}", action.subject_account_id)
        return {"id": str(appeal.id), "status": outcome}

    async def _overturn(self, t: Target, action: ModAction) -> None:
        if action.action in ("hide", "auto_hide") and t.post.state == "hidden":
            await set_state(self.session, t.post, "published")
        penalty = await self.session.scalar(select(Penalty).where(Penalty.action_id == action.id))
        if penalty is not None and penalty.lifted_at is None:
            penalty.lifted_at = clock.now()
            if action.subject_account_id is not None:
                (await stats_of(self.session, action.subject_account_id)).good_standing = True

    # ---- watched words --------------------------------------------------------------------

    async def _rule_scope(self, actor: Actor, slug: str | None) -> uuid.UUID | None:
        require_full_scope(actor)
        if slug is None:
            if actor.role not in SITE_STAFF:
                raise Forbidden("Only site moderators and admins set site-wide rules.",
                                code="not_site_staff")  # fmt: skip
            return None
        community, membership = await community_for(self.session, actor, slug)
        if not is_staff(actor, membership):
            raise Forbidden("Only this community's facilitators and moderators may do this.",
                            code="not_community_staff")  # fmt: skip
        return community.id

    async def rules(self, actor: Actor, slug: str | None) -> list[dict]:
        async with unit_of_work(self.session):
            scope = await self._rule_scope(actor, slug)
            rows = (await self.session.scalars(
                select(ContentRuleRow).where(ContentRuleRow.community_id == scope
                                             if scope else ContentRuleRow.community_id.is_(None))
                .order_by(ContentRuleRow.created_at))).all()  # fmt: skip
            return [_rule_json(r) for r in rows]

    async def add_rule(self, actor: Actor, slug: str | None, word: str, action: str,
                       replacement: str = "") -> dict:  # fmt: skip
        try:
            validate(word, action, replacement)
        except RuleError as error:
            raise InvalidInput(str(error), field=error.field) from None
        async with unit_of_work(self.session):
            scope = await self._rule_scope(actor, slug)
            row = ContentRuleRow(id=uuid.uuid4(), community_id=scope, word=word.strip(),
                                 action=action, replacement=replacement.strip(),
                                 created_by=actor.account_id, created_at=clock.now())  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            where = str(scope) if scope else None
            audit.record(self.session, "community.rule.add", actor=actor,
                         resource_type="ContentRule", resource_id=row.id,
                         detail={"action": action, "community": where})  # fmt: skip
        return _rule_json(row)

    async def delete_rule(self, actor: Actor, rule_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            row = await self.session.get(ContentRuleRow, rule_id)
            if row is None:
                raise NotFound("Not found.")
            slug = None
            if row.community_id is not None:
                community = await self.session.get(Community, row.community_id)
                slug = community.slug if community else None
            await self._rule_scope(actor, slug)
            await self.session.delete(row)
            audit.record(self.session, "community.rule.delete", actor=actor,
                         resource_type="ContentRule", resource_id=rule_id)  # fmt: skip

    # ---- crisis cases ---------------------------------------------------------------------

    async def _case(self, actor: Actor, case_id: uuid.UUID) -> tuple[CrisisCase, Target]:
        case = await self.session.get(CrisisCase, case_id)
        if case is None:
            raise NotFound("Not found.")
        return case, await self._target(actor, case.post_id, crisis=True)

    async def crisis_cases(self, actor: Actor) -> list[dict]:
        """Open and acknowledged crisis cases the caller handles, with their deadlines."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            communities = await self._staff_communities(actor)
            query = select(CrisisCase).where(CrisisCase.status.in_(("open", "acknowledged")))
            if communities is not None and not self._is_oncall(actor):
                if not communities:
                    raise Forbidden("You moderate no community.", code="not_community_staff")
                query = query.where(CrisisCase.community_id.in_(communities))
            rows = (await self.session.scalars(query.order_by(CrisisCase.opened_at))).all()
            audit.record(self.session, "community.crisis.list", actor=actor,
                         resource_type="CrisisCase", detail={"cases": len(rows)})  # fmt: skip
            return [await self._case_json(c) for c in rows]

    async def _case_json(self, case: CrisisCase) -> dict:
        community = await self.session.get(Community, case.community_id)
        post = await self.session.get(Post, case.post_id)
        return {
            "id": str(case.id), "post_id": str(case.post_id), "status": case.status,
            "community": community.name if community else "",
            "thread_id": str(post.thread_id) if post else None,
            "reasons": json.loads(case.reasons or "[]"), "opened_at": _iso(case.opened_at),
            "acknowledge_by": _iso(case.acknowledge_by) if case.status == "open" else None,
            "acknowledged_at": _iso(case.acknowledged_at), "escalated_at": _iso(case.escalated_at),
        }  # fmt: skip

    async def acknowledge(self, actor: Actor, case_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            case, _ = await self._case(actor, case_id)
            if case.status != "open":
                raise Conflict("This case is not open.", code="not_open")
            case.status, case.acknowledged_by = "acknowledged", actor.account_id
            case.acknowledged_at = clock.now()
            audit.record(self.session, "community.crisis.acknowledge", actor=actor,
                         resource_type="CommunityPost", resource_id=case.post_id,
                         detail={"case": str(case.id)})  # fmt: skip
            return await self._case_json(case)

    async def release_case(self, actor: Actor, case_id: uuid.UUID, reason: str | None) -> dict:
        """One click: a false positive is published (audited as an approval with its reason)."""
        async with unit_of_work(self.session):
            case = await self.session.get(CrisisCase, case_id)
        if case is None:
            raise NotFound("Not found.")
        return await self.release(actor, case.post_id, reason)

    async def keep(self, actor: Actor, case_id: uuid.UUID, reason: str) -> dict:
        """The post stays held (never deleted); the case is closed as taken on."""
        why = bounded_text(reason, "reason", 500)
        async with unit_of_work(self.session):
            case, t = await self._case(actor, case_id)
            if case.status not in ("open", "acknowledged"):
                raise Conflict("This case is closed.", code="closed")
            await self._close_case(actor, case.post_id, "kept")
            await self._log(actor, t, "keep_held", why)
            return await self._case_json(case)


def _rule_json(row: ContentRuleRow) -> dict:
    return {"id": str(row.id), "word": row.word, "action": row.action,
            "replacement": row.replacement, "site_wide": row.community_id is None}  # fmt: skip
