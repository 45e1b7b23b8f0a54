"""Questionnaire schedules: a clinician asks a patient to answer an instrument regularly (PHQ-9
every 14 days), the patient is reminded when it is due, and answering sets the next due time.

- :class:`ScheduleService` — assign and end (clinicians with a care relationship: the one access
  policy, category ``wellbeing``, write), read (the patient their own; their clinicians). One
  active schedule per patient and instrument. Audited (``wellbeing.schedule_*``, no detail).
- :func:`answered` — called in the same transaction as a stored response: the next answer is
  due ``every_days`` after this one (an early answer moves the schedule, as a clinician expects
  "every two weeks" to mean two weeks between answers).
- :func:`remind_due_once` / :func:`remind_due_forever` — the background job: one in-app
  notification and e-mail per due time, claimed by a conditional UPDATE in the same transaction
  as the notification, so every node may run it and a reminder is sent once. The reminder's title
  names no instrument (a PHQ-9 reminder would tell an e-mail reader that depression is watched).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.notify import NotificationRequested
from careverse.kernel.policy import Actor, Category, Role, authorize, require_role
from careverse.kernel.uow import unit_of_work
from careverse.wellbeing.catalogue import ALL
from careverse.wellbeing.schedule_models import WellbeingSchedule

log = structlog.get_logger(__name__)

MIN_DAYS, MAX_DAYS = 1, 365
REMINDER_TITLE = "A questionnaire is ready for you"
REMINDER_KIND = "wellbeing.due"
LINK = "/wellbeing"


@dataclass(frozen=True, slots=True)
class ScheduleView:
    id: uuid.UUID
    patient_id: uuid.UUID
    instrument: str
    title: str
    every_days: int
    next_due_at: datetime
    due: bool  # due now (the patient may answer it)
    created_at: datetime


def view_of(row: WellbeingSchedule, now: datetime) -> ScheduleView:
    due_at = clock.as_utc(row.next_due_at)
    return ScheduleView(
        id=row.id, patient_id=row.patient_id, instrument=row.instrument,
        title=ALL[row.instrument].title, every_days=row.every_days, next_due_at=due_at,
        due=due_at <= now, created_at=clock.as_utc(row.created_at),
    )  # fmt: skip


async def active_schedules(
    session: AsyncSession, patient_id: uuid.UUID, instrument: str | None = None
) -> list[WellbeingSchedule]:
    query = select(WellbeingSchedule).where(
        WellbeingSchedule.patient_id == patient_id, WellbeingSchedule.ended_at.is_(None)
    )
    if instrument is not None:
        query = query.where(WellbeingSchedule.instrument == instrument)
    return list((await session.scalars(query.order_by(WellbeingSchedule.next_due_at))).all())


async def answered(
    session: AsyncSession, patient_id: uuid.UUID, instrument: str, at: datetime
) -> None:
    """A response to ``instrument`` was stored at ``at``: its schedule's next answer is due
    ``every_days`` later (the caller's transaction)."""
    for row in await active_schedules(session, patient_id, instrument):
        row.next_due_at = at + timedelta(days=row.every_days)


class ScheduleService:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def assign(
        self,
        actor: Actor,
        patient_id: uuid.UUID,
        instrument: str,
        every_days: int,
        first_due: datetime | None = None,
    ) -> ScheduleView:
        """Ask the patient to answer ``instrument`` every ``every_days`` days, the first time at
        ``first_due`` (now when not given)."""
        require_role(actor, Role.CLINICIAN)
        if instrument not in ALL:
            raise InvalidInput("Unknown instrument.", field="instrument")
        if not MIN_DAYS <= every_days <= MAX_DAYS:
            raise InvalidInput(
                f"every_days must be between {MIN_DAYS} and {MAX_DAYS}.", field="every_days"
            )
        now = clock.now()
        due = now if first_due is None else clock.as_utc(first_due)
        if not now - timedelta(days=1) <= due <= now + timedelta(days=MAX_DAYS):
            raise InvalidInput(
                "first_due must be between yesterday and a year from now.", field="first_due"
            )
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING, write=True,
                resource_type="WellbeingSchedule",
            )  # fmt: skip
            if await active_schedules(self.session, patient_id, instrument):
                raise Conflict(
                    f"{ALL[instrument].title} is already scheduled for this patient: end that "
                    "schedule first.",
                    code="already_scheduled",
                )
            row = WellbeingSchedule(
                id=uuid.uuid4(), patient_id=patient_id, instrument=instrument,
                every_days=every_days, next_due_at=due, assigned_by=actor.account_id,
                created_at=now,
            )  # fmt: skip
            self.session.add(row)
            audit.record(
                self.session, "wellbeing.schedule_assign", actor=actor, patient_id=patient_id,
                resource_type="WellbeingSchedule", resource_id=row.id,
            )  # fmt: skip
            await self.session.flush()
        return view_of(row, now)

    async def end(self, actor: Actor, schedule_id: uuid.UUID) -> None:
        """Stop a schedule (its clinicians; 404 when not the caller's to see)."""
        require_role(actor, Role.CLINICIAN)
        async with unit_of_work(self.session):
            row = await self.session.get(WellbeingSchedule, schedule_id)
            if row is None:
                raise NotFound("Not found.")
            await authorize(
                self.session, actor, row.patient_id, Category.WELLBEING, write=True,
                resource_type="WellbeingSchedule", resource_id=row.id,
            )  # fmt: skip
            if row.ended_at is not None:
                raise Conflict("This schedule has already ended.", code="schedule_ended")
            row.ended_at, row.ended_by = clock.now(), actor.account_id
            audit.record(
                self.session, "wellbeing.schedule_end", actor=actor, patient_id=row.patient_id,
                resource_type="WellbeingSchedule", resource_id=row.id,
            )  # fmt: skip

    async def schedules(
        self, actor: Actor, patient_id: uuid.UUID | None = None
    ) -> list[ScheduleView]:
        """A patient's active schedules, soonest due first (the caller's own when a patient)."""
        if patient_id is None:
            require_role(actor, Role.PATIENT)
            patient_id = actor.patient_id
            if patient_id is None:
                raise Conflict("Your account has no patient record.", code="no_patient_record")
        async with unit_of_work(self.session):
            await authorize(
                self.session, actor, patient_id, Category.WELLBEING,
                resource_type="WellbeingSchedule",
            )  # fmt: skip
            rows = await active_schedules(self.session, patient_id)
        now = clock.now()
        return [view_of(r, now) for r in rows]


async def remind_due_once(db: Database) -> int:
    """Remind every patient whose scheduled questionnaire is due and not yet reminded for this
    due time; answers how many reminders this node sent."""
    now = clock.now()
    async with db.session() as session:
        rows = (
            await session.execute(
                select(WellbeingSchedule.id, WellbeingSchedule.next_due_at).where(
                    WellbeingSchedule.ended_at.is_(None),
                    WellbeingSchedule.next_due_at <= now,
                    or_(
                        WellbeingSchedule.reminded_for.is_(None),
                        WellbeingSchedule.reminded_for < WellbeingSchedule.next_due_at,
                    ),
                )
            )
        ).all()
    sent = 0
    for schedule_id, due in rows:
        async with db.session() as session, unit_of_work(session) as uow:
            claim = await session.execute(
                update(WellbeingSchedule)
                .where(
                    WellbeingSchedule.id == schedule_id,
                    WellbeingSchedule.ended_at.is_(None),
                    WellbeingSchedule.next_due_at == due,
                    or_(
                        WellbeingSchedule.reminded_for.is_(None),
                        WellbeingSchedule.reminded_for < due,
                    ),
                )
                .values(reminded_for=due)
            )
            if cast(CursorResult, claim).rowcount != 1:
                continue  # answered, ended or reminded by another node meanwhile
            row = await session.get(WellbeingSchedule, schedule_id)
            patient = None if row is None else await directory.patient(session, row.patient_id)
            if row is None or patient is None or patient.account_id is None:
                continue  # nobody to tell: the claim stands, so it is not retried every minute
            await uow.publish(NotificationRequested(
                account_id=patient.account_id, kind=REMINDER_KIND, title=REMINDER_TITLE,
                body=f"{ALL[row.instrument].title} is due: it takes about two minutes.",
                link=LINK, patient_id=row.patient_id, email=True,
            ))  # fmt: skip
            sent += 1
    return sent


async def remind_due_forever(db: Database, every_seconds: float = 60.0) -> None:
    while True:
        try:
            sent = await remind_due_once(db)
            if sent:
                log.info("wellbeing.reminders_sent", count=sent)
        except Exception as exc:
            log.error("wellbeing.reminders_failed", error=type(exc).__name__)
        await clock.sleep(every_seconds)
