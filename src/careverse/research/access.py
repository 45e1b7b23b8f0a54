"""Who may see and run research, through the one policy (kernel/policy.py): a study is its
researcher's and its approver's; anyone else gets 404, so study ids cannot be probed."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, may_run_studies, may_see_study
from careverse.kernel.uow import audit_refusal
from careverse.research.models import Study

T = TypeVar("T")


def require_researcher(actor: Actor) -> None:
    if not may_run_studies(actor):
        raise Forbidden("Only researchers run studies.", code="forbidden_role")


async def study(session: AsyncSession, actor: Actor, study_id: uuid.UUID) -> Study:
    """The study when the caller is its researcher or its approver; 404 (audited) otherwise."""
    row = await session.get(Study, study_id)
    if row is None or not may_see_study(actor, row.owner_id, row.approver_id):

        def write_refusal(own: AsyncSession) -> None:
            audit.record(own, "research.study.read", actor=actor, outcome=audit.Outcome.DENIED,
                         resource_type="ResearchStudy", resource_id=study_id)  # fmt: skip

        await audit_refusal(session, write_refusal)
        raise NotFound("Not found.")
    return row


async def own_study(session: AsyncSession, actor: Actor, study_id: uuid.UUID) -> Study:
    """The study when the caller is its researcher (the approver may look, not change it)."""
    row = await study(session, actor, study_id)
    if actor.account_id != row.owner_id:
        raise Forbidden("Only the study's researcher may do this.", code="not_owner")
    return row


async def approver_of(session: AsyncSession, actor: Actor, study_id: uuid.UUID) -> Study:
    row = await study(session, actor, study_id)
    if actor.account_id != row.approver_id:
        raise Forbidden("Only the study's approver may do this.", code="not_approver")
    return row


async def part_of(session: AsyncSession, model: type[T], row_id: uuid.UUID, study: Study) -> T:
    """A cohort, export or trial of ``study``; 404 for anything else (another study's too)."""
    row = await session.get(model, row_id)
    if row is None or getattr(row, "study_id", None) != study.id:
        raise NotFound("Not found.")
    return row
