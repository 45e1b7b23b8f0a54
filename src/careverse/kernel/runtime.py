"""The runtime of one node: what every capability shares, typed, instead of ``app.state``.

``app.py`` makes one :class:`Runtime` and hands it to each capability's ``setup(runtime)``, which
registers the capability's routers, event handlers, start-up hooks and background jobs. Then
:meth:`Runtime.start` opens the database, Redis and the bus, runs the start-up hooks in order and
starts the jobs; :meth:`Runtime.stop` undoes it all in reverse.

A capability that keeps a node-wide object (the world's hub, monitoring's alert notifier) puts it
here with :meth:`provide` and others find it with :meth:`get`, by its class, so the kernel knows
no capability's types.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import structlog
from fastapi import APIRouter
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import bus as event_bus
from careverse.kernel import crypto
from careverse.kernel import redis as redis_conn
from careverse.kernel.config import Settings
from careverse.kernel.db import Base, Database
from careverse.kernel.events import EventDispatcher
from careverse.kernel.fhir import PatientRecord
from careverse.kernel.http import Metrics
from careverse.kernel.mail import Mailer

log = structlog.get_logger(__name__)

T = TypeVar("T")
Hook = Callable[[], Awaitable[None]]
Job = Callable[[], Coroutine[Any, Any, Any]]
PatientFacet = Callable[[AsyncSession, list[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]


class PatientFacets:
    """What a clinician's patient list shows of each patient, one facet per owning capability.

    Monitoring adds the latest NEWS2 and the open alerts, wellbeing the overdue questionnaires,
    care the next visit, each in its ``setup(runtime)``, so the list (in care) reads no other
    capability's tables. A facet is batched: ``(session, patient_ids) -> {patient_id: value}``
    in a fixed number of queries however many patients (no query per patient); a patient with
    nothing to show is left out of the answer. The caller has authorised every patient first.
    """

    def __init__(self) -> None:
        self._facets: dict[str, PatientFacet] = {}

    def add(self, name: str, facet: PatientFacet) -> None:
        if name in self._facets:
            raise ValueError(f"the patient facet {name!r} is registered already")
        self._facets[name] = facet

    @property
    def names(self) -> list[str]:
        return list(self._facets)

    async def read(
        self, session: AsyncSession, patient_ids: list[uuid.UUID]
    ) -> dict[str, dict[uuid.UUID, Any]]:
        """Every facet of these patients: facet name → {patient_id: value} (one session, so
        one after the other)."""
        return {name: await facet(session, patient_ids) for name, facet in self._facets.items()}


async def open_checked_database(
    settings: Settings, events: EventDispatcher | None = None
) -> Database:
    """Open the database (migrating it when configured) and check the key ring against it.

    Raises :class:`crypto.KeyRingError` (the database closed again) when the installed key ring
    is not the one of the stored data; see :func:`crypto.check_keyring`.
    """
    db = Database(settings.effective_database_url, events=events)
    try:
        if settings.migrate_on_start:
            await db.migrate()
        await crypto.check_keyring(db.engine, crypto.keyring(), Base.metadata)
    except BaseException:
        await db.dispose()
        raise
    return db


async def check_start(settings: Settings) -> None:
    """What :meth:`Runtime.start` checks before serving, alone: for the CLI to refuse cleanly."""
    db = await open_checked_database(settings)
    await db.dispose()


class NotStarted(RuntimeError):
    """A node-wide resource was used before :meth:`Runtime.start` (or after stop)."""


class Runtime:
    """Settings, database, Redis, bus, events, mail and metrics of one node, and its parts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.events = EventDispatcher()
        self.metrics = Metrics()
        self.mailer = Mailer(settings)
        self.routers: list[APIRouter] = []
        self.fhir_routers: list[APIRouter] = []  # composed under /fhir by the fhir package
        self.patient_record = PatientRecord()  # FHIR sections of a record, one per capability
        self.patient_facets = PatientFacets()  # what the clinician's patient list shows
        self._db: Database | None = None
        self._redis: Redis | None = None
        self._bus: event_bus.Bus | None = None
        self._parts: dict[type, object] = {}
        self._on_start: list[Hook] = []
        self._on_stop: list[Hook] = []
        self._jobs: list[tuple[str, Job]] = []
        self._tasks: list[asyncio.Task] = []

    # ---- what setup(runtime) registers -----------------------------------------------------

    def include_router(self, router: APIRouter) -> None:
        self.routers.append(router)

    def include_fhir_router(self, router: APIRouter) -> None:
        """A capability's own FHIR routes (paths relative to ``/fhir``)."""
        self.fhir_routers.append(router)

    def on_start(self, hook: Hook) -> None:
        """Run ``hook`` at start, after the database and bus are open (in registration order)."""
        self._on_start.append(hook)

    def on_stop(self, hook: Hook) -> None:
        """Run ``hook`` at stop, before the database and bus close (in reverse order)."""
        self._on_stop.append(hook)

    def add_job(self, name: str, job: Job) -> None:
        """Run ``job()`` as a background task from start to stop (it usually loops forever)."""
        self._jobs.append((name, job))

    def provide(self, part: T, as_type: type[T] | None = None) -> T:
        """Make a node-wide object findable by its class (or ``as_type``)."""
        self._parts[as_type or type(part)] = part
        return part

    def get(self, kind: type[T]) -> T:
        """The node-wide object of class ``kind``; raises :class:`NotStarted` when absent."""
        part = self._parts.get(kind)
        if part is None:
            raise NotStarted(f"{kind.__name__} is not available on this node")
        return part  # type: ignore[return-value]

    def find(self, kind: type[T]) -> T | None:
        return self._parts.get(kind)  # type: ignore[return-value]

    # ---- node-wide resources ---------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            raise NotStarted("the database is not open")
        return self._db

    @property
    def redis(self) -> Redis | None:
        return self._redis

    @property
    def bus(self) -> event_bus.Bus:
        if self._bus is None:
            raise NotStarted("the bus is not open")
        return self._bus

    @property
    def job_names(self) -> list[str]:
        """The background jobs registered by the capabilities, in registration order."""
        return [name for name, _ in self._jobs]

    def running_jobs(self) -> list[str]:
        """The jobs whose task is alive now: all of them on a healthy started node."""
        return [task.get_name() for task in self._tasks if not task.done()]

    @property
    def started(self) -> bool:
        return self._db is not None

    async def start(self) -> None:
        """Open the database (migrating it when configured), Redis and the bus; start the parts."""
        try:
            db = await open_checked_database(self.settings, self.events)
        except crypto.KeyRingError as exc:
            log.error("careverse.refused_to_start", reason=str(exc))
            raise
        self._db = db
        self._redis = redis_conn.connect(self.settings.redis_url)
        self._bus = event_bus.create(self._redis)
        await self.events.start(self._bus)
        for hook in self._on_start:
            await hook()
        self._tasks = [asyncio.create_task(job(), name=name) for name, job in self._jobs]
        log.info("careverse.started", database=db.engine.dialect.name, redis=bool(self._redis))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for hook in reversed(self._on_stop):
            try:
                await hook()
            except Exception as exc:
                log.error("careverse.stop_hook_failed", error=type(exc).__name__)
        await self.events.stop()
        if self._bus is not None:
            await self._bus.close()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
        if self._db is not None:
            await self._db.dispose()
        self._db = self._redis = self._bus = None
