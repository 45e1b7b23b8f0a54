"""Self-help's domain: psychoeducation progress and recommendations, thought records, and the
behavioural activation planner.

One policy, the wellbeing category's (:func:`careverse.kernel.policy.authorize`, audited):
the patient owns and writes their own; a clinician with a care relationship recommends modules
and reads the summary (module progress, how many thought records, activation adherence) and the
thought records the patient chose to share ("share with my therapist", off by default); a
caregiver with a ``wellbeing:read`` delegation reads the summary only.

Crisis rule (hard, not a setting): the free text of a thought record or an activity goes
through the crisis screen community uses (:func:`careverse.kernel.crisis_screen.screen`). A
positive screen keeps the record (nothing is deleted), answers with the site's crisis resources,
audits ``wellbeing.crisis`` and publishes :class:`SelfHelpCrisisRecorded`, on which monitoring
opens the urgent alert in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.relationships import care_team
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.crisis_screen import screen
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import UnitOfWork, unit_of_work
from careverse.wellbeing.selfhelp import (
    activity_summary,
    check_thought_record,
    intensity_change,
    screened_text,
)
from careverse.wellbeing.selfhelp_events import SelfHelpCrisisRecorded
from careverse.wellbeing.selfhelp_models import ModuleProgress, PlannedActivity, ThoughtRecord
from careverse.wellbeing.selfhelp_modules import BY_CODE, MODULES
from careverse.wellbeing.service import Crisis, crisis_resources

RECORDS_LIMIT = 200
SUMMARY_DAYS = 7


def record_view(row: ThoughtRecord) -> dict:
    record = json.loads(row.record)
    return {
        **record, "id": row.id, "written_at": row.written_at, "shared": row.shared,
        "change": intensity_change(record),
    }  # fmt: skip


def activity_view(row: PlannedActivity) -> dict:
    return {**json.loads(row.detail), "id": row.id, "planned_for": row.planned_for}


def progress_view(code: str, row: ModuleProgress | None) -> dict:
    module = BY_CODE[code]
    read = json.loads(row.sections_read) if row else []
    return {
        "module": code, "title": module.title, "summary": module.summary,
        "minutes": module.minutes, "sections": len(module.sections), "sections_read": read,
        "completed": bool(row and row.completed_at),
        "recommended": bool(row and row.recommended_at),
    }  # fmt: skip


class SelfHelpService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    def _patient(self, actor: Actor) -> uuid.UUID:
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    async def _mine(self, actor: Actor, write: bool, resource_type: str) -> uuid.UUID:
        patient_id = self._patient(actor)
        await authorize(
            self.session, actor, patient_id, Category.WELLBEING, write=write,
            resource_type=resource_type,
        )  # fmt: skip
        return patient_id

    async def _crisis(
        self, uow: UnitOfWork, actor: Actor, patient_id: uuid.UUID, record_type: str,
        record_id: uuid.UUID, text: str, language: str | None,
    ) -> Crisis | None:  # fmt: skip
        """Screen the text; on a positive screen audit, publish the alert's event and answer
        the crisis resources. The text itself goes nowhere but the screen."""
        screening = screen(text) if text else None
        if screening is None or not screening.flagged:
            return None
        audit.record(
            self.session, "wellbeing.crisis", actor=actor, patient_id=patient_id,
            resource_type=record_type, resource_id=record_id,
        )  # fmt: skip
        await uow.publish(
            SelfHelpCrisisRecorded(
                patient_id=patient_id, signal_id=uuid.uuid4(), record_type=record_type,
                record_id=record_id, categories=tuple(screening.categories),
            )
        )  # fmt: skip
        chosen, resources = crisis_resources(self.settings, language)
        team = await care_team(self.session, patient_id)
        return Crisis(chosen, resources, True, bool(team))

    # Psychoeducation

    async def _progress(self, patient_id: uuid.UUID) -> dict[str, ModuleProgress]:
        rows = await self.session.scalars(
            select(ModuleProgress).where(ModuleProgress.patient_id == patient_id)
        )
        return {r.module: r for r in rows.all()}

    async def modules(self, actor: Actor) -> list[dict]:
        """Every module with the patient's progress; those recommended to them first."""
        async with unit_of_work(self.session):
            patient_id = await self._mine(actor, False, "SelfHelpModule")
            progress = await self._progress(patient_id)
        views = [progress_view(m.code, progress.get(m.code)) for m in MODULES]
        return sorted(views, key=lambda v: not v["recommended"])

    async def read_section(self, actor: Actor, code: str, section: str) -> dict:
        """Mark a section read; the module is completed once every section is."""
        module = BY_CODE.get(code)
        if module is None:
            raise NotFound("Not found.")
        if section not in {s.id for s in module.sections}:
            raise InvalidInput("Unknown section of this module.", field="section")
        async with unit_of_work(self.session):
            patient_id = await self._mine(actor, True, "SelfHelpModule")
            row = (await self._progress(patient_id)).get(code)
            if row is None:
                row = ModuleProgress(id=uuid.uuid4(), patient_id=patient_id, module=code)
                row.sections_read = "[]"
                self.session.add(row)
            read = json.loads(row.sections_read)
            if section not in read:
                read.append(section)
            row.sections_read = json.dumps(read)
            row.updated_at = clock.now()
            if row.completed_at is None and len(read) == len(module.sections):
                row.completed_at = row.updated_at
        return progress_view(code, row)

    async def recommend(self, actor: Actor, patient_id: uuid.UUID, code: str) -> dict:
        """A clinician recommends a module to their patient (it comes first on their list)."""
        if code not in BY_CODE:
            raise InvalidInput("Unknown module.", field="module")
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, write=True,
                resource_type="SelfHelpModule",
            )  # fmt: skip
            if actor.role != Role.CLINICIAN:
                raise NotFound("Not found.")
            row = (await self._progress(patient_id)).get(code)
            if row is None:
                row = ModuleProgress(id=uuid.uuid4(), patient_id=patient_id, module=code)
                row.sections_read = "[]"
                self.session.add(row)
            now = clock.now()
            row.recommended_by, row.recommended_at, row.updated_at = actor.account_id, now, now
        return progress_view(code, row)

    # Thought records

    async def write_thought_record(
        self, actor: Actor, record: Mapping, language: str | None = None
    ) -> tuple[dict, Crisis | None]:
        """Store the patient's thought record (encrypted); screen its words for crisis."""
        try:
            check_thought_record(record)
        except ValueError as exc:
            raise InvalidInput(str(exc), field=str(exc).split(":")[0]) from None
        async with unit_of_work(self.session) as uow:
            patient_id = await self._mine(actor, True, "ThoughtRecord")
            row = ThoughtRecord(
                id=uuid.uuid4(), patient_id=patient_id, written_at=clock.now(),
                shared=bool(record.get("shared", False)),
            )  # fmt: skip
            stored = {k: v for k, v in record.items() if k != "shared"}
            words = [
                record["situation"], *record["automatic_thoughts"], record["evidence_for"],
                record["evidence_against"], record["balanced_thought"],
                *(e["name"] for e in record["emotions"]),
            ]  # fmt: skip
            crisis = await self._crisis(
                uow, actor, patient_id, "thought-record", row.id, screened_text(words), language
            )
            row.record = json.dumps({**stored, "crisis": crisis is not None})
            self.session.add(row)
        return record_view(row), crisis

    async def thought_records(self, actor: Actor) -> list[dict]:
        """The patient's own thought records, newest first (the latest 200)."""
        async with unit_of_work(self.session):
            patient_id = await self._mine(actor, False, "ThoughtRecord")
            rows = await self.session.scalars(
                select(ThoughtRecord).where(ThoughtRecord.patient_id == patient_id)
                .order_by(ThoughtRecord.written_at.desc()).limit(RECORDS_LIMIT)
            )  # fmt: skip
            return [record_view(r) for r in rows.all()]

    async def share(self, actor: Actor, record_id: uuid.UUID, shared: bool) -> dict:
        """Share a thought record with the patient's therapists, or stop sharing it."""
        async with unit_of_work(self.session):
            patient_id = await self._mine(actor, True, "ThoughtRecord")
            row = await self.session.get(ThoughtRecord, record_id)
            if row is None or row.patient_id != patient_id:
                raise NotFound("Not found.")
            row.shared = shared
        return record_view(row)

    async def shared_records(self, actor: Actor, patient_id: uuid.UUID) -> list[dict]:
        """The thought records a patient shared with their therapists (clinicians only)."""
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type="ThoughtRecord"
            )
            if actor.role != Role.CLINICIAN:
                raise NotFound("Not found.")
            rows = await self.session.scalars(
                select(ThoughtRecord)
                .where(ThoughtRecord.patient_id == patient_id, ThoughtRecord.shared.is_(True))
                .order_by(ThoughtRecord.written_at.desc()).limit(RECORDS_LIMIT)
            )  # fmt: skip
            return [record_view(r) for r in rows.all()]

    # Behavioural activation

    async def plan_activity(
        self, actor: Actor, activity: Mapping, language: str | None = None
    ) -> tuple[dict, Crisis | None]:
        """Plan an activity for a time; its title and note are screened for crisis."""
        async with unit_of_work(self.session) as uow:
            patient_id = await self._mine(actor, True, "PlannedActivity")
            row = PlannedActivity(
                id=uuid.uuid4(), patient_id=patient_id, planned_for=activity["planned_for"]
            )
            text = screened_text([activity["title"], activity.get("note")])
            crisis = await self._crisis(uow, actor, patient_id, "activity", row.id, text, language)
            detail = {k: v for k, v in activity.items() if k != "planned_for"}
            detail = {
                "done": False, "mood_before": None, "mood_after": None, "pleasure": None,
                "mastery": None, "note": None, **detail, "crisis": crisis is not None,
            }  # fmt: skip
            row.detail = json.dumps(detail)
            self.session.add(row)
        return activity_view(row), crisis

    async def update_activity(
        self, actor: Actor, activity_id: uuid.UUID, changes: Mapping, language: str | None = None
    ) -> tuple[dict, Crisis | None]:
        """Mark done or not, with the ratings and a note (the note is screened for crisis)."""
        async with unit_of_work(self.session) as uow:
            patient_id = await self._mine(actor, True, "PlannedActivity")
            row = await self.session.get(PlannedActivity, activity_id)
            if row is None or row.patient_id != patient_id:
                raise NotFound("Not found.")
            detail = {**json.loads(row.detail), **changes}
            crisis = None
            if changes.get("note"):
                crisis = await self._crisis(
                    uow, actor, patient_id, "activity", row.id, str(changes["note"]), language
                )
            detail["crisis"] = bool(detail.get("crisis")) or crisis is not None
            row.detail = json.dumps(detail)
        return activity_view(row), crisis

    async def _activities(
        self, patient_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[dict]:
        rows = await self.session.scalars(
            select(PlannedActivity)
            .where(PlannedActivity.patient_id == patient_id)
            .where(PlannedActivity.planned_for >= start, PlannedActivity.planned_for < end)
            .order_by(PlannedActivity.planned_for)
        )
        return [activity_view(r) for r in rows.all()]

    async def week(self, actor: Actor, start: datetime) -> tuple[list[dict], dict]:
        """The seven days from ``start`` (the page's local Monday 00:00) and their summary."""
        if start.tzinfo is None:
            raise InvalidInput("start must have a time zone offset.", field="start")
        async with unit_of_work(self.session):
            patient_id = await self._mine(actor, False, "PlannedActivity")
            rows = await self._activities(patient_id, start, start + timedelta(days=7))
        return rows, activity_summary(rows, clock.now())

    async def summary(self, actor: Actor, patient_id: uuid.UUID) -> dict:
        """What a clinician (or a caregiver with ``wellbeing:read``) sees of a patient's
        self-help: module progress, how many thought records (and shared), the last seven days'
        activation summary. No text the patient wrote."""
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, resource_type="SelfHelp"
            )
            progress = await self._progress(patient_id)
            counts = (
                await self.session.execute(
                    select(func.count(), func.count().filter(ThoughtRecord.shared.is_(True)))
                    .where(ThoughtRecord.patient_id == patient_id)
                )
            ).one()  # fmt: skip
            now = clock.now()
            rows = await self._activities(patient_id, now - timedelta(days=SUMMARY_DAYS), now)
        return {
            "modules": [progress_view(c, r) for c, r in progress.items()],
            "thought_records": counts[0], "shared_thought_records": counts[1],
            "activities": activity_summary(rows, now), "days": SUMMARY_DAYS,
        }  # fmt: skip
