"""Readings in: Open mHealth data points to rows, per-item checks, one bulk insert per batch.

Every way in (HTTP batches, FHIR, MQTT) ends in :func:`store`: rows go in with one multi-row
INSERT ... ON CONFLICT DO NOTHING (the (patient, source id, code) key makes retries idempotent),
one audit event records the batch, and :class:`ReadingsCommitted` is published in the same unit
of work, so its handlers (the rules) run only after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

import msgspec
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit, clock
from careverse.kernel.errors import InvalidInput
from careverse.kernel.heartbeats import HeartBeatsRecorded
from careverse.monitoring import json_input, units
from careverse.monitoring.events import ReadingsCommitted
from careverse.monitoring.models import Reading
from careverse.monitoring.units import Implausible

MAX_BATCH = 10_000  # data points per request or message
FUTURE_SKEW = timedelta(minutes=5)  # device clocks drift; further ahead is refused


# ---- the wire shapes (msgspec: decoding a 1,000-point batch takes about a millisecond) --------

SourceId = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class SchemaId(msgspec.Struct, forbid_unknown_fields=False):
    namespace: str
    name: str
    version: str = ""


class Header(msgspec.Struct, forbid_unknown_fields=False):
    id: SourceId
    schema_id: SchemaId


class DataPoint(msgspec.Struct, forbid_unknown_fields=False):
    header: Header
    body: dict[str, Any]


class Envelope(msgspec.Struct, forbid_unknown_fields=False):
    data_points: list[msgspec.Raw]
    patient_id: uuid.UUID | None = None
    credential: str | None = None


# ---- one parsed value ------------------------------------------------------------------------


@dataclass(slots=True)
class Value:
    code: str
    unit: str
    value: float
    effective_at: datetime
    source_id: str


@dataclass(slots=True)
class Item:
    """One data point of a batch: its values, or the reason it was refused."""

    index: int
    values: list[Value] = field(default_factory=list)
    reason: str | None = None
    status: str = "rejected"
    patient_id: uuid.UUID | None = None


@dataclass(slots=True)
class Outcome:
    items: list[Item]

    @property
    def accepted(self) -> int:
        return sum(1 for i in self.items if i.status == "stored")

    @property
    def duplicates(self) -> int:
        return sum(1 for i in self.items if i.status == "duplicate")

    def as_json(self) -> dict:
        results = []
        rejected = []
        for item in self.items:
            entry: dict = {"index": item.index, "status": item.status}
            if item.reason:
                entry["reason"] = item.reason
                rejected.append({"index": item.index, "reason": item.reason})
            results.append(entry)
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": rejected,
            "results": results,
        }


def parse_time(text: object, now: datetime) -> datetime:
    if not isinstance(text, str) or len(text) > 40:
        raise Implausible("effective time must be an ISO 8601 date-time")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise Implausible("effective time must be an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise Implausible("effective time must include a UTC offset")
    at = at.astimezone(UTC)
    if at > now + FUTURE_SKEW:
        raise Implausible("effective time is in the future")
    return at


def _effective(body: dict, now: datetime) -> datetime:
    frame = body.get("effective_time_frame")
    if not isinstance(frame, dict):
        raise Implausible("effective_time_frame is required")
    if "date_time" in frame:
        return parse_time(frame["date_time"], now)
    interval = frame.get("time_interval")
    if isinstance(interval, dict):
        end = interval.get("end_date_time") or interval.get("start_date_time")
        return parse_time(end, now)
    raise Implausible("effective_time_frame needs date_time or time_interval")


def _unit_value(body: dict, name: str) -> tuple[object, str | None]:
    field_ = body.get(name)
    if isinstance(field_, dict):
        unit = field_.get("unit")
        return field_.get("value"), unit if isinstance(unit, str) else None
    if isinstance(field_, int | float) and not isinstance(field_, bool):
        return field_, None  # step-count 1.0 carries a bare number
    raise Implausible(f"{name} must be a {{value, unit}} object")


# schema name -> [(body field, LOINC code, required)]
OMH_SCHEMAS: dict[str, list[tuple[str, str, bool]]] = {
    "heart-rate": [("heart_rate", units.HEART_RATE, True)],
    "oxygen-saturation": [
        ("oxygen_saturation", units.SPO2, True),
        ("supplemental_oxygen_flow_rate", units.O2_FLOW, False),
    ],
    "blood-pressure": [
        ("systolic_blood_pressure", units.SYSTOLIC, True),
        ("diastolic_blood_pressure", units.DIASTOLIC, True),
    ],
    "body-temperature": [("body_temperature", units.TEMPERATURE, True)],
    "respiratory-rate": [("respiratory_rate", units.RESPIRATORY_RATE, True)],
    "step-count": [("step_count", units.STEPS, True)],
    "body-weight": [("body_weight", units.WEIGHT, True)],
    "blood-glucose": [("blood_glucose", units.GLUCOSE, True)],
    "rr-interval": [("rr_interval", units.RR_INTERVAL, True)],
}


def check_pair(values: list[Value]) -> None:
    """A blood pressure's diastolic must be below its systolic."""
    by_code = {v.code: v.value for v in values}
    sys_, dia = by_code.get(units.SYSTOLIC), by_code.get(units.DIASTOLIC)
    if sys_ is not None and dia is not None and dia >= sys_:
        raise Implausible("blood pressure: diastolic must be below systolic")


def parse_omh(raw: bytes | msgspec.Raw, now: datetime) -> list[Value]:
    """One Open mHealth data point to stored values; raises Implausible with the reason."""
    try:
        point = msgspec.json.decode(raw, type=DataPoint)
    except msgspec.ValidationError as exc:
        raise Implausible(f"not an Open mHealth data point: {exc}") from None
    except msgspec.DecodeError:
        raise Implausible("not valid JSON") from None
    if point.header.schema_id.namespace != "omh":
        raise Implausible("unsupported schema namespace (expected omh)")
    fields = OMH_SCHEMAS.get(point.header.schema_id.name)
    if fields is None:
        raise Implausible("unsupported schema")
    body = point.body
    at = _effective(body, now)
    values = []
    for name, code, required in fields:
        if name not in body:
            if required:
                raise Implausible(f"{name} is required")
            continue
        value, unit = _unit_value(body, name)
        converted, ucum = units.normalize(code, value, unit)
        values.append(Value(code, ucum, converted, at, point.header.id))
    check_pair(values)
    return values


def parse_batch(points: Sequence[msgspec.Raw], now: datetime | None = None) -> list[Item]:
    now = now or clock.now()
    items = []
    for index, raw in enumerate(points):
        item = Item(index)
        try:
            item.values = parse_omh(raw, now)
        except Implausible as exc:
            item.reason = str(exc)
        items.append(item)
    return items


def decode_envelope(body: bytes) -> Envelope:
    """The HTTP batch; its data points stay raw (each is parsed on its own, refused on its own).

    Nesting is checked here, over the whole body, data points included (:class:`TooDeep`)."""
    try:
        envelope = json_input.decode(body, into=Envelope)
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            f"Expected {{'data_points': [...]}}: {exc}", field="data_points"
        ) from None
    except msgspec.DecodeError:
        raise InvalidInput("The body is not valid JSON.") from None
    if len(envelope.data_points) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} data points per batch.", field="data_points")
    return envelope


# ---- storing ---------------------------------------------------------------------------------

_sqlite_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def write_lock(session: AsyncSession) -> contextlib.AbstractAsyncContextManager:
    """On SQLite, one ingest transaction at a time per process.

    SQLite has a single writer; concurrent writers otherwise wait in its sleeping busy handler,
    which is unfair (a writer can lose the race again and again: seconds of tail latency). An
    asyncio lock queues them in order instead. PostgreSQL needs no lock. Take it around the unit
    of work (``async with write_lock(s), unit_of_work(s):``) so that it is held until the commit.
    """
    if session.get_bind().dialect.name != "sqlite":
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    lock = _sqlite_writers.get(loop)
    if lock is None:
        lock = _sqlite_writers[loop] = asyncio.Lock()
    return lock


def insert_readings(session: AsyncSession):
    """INSERT ... ON CONFLICT DO NOTHING into the readings table, answering the keys it stored."""
    # SQLAlchemy types __table__ as any FromClause; a mapped class's is its Table.
    table = cast(Table, Reading.__table__)
    postgresql = session.get_bind().dialect.name == "postgresql"
    stmt = pg_insert(table) if postgresql else sqlite_insert(table)
    return stmt.on_conflict_do_nothing(
        index_elements=["patient_id", "source_id", "code"]
    ).returning(table.c.patient_id, table.c.source_id, table.c.code)


async def store(
    session: AsyncSession,
    items: Iterable[Item],
    *,
    patient_id: uuid.UUID | None,
    device_id: uuid.UUID | None,
    received_at: datetime | None = None,
) -> None:
    """Insert the values of the good items (one statement), setting each item's status.

    Items whose values all exist already (same patient, source id and code) are duplicates. The
    caller's unit of work audits and commits; nothing is acknowledged before that commit. A good
    item without a patient (its own or ``patient_id``) raises ``ValueError``.
    """
    received_at = received_at or clock.now()
    rows = []
    seen: set[tuple[uuid.UUID, str, str]] = set()
    pending: list[Item] = []
    for item in items:
        if item.reason is not None:
            continue
        pid = item.patient_id or patient_id
        if pid is None:  # callers refuse such items first (a reason): this is a bug, not input
            raise ValueError(f"item {item.index} to store names no patient")
        item.patient_id = pid
        fresh = False
        for v in item.values:
            key = (pid, v.source_id, v.code)
            if key in seen:
                continue
            seen.add(key)
            fresh = True
            rows.append(
                {
                    "patient_id": pid,
                    "device_id": device_id,
                    "code": v.code,
                    "unit": v.unit,
                    "value": v.value,
                    "effective_at": v.effective_at,
                    "received_at": received_at,
                    "source_id": v.source_id,
                }
            )
        item.status = "stored" if fresh else "duplicate"
        pending.append(item)
    if not rows:
        return
    inserted = {tuple(r) for r in (await session.execute(insert_readings(session), rows)).all()}
    for item in pending:
        if item.status == "stored" and not any(
            (item.patient_id, v.source_id, v.code) in inserted for v in item.values
        ):
            item.status = "duplicate"


def audit_batch(
    session: AsyncSession,
    items: Sequence[Item],
    *,
    actor=None,
    device_id: uuid.UUID | None = None,
    channel: str,
    address: str | None = None,
) -> None:
    """One audit event per patient per batch (never one per reading)."""
    counts: dict[uuid.UUID, list[int]] = {}
    for item in items:
        if item.patient_id is None:
            continue
        c = counts.setdefault(item.patient_id, [0, 0])
        if item.status == "stored":
            c[0] += 1
        elif item.status == "duplicate":
            c[1] += 1
    for pid, (stored, dup) in counts.items():
        audit.record(
            session, "vitals.write", actor=actor, patient_id=pid,
            purpose="self" if device_id else None,
            resource_type="Device" if device_id else "Observation",
            resource_id=device_id or pid, address=address, actor_role=None if actor else "device",
            detail={"channel": channel, "stored": stored, "duplicates": dup},
        )  # fmt: skip


def readings_committed(items: Sequence[Item], received_at: float) -> ReadingsCommitted | None:
    """The event to publish for a batch (None when it stored nothing new)."""
    stored = [i for i in items if i.status == "stored"]
    if not stored:
        return None
    return ReadingsCommitted(
        patient_ids=frozenset(i.patient_id for i in stored if i.patient_id),
        codes=frozenset(v.code for i in stored for v in i.values),
        received_at=received_at,
    )


def heart_beats_recorded(items: Sequence[Item], received_at: float) -> list[HeartBeatsRecorded]:
    """One event per patient with the RR intervals and heart rates newly stored in a batch."""
    by_patient: dict[uuid.UUID, list[Value]] = {}
    for item in items:
        if item.status != "stored" or item.patient_id is None:
            continue
        for v in item.values:
            if v.code in (units.RR_INTERVAL, units.HEART_RATE):
                by_patient.setdefault(item.patient_id, []).append(v)
    events = []
    for patient_id, values in by_patient.items():
        values.sort(key=lambda v: v.effective_at)
        rr = [v for v in values if v.code == units.RR_INTERVAL]
        hr = [v for v in values if v.code == units.HEART_RATE]
        events.append(
            HeartBeatsRecorded(
                patient_id=patient_id,
                rr_ms=tuple(v.value for v in rr),
                rr_at=tuple(v.effective_at.timestamp() for v in rr),
                heart_rate=tuple(v.value for v in hr),
                heart_rate_at=tuple(v.effective_at.timestamp() for v in hr),
                received_at=received_at,
            )
        )
    return events
