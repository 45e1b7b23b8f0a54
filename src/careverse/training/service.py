"""Lab runs: stored when they end (from the world's lab), listed and shown to their trainees and
instructor only, with the instructor's PEARLS debrief notes (docs/training.md)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit
from careverse.kernel.errors import Forbidden, NotFound
from careverse.kernel.policy import Actor, may_see_training_run, require_full_scope
from careverse.kernel.uow import unit_of_work
from careverse.training.debrief_pdf import debrief_pdf
from careverse.training.events import LabRunEnded
from careverse.training.models import LabRun, LabTrainee

PEARLS = ("reactions", "description", "analysis", "summary")


@dataclass(frozen=True)
class RunView:
    run: LabRun
    trainees: list[LabTrainee]
    instructor: bool  # the caller ran it (sees everyone's scores, writes the notes)


async def store_run(event: LabRunEnded, session: AsyncSession) -> None:
    """Keep a finished run (TRANSACTION phase: in the world's unit of work that published it)."""
    await record_run(session, event)


async def record_run(session: AsyncSession, event: LabRunEnded) -> LabRun:
    """Store a finished run (once: the run's id is its key)."""
    existing = await session.get(LabRun, event.run_id)
    if existing is not None:
        return existing
    run = LabRun(
        id=event.run_id, space_id=event.space_id, scenario=event.scenario, title=event.title,
        instructor_id=event.instructor_id, instructor_name=event.instructor_name,
        seed=event.seed, started_at=event.started_at, ended_at=event.ended_at,
        outcome=event.outcome, score=event.score, log=event.log, timeline=event.timeline,
        notes={},
    )  # fmt: skip
    session.add(run)
    await session.flush()
    for account, name in event.trainees.items():
        session.add(
            LabTrainee(
                run_id=run.id, account_id=uuid.UUID(account), name=name,
                score=event.individual.get(account),
            )
        )  # fmt: skip
    audit.record(
        session, "training.run.record", actor_id=event.instructor_id, resource_type="LabRun",
        resource_id=run.id,
    )  # fmt: skip
    await session.flush()
    return run


class TrainingService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def runs(self, actor: Actor) -> list[LabRun]:
        """The runs the caller was in, as trainee or instructor, newest first."""
        require_full_scope(actor)
        mine = select(LabTrainee.run_id).where(LabTrainee.account_id == actor.account_id)
        async with unit_of_work(self.session):
            rows = await self.session.scalars(
                select(LabRun)
                .where(or_(LabRun.instructor_id == actor.account_id, LabRun.id.in_(mine)))
                .order_by(LabRun.ended_at.desc())
                .limit(100)
            )
            out = list(rows)
            audit.record(self.session, "training.run.list", actor=actor, resource_type="LabRun")
        return out

    async def run(self, actor: Actor, run_id: uuid.UUID) -> RunView:
        """One run with its trainees; not found unless the caller was in it."""
        async with unit_of_work(self.session):
            return await self._run(actor, run_id)

    async def _run(self, actor: Actor, run_id: uuid.UUID) -> RunView:
        run = await self.session.get(LabRun, run_id)
        trainees = (
            list(await self.session.scalars(select(LabTrainee).where(LabTrainee.run_id == run_id)))
            if run is not None
            else []
        )
        ids = {t.account_id for t in trainees}
        if run is None or not may_see_training_run(actor, run.instructor_id, ids):
            raise NotFound("Not found.")
        audit.record(
            self.session, "training.run.read", actor=actor, resource_type="LabRun",
            resource_id=run.id,
        )  # fmt: skip
        return RunView(run, trainees, instructor=run.instructor_id == actor.account_id)

    async def debrief_pdf(self, actor: Actor, run_id: uuid.UUID) -> tuple[str, bytes]:
        """The debrief as a PDF for the caller's portfolio (same access as the run; audited as
        an export): answers the file name and the bytes."""
        async with unit_of_work(self.session):
            view = await self._run(actor, run_id)
            audit.record(
                self.session, "training.run.export", actor=actor, resource_type="LabRun",
                resource_id=view.run.id,
            )  # fmt: skip
        # fpdf2 is pure Python (~60-100 ms a page of chart; its first import ~1 s): off the loop.
        data = await asyncio.to_thread(
            debrief_pdf, view.run, view.trainees, actor.account_id, instructor=view.instructor
        )
        return f"debrief-{view.run.scenario}-{view.run.ended_at:%Y%m%d}.pdf", data

    async def save_notes(self, actor: Actor, run_id: uuid.UUID, notes: dict[str, str]) -> RunView:
        """The instructor's debrief notes, by PEARLS phase (a trainee may read, not write)."""
        async with unit_of_work(self.session):
            view = await self._run(actor, run_id)
            if not view.instructor:
                raise Forbidden(
                    "Only the run's instructor writes the debrief notes.", code="forbidden_write"
                )
            merged: dict[str, Any] = dict(view.run.notes or {})
            merged.update({k: v for k, v in notes.items() if k in PEARLS})
            view.run.notes = merged
            audit.record(
                self.session, "training.run.notes", actor=actor, resource_type="LabRun",
                resource_id=view.run.id,
            )  # fmt: skip
        return view
