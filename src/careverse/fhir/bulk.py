"""FHIR Bulk Data export (Bulk Data Access IG 2.0): ``$export`` at system, Patient and Group
level, run in the background, answered as NDJSON files.

Who may export (:func:`may_bulk_export`, the one place): admins, and later backend clients with
``system/`` scopes (SMART, wired at merge). A clinician may export their own patients (the
``Patient`` level and their own Group) under the ordinary policy. Patients and caregivers may
not (their own record is ``$everything`` and ``/api/me/export``).

How a job runs: the kick-off stores a ``queued`` job and answers at once. Every node runs the
``fhir.bulk-export`` loop; a node claims a job with a conditional UPDATE (only one node's claim
matches), then reads the record of each patient in turn through ``runtime.patient_record``
(every capability's section), one unit of work per patient: it checks the job still runs (a
DELETE cancels it), writes that patient's NDJSON lines and the progress, and beats its claim. A
claim whose beat stops (the node died) is taken over after :data:`STALE_CLAIM`, starting again.
The loop also deletes jobs (and their files) past ``expires_at``.

Whose eyes read each record: for a clinician, their own (``decide(..., RECORD)`` per patient,
audited ``record.read`` with ``via: bulk-export``; a patient they no longer reach is left out).
For an export allowed by :func:`may_bulk_export` (and the command line), the record is read
as its patient would see it (everything), audited ``record.read`` per patient with basis
``bulk-export`` under the requester's id: the policy has no population-level basis of its
own, so this module is the one place that grants it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir.bulk_models import BulkJob, BulkPart
from careverse.fhir.bulk_options import KickOff, Options, Shaping, options_of, warning_lines
from careverse.kernel import audit, clock
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError, Forbidden, NotFound
from careverse.kernel.fhir import PatientRecord, PatientRoster
from careverse.kernel.groups import CareGroup, GroupDirectory
from careverse.kernel.policy import Actor, Category, Role, Scope, decide
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = {NDJSON, "application/ndjson", "ndjson"}
STALE_CLAIM = timedelta(minutes=5)
GROUP_PREFIX = "clinician-"  # a Group is "the patients of clinician X": clinician-<account id>
CLI_ROLE = "cli"  # the requester role of `careverse fhir export` (an operator at the console)
_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
# Where a resource says when it happened, for _since when it has no meta.lastUpdated.
_WHEN = ("issued", "effectiveDateTime", "authored", "recorded", "dateTime", "date", "created",
         "start")  # fmt: skip


def may_bulk_export(actor: Actor) -> bool:
    """Whether ``actor`` may export every patient's record (system level, any Group).

    The one place that decides it: an admin with a full-scope session, or a SMART backend
    client (SMART Backend Services) granted ``system/*.rs`` (or ``system/*.read``).
    """
    if actor.app is not None:
        return actor.app.is_system and actor.app.exports_everything()
    return actor.scope is Scope.FULL and actor.role is Role.ADMIN


@dataclass(frozen=True, slots=True)
class ExportRequest:
    level: str  # system | patient | group
    url: str
    types: tuple[str, ...] | None = None
    since: datetime | None = None
    group_id: str | None = None
    options: Options = field(default_factory=Options)


def parse_request(
    level: str,
    url: str,
    prefer: str | None,
    output_format: str | None,
    types: str | None,
    since: str | None,
    group_id: str | None = None,
    more: KickOff | None = None,
) -> ExportRequest:
    """Check a kick-off's headers and parameters; a 400 names what is wrong, never its value.
    ``more``: ``_typeFilter``, ``_elements``, ``patient``, ``includeAssociatedData``."""
    if not prefer or "respond-async" not in [p.strip() for p in prefer.lower().split(",")]:
        raise DomainError("Bulk export needs the header Prefer: respond-async.")
    if output_format is not None and output_format not in OUTPUT_FORMATS:
        raise DomainError("_outputFormat must be application/fhir+ndjson.")
    wanted = None
    if types is not None:
        wanted = tuple(dict.fromkeys(t.strip() for t in types.split(",") if t.strip()))
        if not wanted or not all(_TYPE.match(t) for t in wanted):
            raise DomainError("_type must be a comma-separated list of resource types.")
    when = None
    if since is not None:
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            raise DomainError("_since must be a FHIR instant with its offset.") from None
        if when.tzinfo is None:
            raise DomainError("_since must be a FHIR instant with its offset.")
        when = when.astimezone(UTC)
    return ExportRequest(level, url, wanted, when, group_id, options_of(level, more, wanted))


def is_programme(group_id: str | None, directory: GroupDirectory | None) -> bool:
    return bool(directory and group_id and group_id.startswith(directory.prefix))


def _group_clinician(group_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(group_id.removeprefix(GROUP_PREFIX))
    except ValueError:
        raise NotFound("Not found.") from None


def _requester(job: BulkJob) -> Actor | None:
    """The requester as an actor, or None for the command line."""
    if job.requester_id is None:
        return None
    return Actor(job.requester_id, Role(job.requester_role), session_id=job.session_id)


def owns(actor: Actor, job: BulkJob) -> bool:
    """Only the requester, signed in with the same session (token), sees the job and files."""
    return actor.account_id == job.requester_id and (
        job.session_id is None or actor.session_id == job.session_id
    )


class BulkExports:
    """Kick-off, status, files and cancellation of export jobs (HTTP side)."""

    def __init__(
        self, session: AsyncSession, settings: Settings, roster: PatientRoster,
        directory: GroupDirectory | None = None,
    ) -> None:  # fmt: skip
        self.session = session
        self.settings = settings
        self.roster = roster
        self.directory = directory

    async def kick_off(self, actor: Actor, request: ExportRequest) -> BulkJob:
        if actor.scope is not Scope.FULL:
            raise Forbidden("Your session does not allow bulk export.")
        async with unit_of_work(self.session):
            if request.level == "group" and is_programme(request.group_id, self.directory):
                assert self.directory is not None
                found = await self.directory.get(self.session, request.group_id or "")
                if found is None:
                    raise NotFound("Not found.")
                if not may_bulk_export(actor) and not (
                    actor.role is Role.CLINICIAN and actor.account_id in found.lead_ids
                ):
                    raise Forbidden("Your role does not allow exporting this group.")
            elif request.level == "group":
                clinician_id = _group_clinician(request.group_id or "")
                known = {c for c, _ in await self.roster.clinicians(self.session)}
                if not may_bulk_export(actor) and not (
                    actor.role is Role.CLINICIAN and actor.account_id == clinician_id
                ):
                    raise Forbidden("Your role does not allow exporting this group.")
                if clinician_id not in known:
                    raise NotFound("Not found.")
            elif request.level == "patient":
                if not may_bulk_export(actor) and actor.role is not Role.CLINICIAN:
                    raise Forbidden("Your role does not allow bulk export.")
            elif not may_bulk_export(actor):
                raise Forbidden("Your role does not allow a system-level export.")
            now = clock.now()
            job = BulkJob(
                requester_id=actor.account_id, requester_role=actor.role.value,
                session_id=actor.session_id, level=request.level, group_id=request.group_id,
                app_name=actor.app.app_name if actor.app else None,
                types=",".join(request.types) if request.types else None, since=request.since,
                request_url=request.url[:2000], status="queued", patients_total=0,
                patients_done=0, created_at=now,
                expires_at=now + timedelta(hours=self.settings.fhir_bulk_expiry_hours),
                options=request.options.dumps(),
            )  # fmt: skip
            self.session.add(job)
            await self.session.flush()
            audit.record(
                self.session, "fhir.export.start", actor=actor, resource_type="Group"
                if request.level == "group" else None, resource_id=job.id,
                detail={"level": request.level, "types": job.types, "since": bool(job.since)},
            )  # fmt: skip
        return job

    async def job(self, actor: Actor, job_id: uuid.UUID) -> BulkJob:
        job = await self.session.get(BulkJob, job_id)
        if job is None or not owns(actor, job) or job.expires_at <= clock.now():
            raise NotFound("Not found.")
        return job

    async def manifest(self, job: BulkJob, base_url: str) -> dict:
        rows = (
            await self.session.execute(
                select(BulkPart.resource_type, BulkPart.count).where(BulkPart.job_id == job.id)
            )
        ).all()
        counts: dict[str, int] = {}
        for kind, count in rows:
            counts[kind] = counts.get(kind, 0) + count
        base = base_url.rstrip("/")
        outcomes = counts.pop("OperationOutcome", 0)  # warnings: the manifest's "error" files
        return {
            "transactionTime": job.created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "request": job.request_url,
            "requiresAccessToken": True,
            "output": [
                {"type": kind, "url": f"{base}/fhir/bulk/{job.id}/{kind}.ndjson", "count": n}
                for kind, n in sorted(counts.items())
            ],
            "error": [
                {"type": "OperationOutcome", "count": outcomes,
                 "url": f"{base}/fhir/bulk/{job.id}/OperationOutcome.ndjson"}
            ] if outcomes else [],
        }  # fmt: skip

    async def cancel(self, actor: Actor, job_id: uuid.UUID) -> None:
        async with unit_of_work(self.session):
            job = await self.job(actor, job_id)
            await self.session.execute(delete(BulkPart).where(BulkPart.job_id == job.id))
            await self.session.execute(delete(BulkJob).where(BulkJob.id == job.id))
            audit.record(self.session, "fhir.export.cancel", actor=actor, resource_id=job.id)

    async def open_file(self, actor: Actor, job_id: uuid.UUID, resource_type: str) -> list:
        """The ids of a file's parts, in order (audited as a download); 404 when none."""
        async with unit_of_work(self.session):
            job = await self.job(actor, job_id)
            if job.status != "done":
                raise NotFound("Not found.")
            parts = (
                await self.session.scalars(
                    select(BulkPart.id)
                    .where(BulkPart.job_id == job.id, BulkPart.resource_type == resource_type)
                    .order_by(BulkPart.seq)
                )
            ).all()
            if not parts:
                raise NotFound("Not found.")
            audit.record(
                self.session, "fhir.export.download", actor=actor, resource_id=job.id,
                detail={"type": resource_type},
            )  # fmt: skip
        return list(parts)


async def stream_parts(db: Database, part_ids: Iterable[uuid.UUID]) -> AsyncIterator[bytes]:
    """A file's NDJSON, one part at a time, each read on a session of its own (the response
    outlives the request's session)."""
    for part_id in part_ids:
        async with db.session() as session:
            content = await session.scalar(select(BulkPart.content).where(BulkPart.id == part_id))
        if content:
            yield content.encode()


# ---- reading records --------------------------------------------------------------------------


def _when(resource: dict) -> datetime | None:
    value = (resource.get("meta") or {}).get("lastUpdated")
    for key in _WHEN:
        if value:
            break
        value = resource.get(key)
    if not value:
        value = (resource.get("period") or resource.get("effectivePeriod") or {}).get("start")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def selected(resource: dict, types: set[str] | None, since: datetime | None) -> bool:
    """Whether a resource belongs in an export: its type asked for, and changed since
    ``_since`` (when it says when; a resource with no time at all is always included)."""
    if types is not None and resource.get("resourceType") not in types:
        return False
    if since is None:
        return True
    when = _when(resource)
    return when is None or when >= since


@dataclass
class Reading:
    """What one export reads: whose eyes, which types, since when, and the ids written."""

    requester: Actor | None
    requester_role: str
    types: set[str] | None
    since: datetime | None
    job_id: uuid.UUID | None = None
    seen: set[tuple[str, str]] = field(default_factory=set)
    app_name: str | None = None  # a SMART backend client: named in each audit row
    shaping: Shaping = field(default_factory=lambda: Shaping(Options()))

    @property
    def as_exporter(self) -> bool:
        return self.requester is None or may_bulk_export(self.requester)


async def patient_lines(
    session: AsyncSession, record: PatientRecord, reading: Reading, patient_id: uuid.UUID
) -> dict[str, list[str]]:
    """One patient's record as NDJSON lines by type (empty when the reader may not see it)."""
    detail: dict = {"via": "bulk-export"}
    if reading.job_id:
        detail["job"] = str(reading.job_id)
    if reading.app_name:
        detail["app"] = reading.app_name
    if reading.as_exporter:
        # Read as the patient would see it: the whole record (see the module's docstring).
        reader = Actor(reading.requester.account_id if reading.requester else uuid.UUID(int=0),
                       Role.PATIENT, patient_id=patient_id)  # fmt: skip
        audit.record(
            session, "record.read", actor_id=reading.requester and reading.requester.account_id,
            actor_role=reading.requester_role, patient_id=patient_id, resource_type="Bundle",
            detail={"basis": "bulk-export", **detail},
        )  # fmt: skip
    else:
        assert reading.requester is not None
        grant, _ = await decide(session, reading.requester, patient_id, Category.RECORD, False)
        if grant is None:
            return {}
        reader = reading.requester
        audit.record(
            session, "record.read", actor=reader, patient_id=patient_id,
            purpose=grant.purpose.value, resource_type="Bundle",
            detail={"basis": grant.basis.value, **detail},
        )  # fmt: skip
    out: dict[str, list[str]] = {}
    for resource in await record.resources(session, reader, patient_id):
        key = (resource["resourceType"], str(resource.get("id")))
        if key in reading.seen or not selected(resource, reading.types, reading.since):
            continue
        if not reading.shaping.keep(resource):
            continue
        reading.seen.add(key)
        resource = reading.shaping.shape(resource)
        line = json.dumps(resource, separators=(",", ":"), ensure_ascii=False)
        out.setdefault(key[0], []).append(line)
    return out


async def patients_of_job(
    session: AsyncSession, roster: PatientRoster, level: str, requester: Actor | None,
    group_id: str | None, directory: GroupDirectory | None = None,
    only: list[str] | None = None,
) -> list[uuid.UUID]:  # fmt: skip
    """The patients an export covers (each is still checked as its record is read); ``only``:
    the kick-off's ``patient`` parameters, if any."""
    found = await _patients_of_job(session, roster, level, requester, group_id, directory)
    if only is None:
        return found
    wanted = set(only)
    return [p for p in found if str(p) in wanted]


def active_members(group: CareGroup | None) -> list[uuid.UUID]:
    if group is None:
        return []
    return list(dict.fromkeys(m.patient_id for m in group.members if m.active))


async def _patients_of_job(
    session: AsyncSession, roster: PatientRoster, level: str, requester: Actor | None,
    group_id: str | None, directory: GroupDirectory | None,
) -> list[uuid.UUID]:  # fmt: skip
    if level == "group" and is_programme(group_id, directory):
        assert directory is not None
        return active_members(await directory.get(session, group_id or ""))
    if level == "group":
        return await roster.reachable(session, Actor(_group_clinician(group_id or ""),
                                                     Role.CLINICIAN))  # fmt: skip
    if requester is None or may_bulk_export(requester):
        return await roster.everyone(session)
    return await roster.reachable(session, requester)


# ---- the background job -----------------------------------------------------------------------


class _Cancelled(Exception):
    """The job's row is gone or no longer ours (cancelled, expired, or claimed again)."""


async def _claim(db: Database, job_id: uuid.UUID, now: datetime) -> bool:
    async with db.session() as session, unit_of_work(session):
        claim = await session.execute(
            update(BulkJob)
            .where(
                BulkJob.id == job_id,
                or_(
                    BulkJob.status == "queued",
                    (BulkJob.status == "running") & (BulkJob.claimed_at < now - STALE_CLAIM),
                ),
            )
            .values(status="running", claimed_at=now, patients_done=0)
        )
        if cast(CursorResult, claim).rowcount != 1:
            return False
        # A job taken over from a node that died starts again from its first patient.
        await session.execute(delete(BulkPart).where(BulkPart.job_id == job_id))
    return True


async def run_job(
    db: Database, record: PatientRecord, roster: PatientRoster, job_id: uuid.UUID,
    directory: GroupDirectory | None = None,
) -> bool:  # fmt: skip
    """Claim and run one job to the end; answers whether this node ran it."""
    started = clock.now()
    if not await _claim(db, job_id, started):
        return False
    async with db.session() as session:
        job = await session.get(BulkJob, job_id)
        if job is None:
            return False
        requester = _requester(job)
        types = set(job.types.split(",")) if job.types else None
        options = Options.loads(job.options)
        reading = Reading(
            requester, job.requester_role, types, job.since, job.id, app_name=job.app_name,
            shaping=Shaping(options),
        )  # fmt: skip
        patients = await patients_of_job(
            session, roster, job.level, requester, job.group_id, directory, options.patients
        )
    try:
        for index, patient_id in enumerate(patients):
            async with db.session() as session, unit_of_work(session):
                beat = await session.execute(
                    update(BulkJob)
                    .where(
                        BulkJob.id == job_id,
                        BulkJob.status == "running",
                        BulkJob.claimed_at >= started,
                    )
                    .values(
                        patients_done=index + 1,
                        patients_total=len(patients),
                        claimed_at=max(clock.now(), started),
                    )
                )
                if cast(CursorResult, beat).rowcount != 1:
                    raise _Cancelled
                lines = await patient_lines(session, record, reading, patient_id)
                for kind, rows in lines.items():
                    content = "\n".join(rows) + "\n"
                    session.add(
                        BulkPart(
                            job_id=job_id, resource_type=kind, seq=index, count=len(rows),
                            content=content,
                        )
                    )  # fmt: skip
        async with db.session() as session, unit_of_work(session):
            done = await session.execute(
                update(BulkJob)
                .where(BulkJob.id == job_id, BulkJob.status == "running")
                .values(
                    status="done",
                    finished_at=clock.now(),
                    patients_total=len(patients),
                    patients_done=len(patients),
                )
            )
            if cast(CursorResult, done).rowcount != 1:
                raise _Cancelled
            if options.warnings:  # the manifest lists them under "error"
                session.add(BulkPart(
                    job_id=job_id, resource_type="OperationOutcome", seq=len(patients),
                    count=len(options.warnings), content=warning_lines(options),
                ))  # fmt: skip
            audit.record(
                session, "fhir.export.complete", actor_id=requester and requester.account_id,
                actor_role=job.requester_role, resource_id=job_id,
                detail={"patients": len(patients), "resources": len(reading.seen)},
            )  # fmt: skip
    except _Cancelled:
        log.info("fhir.bulk_export_cancelled", job=str(job_id))
        return True
    except Exception as exc:  # a failure ends the job (its reason without health data)
        log.error("fhir.bulk_export_failed", job=str(job_id), error=type(exc).__name__)
        async with db.session() as session, unit_of_work(session):
            await session.execute(
                update(BulkJob).where(BulkJob.id == job_id)
                .values(status="failed", finished_at=clock.now(), error=type(exc).__name__)
            )  # fmt: skip
        return True
    log.info("fhir.bulk_export_done", job=str(job_id), patients=len(patients))
    return True


async def delete_expired(db: Database) -> int:
    """Delete the jobs (and files) past their expiry; answers how many this node deleted
    (nodes racing for the same job: only the one whose DELETE removed it audits it)."""
    now = clock.now()
    deleted = 0
    async with db.session() as session, unit_of_work(session):
        expired = (await session.scalars(select(BulkJob.id).where(BulkJob.expires_at <= now))).all()
        for job_id in expired:
            await session.execute(delete(BulkPart).where(BulkPart.job_id == job_id))
            gone = await session.execute(delete(BulkJob).where(BulkJob.id == job_id))
            if cast(CursorResult, gone).rowcount == 1:
                audit.record(session, "fhir.export.expire", resource_id=job_id)
                deleted += 1
    return deleted


async def run_due_once(
    db: Database, record: PatientRecord, roster: PatientRoster,
    directory: GroupDirectory | None = None,
) -> int:  # fmt: skip
    """Delete expired exports, then run every job waiting (or left by a dead node); answers
    how many jobs this node ran."""
    await delete_expired(db)
    now = clock.now()
    async with db.session() as session:
        due = (
            await session.scalars(
                select(BulkJob.id)
                .where(
                    or_(
                        BulkJob.status == "queued",
                        (BulkJob.status == "running") & (BulkJob.claimed_at < now - STALE_CLAIM),
                    )
                )
                .order_by(BulkJob.created_at)
            )
        ).all()
    ran = 0
    for job_id in due:
        ran += await run_job(db, record, roster, job_id, directory)
    return ran


async def run_forever(
    db: Callable[[], Database], record: PatientRecord, roster: Callable[[], PatientRoster],
    settings: Settings, directory: Callable[[], GroupDirectory | None] = lambda: None,
) -> None:  # fmt: skip
    while True:
        try:
            await run_due_once(db(), record, roster(), directory())
        except Exception as exc:
            log.error("fhir.bulk_export_check_failed", error=type(exc).__name__)
        await clock.sleep(settings.fhir_bulk_check_seconds)


async def export_all(
    db: Database, record: PatientRecord, roster: PatientRoster, types: set[str] | None,
    since: datetime | None, write: Callable[[str, list[str]], None],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:  # fmt: skip
    """The command line's export, in this process: every patient's record, ``write(type,
    lines)`` per patient and type (the caller keeps one file per type); answers the count of
    resources per type. Audited as an export by the console (``cli``)."""
    reading = Reading(None, CLI_ROLE, types, since)
    async with db.session() as session:
        patients = await patients_of_job(session, roster, "system", None, None)
    async with db.session() as session, unit_of_work(session):
        detail = {"level": "system", "types": ",".join(sorted(types or ())) or None}
        audit.record(session, "fhir.export.start", actor_role=CLI_ROLE, detail=detail)
    counts: dict[str, int] = {}
    for index, patient_id in enumerate(patients):
        async with db.session() as session, unit_of_work(session):
            lines = await patient_lines(session, record, reading, patient_id)
        for kind, rows in lines.items():
            write(kind, rows)
            counts[kind] = counts.get(kind, 0) + len(rows)
        if progress:
            progress(index + 1, len(patients))
    async with db.session() as session, unit_of_work(session):
        detail = {"patients": len(patients), "resources": sum(counts.values())}
        audit.record(session, "fhir.export.complete", actor_role=CLI_ROLE, detail=detail)
    return counts
