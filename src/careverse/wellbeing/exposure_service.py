"""Exposure therapy's domain: fear hierarchies and live exposure sessions.

One access policy, the wellbeing category's (:func:`careverse.kernel.policy.authorize`): the
therapist is a clinician with a care relationship with the patient (or break-glass); the patient
their own; a caregiver reads only with a ``wellbeing:read`` delegation and never steers a
session. Who does what, within that:

- the therapist builds and edits the hierarchy (10-15 steps once ready, see ``exposure.py``);
- either starts a session on a step of a ready hierarchy; only the patient rates SUDS (before,
  during - the page prompts every minute - and after) and answers the SSQ once it has ended;
- the therapist changes the intensity; either pauses, resumes or stops. Every command is a
  session event with who and when.

Every read and write is audited by ``authorize``; every change publishes
:class:`ExposureSessionChanged` for the live pages. Ratings are stored encrypted, never logged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.wellbeing.exposure import (
    check_steps,
    progression_suggested,
    scene_parameters,
    ssq_score,
)
from careverse.wellbeing.exposure_events import ExposureSessionChanged
from careverse.wellbeing.exposure_models import ExposureHierarchy, ExposureSession

SESSIONS_LIMIT = 200
HIERARCHY = "ExposureHierarchy"
SESSION = "ExposureSession"


def hierarchy_view(row: ExposureHierarchy) -> dict:
    plan = json.loads(row.plan)
    return {
        "id": row.id, "patient_id": row.patient_id, "therapist_id": row.therapist_id,
        "title": plan["title"], "steps": plan["steps"], "ready": row.ready,
        "created_at": row.created_at, "updated_at": row.updated_at,
    }  # fmt: skip


def session_view(row: ExposureSession, step: dict) -> dict:
    record = json.loads(row.record)
    values = [s["value"] for s in record["suds"]]
    return {
        "id": row.id, "hierarchy_id": row.hierarchy_id, "patient_id": row.patient_id,
        "step": row.step, "description": step["description"],
        "expected_suds": step["expected_suds"], "status": row.status,
        "intensity": row.intensity, "scene": scene_parameters(step, row.intensity),
        "started_at": row.started_at, "ended_at": row.ended_at, "suds": record["suds"],
        "events": record["events"], "peak_suds": max(values) if values else None,
        "progression_suggested": progression_suggested(values), "ssq": record.get("ssq"),
    }  # fmt: skip


def changed(row: ExposureSession, kind: str) -> ExposureSessionChanged:
    return ExposureSessionChanged(patient_id=row.patient_id, session_id=row.id, kind=kind)


def _plan(title: str, steps: Sequence[dict], ready: bool) -> str:
    try:
        check_steps(len(steps), ready)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="steps") from None
    return json.dumps({"title": title, "steps": list(steps)})


class ExposureService:
    def __init__(self, session: AsyncSession):
        self.session = session

    # ---- hierarchies -----------------------------------------------------------------------

    async def create_hierarchy(
        self, actor: Actor, patient_id: uuid.UUID, title: str, steps: Sequence[dict], ready: bool
    ) -> dict:
        """The therapist writes a fear hierarchy for their patient."""
        plan = _plan(title, steps, ready)
        async with unit_of_work(self.session):
            row = ExposureHierarchy(
                id=uuid.uuid4(), patient_id=patient_id, therapist_id=actor.account_id,
                ready=ready, created_at=clock.now(), updated_at=clock.now(), plan=plan,
            )  # fmt: skip
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, write=True,
                resource_type=HIERARCHY, resource_id=row.id,
            )  # fmt: skip
            require_role(actor, Role.CLINICIAN)
            self.session.add(row)
            await self.session.flush()
        return hierarchy_view(row)

    async def update_hierarchy(
        self, actor: Actor, hierarchy_id: uuid.UUID, title: str, steps: Sequence[dict], ready: bool
    ) -> dict:
        plan = _plan(title, steps, ready)
        async with unit_of_work(self.session):
            row = await self._hierarchy(actor, hierarchy_id, write=True)
            require_role(actor, Role.CLINICIAN)
            used = await self.session.scalar(
                select(func.max(ExposureSession.step)).where(ExposureSession.hierarchy_id == row.id)
            )
            if used is not None and len(steps) <= used:
                raise Conflict(
                    "Sessions were run on steps this change removes: keep them.", code="steps_used"
                )
            row.plan, row.ready, row.updated_at = plan, ready, clock.now()
            row.therapist_id = actor.account_id
            await self.session.flush()
        return hierarchy_view(row)

    async def hierarchies(self, actor: Actor, patient_id: uuid.UUID | None) -> list[dict]:
        patient_id = self._patient(actor, patient_id)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type=HIERARCHY
            )
            rows = await self.session.scalars(
                select(ExposureHierarchy)
                .where(ExposureHierarchy.patient_id == patient_id)
                .order_by(ExposureHierarchy.created_at)
            )
            return [hierarchy_view(r) for r in rows]

    async def _hierarchy(
        self, actor: Actor, hierarchy_id: uuid.UUID, write: bool = False
    ) -> ExposureHierarchy:
        row = await self.session.get(ExposureHierarchy, hierarchy_id)
        if row is None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, row.patient_id, Category.WELLBEING, write=write,
            resource_type=HIERARCHY, resource_id=row.id,
        )  # fmt: skip
        return row

    @staticmethod
    def _patient(actor: Actor, patient_id: uuid.UUID | None) -> uuid.UUID:
        if patient_id is not None:
            return patient_id
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    # ---- sessions --------------------------------------------------------------------------

    async def start(self, actor: Actor, hierarchy_id: uuid.UUID, step: int, intensity: int) -> dict:
        """The patient or their therapist starts an exposure to one step of a ready hierarchy."""
        async with unit_of_work(self.session) as uow:
            hierarchy = await self._hierarchy(actor, hierarchy_id, write=True)
            require_role(actor, Role.PATIENT, Role.CLINICIAN)
            steps = json.loads(hierarchy.plan)["steps"]
            if not hierarchy.ready:
                raise Conflict("This hierarchy is not ready for sessions yet.", code="not_ready")
            if step >= len(steps):
                raise InvalidInput("This hierarchy has no such step.", field="step")
            now = clock.now()
            event = self._event(actor, "started", intensity, now)
            row = ExposureSession(
                id=uuid.uuid4(), hierarchy_id=hierarchy.id, patient_id=hierarchy.patient_id,
                step=step, status="active", intensity=intensity, started_at=now,
                started_by=actor.account_id,
                record=json.dumps({"suds": [], "events": [event], "ssq": None}),
            )  # fmt: skip
            self.session.add(row)
            await self.session.flush()
            await uow.publish(changed(row, "started"))
        return session_view(row, steps[step])

    async def rate(self, actor: Actor, session_id: uuid.UUID, phase: str, value: int) -> dict:
        """The patient's SUDS rating, before, during or after the exposure."""
        async with unit_of_work(self.session) as uow:
            row, step = await self._session(actor, session_id, write=True)
            require_role(actor, Role.PATIENT)
            record = json.loads(row.record)
            if phase != "after" and row.status == "ended":
                raise Conflict("This session has ended: rate how you feel after it.", code="ended")
            if phase == "after" and any(s["phase"] == "after" for s in record["suds"]):
                raise Conflict("The rating after this session is already in.", code="rated")
            record["suds"].append({"at": clock.now().isoformat(), "phase": phase, "value": value})
            row.record = json.dumps(record)
            await self.session.flush()
            await uow.publish(changed(row, "suds"))
        return session_view(row, step)

    async def control(
        self, actor: Actor, session_id: uuid.UUID, action: str, value: int | None
    ) -> dict:
        """A command: the therapist sets the intensity; either pauses, resumes or stops."""
        async with unit_of_work(self.session) as uow:
            row, step = await self._session(actor, session_id, write=True)
            require_role(actor, Role.PATIENT, Role.CLINICIAN)
            if row.status == "ended":
                raise Conflict("This session has ended.", code="ended")
            if action == "intensity":
                require_role(actor, Role.CLINICIAN)
                if value is None:
                    raise InvalidInput("Give the new intensity (0 to 100).", field="value")
                row.intensity, kind = value, "intensity"
            elif action == "pause":
                row.status, kind = "paused", "paused"
            elif action == "resume":
                row.status, kind = "active", "resumed"
            else:
                row.status, row.ended_at, kind = "ended", clock.now(), "stopped"
            record = json.loads(row.record)
            record["events"].append(
                self._event(actor, kind, value if action == "intensity" else None)
            )
            row.record = json.dumps(record)
            await self.session.flush()
            await uow.publish(changed(row, kind))
        return session_view(row, step)

    async def answer_ssq(self, actor: Actor, session_id: uuid.UUID, answers: list[int]) -> dict:
        """The patient's simulator sickness questionnaire, once the session has ended."""
        try:
            scored = ssq_score(answers)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="answers") from None
        async with unit_of_work(self.session) as uow:
            row, step = await self._session(actor, session_id, write=True)
            require_role(actor, Role.PATIENT)
            if row.status != "ended":
                raise Conflict("Answer this after the session has ended.", code="not_ended")
            record = json.loads(row.record)
            if record.get("ssq") is not None:
                raise Conflict("This session's questionnaire is already in.", code="answered")
            record["ssq"] = {"answers": list(answers), **asdict(scored)}
            row.record = json.dumps(record)
            await self.session.flush()
            await uow.publish(changed(row, "ssq"))
        return session_view(row, step)

    async def get(self, actor: Actor, session_id: uuid.UUID) -> dict:
        async with unit_of_work(self.session):
            row, step = await self._session(actor, session_id)
        return session_view(row, step)

    async def sessions(self, actor: Actor, patient_id: uuid.UUID | None) -> list[dict]:
        """A patient's sessions, oldest first (the latest 200): the between-session curve."""
        patient_id = self._patient(actor, patient_id)
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type=SESSION
            )
            rows = list(
                await self.session.scalars(
                    select(ExposureSession)
                    .where(ExposureSession.patient_id == patient_id)
                    .order_by(ExposureSession.started_at.desc())
                    .limit(SESSIONS_LIMIT)
                )
            )
            plans: dict[uuid.UUID, list] = {}
            for hierarchy_id in {r.hierarchy_id for r in rows}:
                hierarchy = await self.session.get(ExposureHierarchy, hierarchy_id)
                plans[hierarchy_id] = json.loads(hierarchy.plan)["steps"] if hierarchy else []
        return [session_view(r, plans[r.hierarchy_id][r.step]) for r in reversed(rows)]

    async def may_watch(self, actor: Actor, patient_id: uuid.UUID) -> None:
        """Authorize (and audit) opening the patient's live exposure stream."""
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type=SESSION
            )

    async def _session(
        self, actor: Actor, session_id: uuid.UUID, write: bool = False
    ) -> tuple[ExposureSession, dict]:
        row = await self.session.get(ExposureSession, session_id)
        if row is None:
            raise NotFound("Not found.")
        await authorize(
            self.session, actor, row.patient_id, Category.WELLBEING, write=write,
            resource_type=SESSION, resource_id=row.id,
        )  # fmt: skip
        hierarchy = await self.session.get(ExposureHierarchy, row.hierarchy_id)
        if hierarchy is None:  # cascades make this impossible; never a 500 if it happens
            raise NotFound("Not found.")
        return row, json.loads(hierarchy.plan)["steps"][row.step]

    @staticmethod
    def _event(actor: Actor, kind: str, value: int | None, at=None) -> dict:
        return {
            "at": (at or clock.now()).isoformat(), "by": str(actor.account_id),
            "role": actor.role.value, "kind": kind, "value": value,
        }  # fmt: skip
