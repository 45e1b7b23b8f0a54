"""The audit trail: an append-only, hash-chained table, written in the action's own transaction.

Services call :func:`record`; the events wait on the session and are chained just before it
commits (:func:`_chain_pending`), under a lock on the single ``audit_head`` row, so concurrent
transactions on any number of nodes append in one order. Each row's hash is SHA-256 over the
previous hash and the row's canonical form; :func:`verify` recomputes the chain and names the
first row that does not fit.
Audit rows hold ids, never names or health data, so erasure leaves them pseudonymous.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, Text, Uuid, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from careverse.kernel import clock
from careverse.kernel.actor import Actor
from careverse.kernel.db import Base, UTCDateTime

GENESIS = "0" * 64
PENDING_KEY = "careverse.audit.pending"


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class AuditEvent(Base):
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    resource_type: Mapped[str | None] = mapped_column(String(40))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # small JSON; never health data
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The end of the chain: one row, locked by every append, compared by :func:`verify`."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


@dataclass
class AuditRecord:
    action: str
    outcome: Outcome = Outcome.SUCCESS
    actor_id: uuid.UUID | None = None
    actor_role: str | None = None
    patient_id: uuid.UUID | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    purpose: str | None = None
    address: str | None = None
    detail: dict | None = None
    at: datetime = field(default_factory=clock.now)


def record(
    session: AsyncSession | Session,
    action: str,
    *,
    actor: Actor | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    patient_id: uuid.UUID | None = None,
    resource_type: str | None = None,
    resource_id: object = None,
    purpose: str | None = None,
    detail: dict | None = None,
    actor_id: uuid.UUID | None = None,
    actor_role: str | None = None,
    address: str | None = None,
) -> None:
    """Queue an audit event; it is written when (and only if) this session commits."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if not sync.in_transaction():
        # Tie the event to a transaction (no SQL yet), so a rollback before any statement drops it.
        sync.begin()
    if actor is not None and actor.app is not None:
        # A SMART app acted for the person: the access log names the app (docs/fhir.md).
        detail = {**(detail or {}), "app": actor.app.app_name}
    sync.info.setdefault(PENDING_KEY, []).append(
        AuditRecord(
            action=action,
            outcome=outcome,
            actor_id=actor.account_id if actor else actor_id,
            actor_role=actor.role.value if actor else actor_role,
            patient_id=patient_id,
            resource_type=resource_type,
            resource_id=None if resource_id is None else str(resource_id),
            purpose=purpose,
            address=(actor.address if actor else None) or address,
            detail=detail,
        )
    )


def canonical(row: AuditEvent | dict) -> bytes:
    """The bytes a row's hash covers: every field but the hash, in a fixed JSON form."""

    def get(key: str) -> Any:
        return row.get(key) if isinstance(row, dict) else getattr(row, key)

    at = clock.as_utc(get("at")).astimezone(UTC)  # the instant in UTC, whatever its offset
    body = {
        "seq": get("seq"),
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": str(get("actor_id")) if get("actor_id") else None,
        "actor_role": get("actor_role"),
        "action": get("action"),
        "outcome": get("outcome"),
        "patient_id": str(get("patient_id")) if get("patient_id") else None,
        "resource_type": get("resource_type"),
        "resource_id": get("resource_id"),
        "purpose": get("purpose"),
        "address": get("address"),
        "detail": get("detail"),
        "prev_hash": get("prev_hash"),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(row: AuditEvent | dict) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending: list[AuditRecord] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    # The UPDATE takes the head row's lock (a row lock on PostgreSQL, the write lock on SQLite)
    # before reading it, so no other transaction can append between our read and our commit.
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one()
    seq, prev = head.seq, head.hash
    for item in pending:
        seq += 1
        # Stored timestamps keep microseconds on both databases; truncate nothing else.
        row = AuditEvent(
            seq=seq,
            at=item.at,
            actor_id=item.actor_id,
            actor_role=item.actor_role,
            action=item.action,
            outcome=item.outcome.value,
            patient_id=item.patient_id,
            resource_type=item.resource_type,
            resource_id=item.resource_id,
            purpose=item.purpose,
            address=item.address,
            detail=json.dumps(item.detail, sort_keys=True) if item.detail else None,
            prev_hash=prev,
        )
        row.hash = chain_hash(row)
        prev = row.hash
        session.add(row)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction) -> None:
    session.info.pop(PENDING_KEY, None)


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    reason: str | None = None


async def _rows(session: AsyncSession, batch: int = 2000) -> AsyncIterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].seq
        session.expunge_all()


async def verify(session: AsyncSession) -> Verification:
    """Recompute the chain; report the first row that was altered, removed or put out of order."""
    expected_seq, prev, count = 1, GENESIS, 0
    async for row in _rows(session):
        if row.seq != expected_seq:
            return Verification(False, count, expected_seq, f"row {expected_seq} is missing")
        if row.prev_hash != prev:
            return Verification(False, count, row.seq, "does not follow the previous row")
        if chain_hash(row) != row.hash:
            return Verification(False, count, row.seq, "its content does not match its hash")
        prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    head = await session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != prev:
        bad = count + 1 if head and head.seq > count else count
        return Verification(False, count, bad, "the chain's end does not match its head")
    return Verification(True, count)
