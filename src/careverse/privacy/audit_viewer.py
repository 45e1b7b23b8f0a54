"""The operator's audit viewer: the whole trail, filtered and paged, and the chain's verification.

Admins only; every look is itself audited (``audit.search``, ``audit.verify``), naming the
patient when the search was about one, so that patient sees it in their access log. Rows hold
ids and codes only (kernel/audit.py), so nothing here shows health data; the actors' names come
from identity's directory.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.kernel import audit, clock
from careverse.kernel.audit import AuditEvent, Outcome
from careverse.kernel.errors import InvalidInput
from careverse.kernel.policy import Actor, Role, require_role
from careverse.kernel.uow import unit_of_work


@dataclass(frozen=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    action: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_seq: int | None = None
    limit: int = 50


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    names: dict[uuid.UUID, str]
    next_before_seq: int | None


@dataclass(frozen=True)
class ChainStatus:
    verification: audit.Verification
    checked_at: datetime


class AuditViewer:
    """Reading the audit trail as an operator."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def search(self, actor: Actor, wanted: AuditFilter) -> AuditPage:
        """Audit rows matching ``wanted``, newest first, one page (``limit``) at a time; the
        next page starts before ``next_before_seq``."""
        require_role(actor, Role.ADMIN)
        if wanted.since and wanted.until and wanted.since > wanted.until:
            raise InvalidInput("The start of the period must be before its end.", field="since")
        async with unit_of_work(self.session):
            query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(wanted.limit + 1)
            if wanted.actor_id:
                query = query.where(AuditEvent.actor_id == wanted.actor_id)
            if wanted.patient_id:
                query = query.where(AuditEvent.patient_id == wanted.patient_id)
            if wanted.action:
                # An action, or a family of them: "account" matches "account.deactivate".
                query = query.where(
                    (AuditEvent.action == wanted.action)
                    | AuditEvent.action.startswith(f"{wanted.action}.", autoescape=True)
                )
            if wanted.outcome:
                query = query.where(AuditEvent.outcome == wanted.outcome.value)
            if wanted.since:
                query = query.where(AuditEvent.at >= wanted.since)
            if wanted.until:
                query = query.where(AuditEvent.at <= wanted.until)
            if wanted.before_seq:
                query = query.where(AuditEvent.seq < wanted.before_seq)
            rows = list((await self.session.scalars(query)).all())
            more = len(rows) > wanted.limit
            rows = rows[: wanted.limit]
            names = await directory.display_names(
                self.session, {r.actor_id for r in rows if r.actor_id}
            )
            audit.record(
                self.session, "audit.search", actor=actor, patient_id=wanted.patient_id,
                resource_type="AuditEvent",
                detail={"filters": sorted(
                    k for k in ("actor_id", "patient_id", "action", "outcome", "since", "until")
                    if getattr(wanted, k) is not None
                )},
            )  # fmt: skip
        return AuditPage(rows, names, rows[-1].seq if more and rows else None)

    async def verify_chain(self, actor: Actor) -> ChainStatus:
        """Recompute the whole chain, as ``careverse audit verify`` does (kernel/audit.py)."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            result = await audit.verify(self.session)
            audit.record(
                self.session, "audit.verify", actor=actor, resource_type="AuditEvent",
                outcome=Outcome.SUCCESS, detail={"ok": result.ok, "rows": result.rows},
            )  # fmt: skip
        return ChainStatus(result, clock.now())
