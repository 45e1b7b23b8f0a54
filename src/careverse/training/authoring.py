"""Scenario authoring for educators: drafts (their own scenarios in the making, kept with a
model answer) and the live preview, which runs a scenario headless (the runner behind
``careverse training run``) with the model answer and without it.

Validation is the scenario schema's (``scenarios/schema.py``): the HTTP layer parses the body
into :class:`Scenario`, so a bad field answers 422 with its path. Drafts are education data
about fictional patients; each is its author's only (``kernel.policy.may_author_scenario``):
anyone else gets 404, and someone who may not author (not an instructor) gets 403.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit, clock
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, may_author_scenario
from careverse.kernel.uow import unit_of_work
from careverse.training.models import ScenarioDraft
from careverse.training.scenarios import DATA, load, scenario_ids
from careverse.training.scenarios.runner import ActionAt, RunResult, run_scenario
from careverse.training.scenarios.schema import Scenario

EXAMPLES = DATA.parent / "examples"
PREVIEW_SAMPLE_S = 10
# Previews are CPU work (about 1 s per 15 simulated minutes): a few at a time, off the loop.
_previews = threading.BoundedSemaphore(2)


@dataclass(frozen=True)
class Preview:
    with_actions: RunResult
    without_actions: RunResult


def require_author(actor: Actor) -> None:
    if not may_author_scenario(actor):
        raise Forbidden("Only educators write scenarios.", code="forbidden")


def shipped(scenario_id: str) -> tuple[Scenario, list[dict[str, Any]]]:
    """A shipped scenario and its model answer, to start a draft from."""
    if scenario_id not in scenario_ids():
        raise NotFound("Not found.")
    answer = json.loads((EXAMPLES / f"{scenario_id}.json").read_text())
    return load(scenario_id), answer


async def preview(actor: Actor, scenario: Scenario, actions: list[ActionAt], seed: int) -> Preview:
    """Run ``scenario`` headless with ``actions`` and with none (educators only)."""
    require_author(actor)

    def both() -> Preview:
        with _previews:
            return Preview(
                run_scenario(scenario, actions, seed, sample_every_s=PREVIEW_SAMPLE_S),
                run_scenario(scenario, [], seed, sample_every_s=PREVIEW_SAMPLE_S),
            )

    return await asyncio.to_thread(both)


class AuthoringService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def drafts(self, actor: Actor) -> list[ScenarioDraft]:
        """The caller's drafts, last changed first."""
        require_author(actor)
        async with unit_of_work(self.session):
            rows = await self.session.scalars(
                select(ScenarioDraft)
                .where(ScenarioDraft.owner_id == actor.account_id)
                .order_by(ScenarioDraft.updated_at.desc())
                .limit(200)
            )
            out = list(rows)
            audit.record(self.session, "training.draft.list", actor=actor,
                         resource_type="ScenarioDraft")  # fmt: skip
        return out

    async def draft(self, actor: Actor, draft_id: uuid.UUID) -> ScenarioDraft:
        async with unit_of_work(self.session):
            return await self._draft(actor, draft_id, "training.draft.read")

    async def _draft(self, actor: Actor, draft_id: uuid.UUID, action: str) -> ScenarioDraft:
        found = await self.session.get(ScenarioDraft, draft_id)
        if found is None or not may_author_scenario(actor, found.owner_id):
            raise NotFound("Not found.")
        audit.record(self.session, action, actor=actor, resource_type="ScenarioDraft",
                     resource_id=found.id)  # fmt: skip
        return found

    async def save(
        self,
        actor: Actor,
        scenario: Scenario,
        actions: list[ActionAt],
        draft_id: uuid.UUID | None = None,
    ) -> ScenarioDraft:
        """A new draft, or the caller's draft ``draft_id`` replaced (both already validated)."""
        require_author(actor)
        body = scenario.model_dump(mode="json", exclude_defaults=False)
        answer = [a.model_dump(mode="json", exclude_none=True) for a in actions]
        async with unit_of_work(self.session):
            if draft_id is None:
                found = ScenarioDraft(owner_id=actor.account_id)
                self.session.add(found)
            else:
                found = await self._draft(actor, draft_id, "training.draft.update")
            found.title, found.scenario, found.actions = scenario.title, body, answer
            found.updated_at = clock.now()
            await self.session.flush()
            if draft_id is None:
                audit.record(self.session, "training.draft.create", actor=actor,
                             resource_type="ScenarioDraft", resource_id=found.id)  # fmt: skip
        return found

    async def delete(self, actor: Actor, draft_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            found = await self._draft(actor, draft_id, "training.draft.delete")
            await self.session.delete(found)
