"""Background work of monitoring's rules side.

- :class:`Evaluator` — handles :class:`ReadingsCommitted`, :class:`CarePlanChanged` and
  :class:`ClinicalObservationRecorded` (COMMITTED phase: after the commit, on the node that
  committed) and evaluates NEWS2 and the care-plan rules of the patients concerned, in the
  background, coalescing a burst of batches for one patient into one evaluation (a patient is
  never evaluated twice at once on a node).
- :func:`check_absence_once` — on a schedule: the no-data rules (a device that went quiet sends
  nothing that could trigger an evaluation).
- :func:`escalation.escalate_due` — on a schedule: alerts nobody acknowledged in time. Every node
  may run it; each alert is claimed by exactly one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

import structlog

from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import dependency_unreachable
from careverse.monitoring.escalation import escalate_due
from careverse.monitoring.evaluation import evaluate_patient
from careverse.monitoring.events import (
    AlertChanged,
    CarePlanChanged,
    ClinicalObservationRecorded,
    ReadingsCommitted,
)
from careverse.monitoring.rules import active_rules

log = structlog.get_logger(__name__)

RETRY_SECONDS = 2.0  # an evaluation the database's outage interrupted is tried again after this


class Evaluator:
    """Evaluates patients after their readings or care plan changed, in a background task."""

    def __init__(self, settings: Settings, concurrency: int = 0):
        self.settings = settings
        # Evaluations mostly read (WAL lets SQLite readers run side by side); writes are rare.
        self.concurrency = concurrency or 4
        self.db: Database | None = None
        self._pending: dict[uuid.UUID, set[str] | None] = {}
        self._busy: set[uuid.UUID] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._running: set[asyncio.Task] = set()
        # Per patient: the newest reading id each code's threshold rules have judged.
        self._marks: dict[uuid.UUID, dict[str, int]] = {}

    # ---- event handlers (COMMITTED phase): queue the work, never wait for it ----------------

    async def on_readings(self, event: ReadingsCommitted) -> None:
        """New readings: the checks their codes could change."""
        self._request(event.patient_ids, event.codes)

    async def on_care_plan_changed(
        self, event: CarePlanChanged | ClinicalObservationRecorded
    ) -> None:
        """A rule, a NEWS2 setting or a bedside observation changed: every check of the patient."""
        self._request((event.patient_id,), None)

    def _request(self, patient_ids: Iterable[uuid.UUID], codes: frozenset[str] | None) -> None:
        loop = self._loop
        if loop is None:  # not started (or stopped): nothing evaluates on this node
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._queue(patient_ids, codes)
        else:
            loop.call_soon_threadsafe(self._queue, tuple(patient_ids), codes)

    def _queue(self, patient_ids: Iterable[uuid.UUID], codes: frozenset[str] | None) -> None:
        for patient_id in patient_ids:
            if patient_id in self._pending:
                current = self._pending[patient_id]
                self._pending[patient_id] = (
                    None if current is None or codes is None else current | codes
                )
            else:
                self._pending[patient_id] = None if codes is None else set(codes)
        self._idle.clear()
        self._wake.set()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Until nothing is queued or running (tests and benchmarks)."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    # ---- the background task -----------------------------------------------------------------

    def start(self, db: Database) -> None:
        self.db = db
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._loop = None
        tasks = [t for t in (self._task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self) -> None:
        workers = asyncio.Semaphore(self.concurrency)
        running = self._running
        while True:
            await self._wake.wait()
            self._wake.clear()
            for patient_id in [p for p in self._pending if p not in self._busy]:
                codes = self._pending.pop(patient_id)
                self._busy.add(patient_id)
                await workers.acquire()
                task = asyncio.create_task(self._evaluate(patient_id, codes, workers))
                running.add(task)
                task.add_done_callback(running.discard)
            if not self._pending and not self._busy:
                self._idle.set()

    async def _evaluate(
        self, patient_id: uuid.UUID, codes: set[str] | None, workers: asyncio.Semaphore
    ) -> list[AlertChanged]:
        try:
            if self.db is None:  # stopped meanwhile
                return []
            return await evaluate_patient(
                self.db, self.settings, patient_id,
                frozenset(codes) if codes is not None else None,
                self._marks.setdefault(patient_id, {}),
            )  # fmt: skip
        except Exception as exc:
            log.error("monitoring.evaluation_failed", error=type(exc).__name__)
            if dependency_unreachable(exc) and self._loop is not None:
                # The database went away after the readings were committed (and acknowledged):
                # evaluate again once it may be back, or they would never meet their rules.
                again = frozenset(codes) if codes is not None else None
                self._loop.call_later(RETRY_SECONDS, self._queue, (patient_id,), again)
            return []
        finally:
            self._busy.discard(patient_id)
            workers.release()
            self._wake.set()  # readings may have arrived for this patient meanwhile


async def check_absence_once(db: Database, settings: Settings) -> int:
    """Evaluate every patient with a no-data rule; answers how many alert changes followed."""
    async with db.session() as session:
        rules = await active_rules(session, None, "no_data")
    patient_ids = list(dict.fromkeys(r.patient_id for r in rules))
    changes = 0
    for patient_id in patient_ids:
        try:
            changes += len(await evaluate_patient(db, settings, patient_id, frozenset()))
        except Exception as exc:
            log.error("monitoring.absence_check_failed", error=type(exc).__name__)
    return changes


async def schedule_forever(db: Database, settings: Settings) -> None:
    """The no-data and escalation checks, every ``alert_check_seconds``."""
    while True:
        await asyncio.sleep(settings.alert_check_seconds)
        for check in (check_absence_once, escalate_due):
            try:
                await check(db, settings)
            except Exception as exc:
                log.error("monitoring.scheduled_check_failed", error=type(exc).__name__)
