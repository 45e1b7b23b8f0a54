"""Moderation HTTP API (docs/moderation.md) and ``setup_moderation(runtime)``: the router, the
full reviewer in place of community's default, the crisis escalation job and the erasure."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community.crisis import screen
from careverse.community.moderation_desk import ModerationDesk
from careverse.community.moderation_events import erase_moderation_rows
from careverse.community.moderation_review import (
    ModerationReviewer,
    concern_for,
    escalate_forever,
)
from careverse.community.moderation_schemas import (
    ActionsOut,
    AppealIn,
    AppealOut,
    AppealsOut,
    CaseOut,
    CasesOut,
    ContentRuleIn,
    ContentRuleOut,
    ContentRulesOut,
    DecisionIn,
    DraftIn,
    EditIn,
    FlagIn,
    NudgeOut,
    PenaltyIn,
    PenaltyOut,
    PolicyIn,
    PolicyOut,
    QueueOut,
    ReasonIn,
    ReleaseIn,
    StateOut,
)
from careverse.community.pipeline import review
from careverse.community.review import PostReviewer
from careverse.identity.api import ERRORS
from careverse.identity.deps import CurrentActor
from careverse.kernel.deps import get_runtime, get_session
from careverse.kernel.events import Phase
from careverse.kernel.policy import require_full_scope
from careverse.kernel.runtime import Runtime
from careverse.privacy.events import AccountErasureDue

router = APIRouter(prefix="/api/community", tags=["community moderation"])


def desk(
    request: Request, session: Annotated[AsyncSession, Depends(get_session)]
) -> ModerationDesk:
    return ModerationDesk(session, get_runtime(request).settings)


Desk = Annotated[ModerationDesk, Depends(desk)]
Slug = Annotated[str | None, Query(max_length=64, description="A community; none: site-wide")]


# ---- the queue and post actions --------------------------------------------------------------


@router.get("/moderation/queue", response_model=QueueOut, responses=ERRORS)
async def queue(actor: CurrentActor, service: Desk) -> QueueOut:
    """Held and flagged posts of the communities the caller moderates, crisis first."""
    return QueueOut.model_validate({"items": await service.queue(actor)})


@router.post("/posts/{post_id}/moderation/approve", response_model=StateOut, responses=ERRORS)
async def approve(post_id: uuid.UUID, body: ReasonIn, actor: CurrentActor, service: Desk):
    return await service.approve(actor, post_id, body.reason)


@router.post("/posts/{post_id}/moderation/release", response_model=StateOut, responses=ERRORS)
async def release(post_id: uuid.UUID, body: ReleaseIn, actor: CurrentActor, service: Desk):
    """A crisis hold that was a false positive, published in one click (audited)."""
    return await service.release(actor, post_id, body.reason)


@router.post("/posts/{post_id}/moderation/hide", response_model=StateOut, responses=ERRORS)
async def hide(post_id: uuid.UUID, body: ReasonIn, actor: CurrentActor, service: Desk):
    return await service.hide(actor, post_id, body.reason)


@router.post("/posts/{post_id}/moderation/edit", response_model=StateOut, responses=ERRORS)
async def edit(post_id: uuid.UUID, body: EditIn, actor: CurrentActor, service: Desk):
    return await service.edit(actor, post_id, body.body, body.note, body.reason)


@router.post("/posts/{post_id}/moderation/penalty", status_code=201, response_model=PenaltyOut,
             responses=ERRORS)  # fmt: skip
async def penalty(post_id: uuid.UUID, body: PenaltyIn, actor: CurrentActor, service: Desk):
    """Warn, silence or suspend the post's author (or ``escalate``: the next step)."""
    return await service.penalise(actor, post_id, body.kind, body.reason, body.days)


@router.post("/posts/{post_id}/flags", status_code=201, response_model=StateOut, responses=ERRORS)
async def flag(post_id: uuid.UUID, body: FlagIn, actor: CurrentActor, service: Desk):
    """A member flags a post with a reason; ``crisis`` holds it and alerts a human at once."""
    return await service.flag(actor, post_id, body.reason, body.note)


# ---- logs and appeals ------------------------------------------------------------------------


@router.get("/moderation/my-actions", response_model=ActionsOut, responses=ERRORS)
async def my_actions(actor: CurrentActor, service: Desk) -> ActionsOut:
    """The caller's own moderation actions, newest first."""
    return ActionsOut.model_validate({"actions": await service.my_log(actor)})


@router.get("/moderation/about-me", response_model=ActionsOut, responses=ERRORS)
async def about_me(actor: CurrentActor, service: Desk) -> ActionsOut:
    """Moderation actions about the caller's posts (what they can appeal)."""
    return ActionsOut.model_validate({"actions": await service.about_me(actor)})


@router.post("/moderation/actions/{action_id}/appeal", status_code=201, response_model=AppealOut,
             responses=ERRORS)  # fmt: skip
async def appeal(action_id: uuid.UUID, body: AppealIn, actor: CurrentActor, service: Desk):
    return await service.appeal(actor, action_id, body.text)


@router.get("/moderation/appeals", response_model=AppealsOut, responses=ERRORS)
async def appeals(actor: CurrentActor, service: Desk) -> AppealsOut:
    return AppealsOut.model_validate({"appeals": await service.appeals(actor)})


@router.post("/moderation/appeals/{appeal_id}/decision", response_model=AppealOut,
             responses=ERRORS)  # fmt: skip
async def decide(appeal_id: uuid.UUID, body: DecisionIn, actor: CurrentActor, service: Desk):
    return await service.decide(actor, appeal_id, body.outcome, body.reason)


# ---- watched words and policy ----------------------------------------------------------------


@router.get("/moderation/rules", response_model=ContentRulesOut, responses=ERRORS)
async def rules(actor: CurrentActor, service: Desk, community: Slug = None) -> ContentRulesOut:
    return ContentRulesOut.model_validate({"rules": await service.rules(actor, community)})


@router.post("/moderation/rules", status_code=201, response_model=ContentRuleOut, responses=ERRORS)
async def add_rule(body: ContentRuleIn, actor: CurrentActor, service: Desk, community: Slug = None):
    return await service.add_rule(actor, community, body.word, body.action, body.replacement)


@router.delete("/moderation/rules/{rule_id}", status_code=204, responses=ERRORS)
async def delete_rule(rule_id: uuid.UUID, actor: CurrentActor, service: Desk) -> Response:
    await service.delete_rule(actor, rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/communities/{community_id}/moderation/policy", response_model=PolicyOut,
            responses=ERRORS)  # fmt: skip
async def set_policy(community_id: uuid.UUID, body: PolicyIn, actor: CurrentActor, service: Desk):
    """How many flags from members of at least which trust level hide a post."""
    return await service.set_policy(actor, community_id, body.flags_to_hide, body.flag_min_trust)


# ---- crisis cases ----------------------------------------------------------------------------


@router.get("/moderation/crisis", response_model=CasesOut, responses=ERRORS)
async def crisis_cases(actor: CurrentActor, service: Desk) -> CasesOut:
    return CasesOut.model_validate({"cases": await service.crisis_cases(actor)})


@router.post("/moderation/crisis/{case_id}/acknowledge", response_model=CaseOut, responses=ERRORS)
async def acknowledge(case_id: uuid.UUID, actor: CurrentActor, service: Desk):
    return await service.acknowledge(actor, case_id)


@router.post("/moderation/crisis/{case_id}/release", response_model=StateOut, responses=ERRORS)
async def release_case(case_id: uuid.UUID, body: ReleaseIn, actor: CurrentActor, service: Desk):
    """One click: the hold was a false positive; the post is published (audited)."""
    return await service.release_case(actor, case_id, body.reason)


@router.post("/moderation/crisis/{case_id}/keep", response_model=CaseOut, responses=ERRORS)
async def keep(case_id: uuid.UUID, body: ReasonIn, actor: CurrentActor, service: Desk):
    """The post stays held (never deleted); the case is closed as taken on."""
    return await service.keep(actor, case_id, body.reason)


# ---- the composer's nudge -------------------------------------------------------------------


@router.post("/moderation/nudge", response_model=NudgeOut, responses=ERRORS)
async def nudge(
    body: DraftIn, request: Request, actor: CurrentActor,
    language: Annotated[str | None, Header(alias="Accept-Language", max_length=200)] = None,
) -> NudgeOut:  # fmt: skip
    """Screen a draft before it is sent: with crisis language, the message of concern to show
    (the post, once sent, is held for a human as always). Nothing is stored or logged."""
    require_full_scope(actor)
    if not screen(body.text).flagged:
        return NudgeOut(crisis=False, concern=None)
    concern = concern_for(get_runtime(request).settings, language)
    return NudgeOut.model_validate({"crisis": True, "concern": asdict(concern)})


# ---- setup -----------------------------------------------------------------------------------


def setup_moderation(runtime: Runtime) -> None:
    """Called by community's setup: the moderation routes, the full reviewer (watched words,
    penalties, holds, the crisis path), the crisis escalation job and moderation's erasure."""
    runtime.include_router(router)
    runtime.provide(ModerationReviewer(runtime.settings), as_type=PostReviewer)
    runtime.events.subscribe(AccountErasureDue, erase_moderation_rows, phase=Phase.TRANSACTION)
    runtime.add_job(
        "community.crisis-escalation", lambda: escalate_forever(runtime.db, runtime.settings)
    )

    async def warm_up() -> None:  # load the lexicon and the abuse model before the first post
        review("warm up", community_kind="caregiver", trust_level=0)

    runtime.on_start(warm_up)
