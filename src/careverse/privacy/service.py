"""Privacy: consent, break-glass, the patient's access log, export and erasure. No HTTP here.

Each entry point is one unit of work (kernel/uow.py). Refusals are audited on a session of their
own after the rollback, so they propagate out of the ``async with`` rather than being committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import msgspec
import structlog
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.service import erase_account
from careverse.kernel import audit, clock
from careverse.kernel.audit import AuditEvent
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.fhir import PatientRecord, bundle
from careverse.kernel.policy import (
    Actor,
    Category,
    Purpose,
    Role,
    authorize,
    require_full_scope,
    require_role,
)
from careverse.kernel.uow import audit_refusal, unit_of_work
from careverse.privacy.access_log import group_accesses
from careverse.privacy.events import AccountErasureDue
from careverse.privacy.facts import consents_of, patient_ref
from careverse.privacy.models import BreakGlass, Consent, ErasureRequest

log = structlog.get_logger(__name__)

CONSENT_PURPOSES = (Purpose.TREATMENT, Purpose.RESEARCH, Purpose.COMMUNITY, Purpose.ORG_SHARING)


# ---- consent ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentInput:
    purpose: Purpose
    decision: str
    actor_id: uuid.UUID | None = None
    organization: str | None = None
    period_end: datetime | None = None


class PrivacyService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    @property
    def base_url(self) -> str:
        """Where this node's FHIR resources live (for Bundle entries' full URLs)."""
        return self.settings.public_url.rstrip("/")

    def _own_patient(self, actor: Actor) -> uuid.UUID:
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    async def consents(self, actor: Actor, patient_id: uuid.UUID | None = None) -> list[Consent]:
        """A patient's consents: their own, or another's when the policy allows the record."""
        async with unit_of_work(self.session):
            if patient_id is None:
                patient_id = self._own_patient(actor)
            await authorize(
                self.session, actor, patient_id, Category.RECORD, resource_type="Consent"
            )
            return await consents_of(self.session, patient_id)

    async def grant_consent(self, actor: Actor, data: ConsentInput) -> Consent:
        """Record the patient's decision for a purpose (permit or deny), from now on."""
        async with unit_of_work(self.session):
            patient_id = self._own_patient(actor)
            now = clock.now()
            await self._check_consent(data, now)
            consent = Consent(
                patient_id=patient_id,
                purpose=data.purpose.value,
                decision=data.decision,
                actor_id=data.actor_id,
                organization=data.organization,
                period_start=now,
                period_end=data.period_end,
                status="active",
            )
            self.session.add(consent)
            await self.session.flush()
            audit.record(
                self.session, "consent.grant", actor=actor, patient_id=patient_id,
                resource_type="Consent", resource_id=consent.id, purpose=data.purpose.value,
                detail={"decision": data.decision},
            )  # fmt: skip
        return consent

    async def _check_consent(self, data: ConsentInput, now: datetime) -> None:
        if data.purpose not in CONSENT_PURPOSES:
            raise InvalidInput("Unknown purpose.", field="purpose")
        if data.purpose is Purpose.ORG_SHARING and not data.organization:
            raise InvalidInput("Name the organisation you share data with.", field="organization")
        known = data.actor_id is None or await directory.account_role(self.session, data.actor_id)
        if not known:
            raise InvalidInput("No account has that id.", field="actor_id")
        if data.period_end is not None and data.period_end <= now:
            raise InvalidInput("The end of the period must be in the future.", field="period_end")

    async def revoke_consent(self, actor: Actor, consent_id: uuid.UUID) -> Consent:
        """Withdraw a consent; it stops counting on the next request (revoking twice is a no-op)."""
        async with unit_of_work(self.session):
            patient_id = self._own_patient(actor)
            consent = await self.session.get(Consent, consent_id)
            if consent is None or consent.patient_id != patient_id:
                raise NotFound("No such consent.")
            if consent.status == "active":
                consent.status, consent.revoked_at = "inactive", clock.now()
                audit.record(
                    self.session, "consent.revoke", actor=actor, patient_id=patient_id,
                    resource_type="Consent", resource_id=consent.id, purpose=consent.purpose,
                )  # fmt: skip
        return consent

    # ---- break-glass ------------------------------------------------------------------------

    async def break_glass(self, actor: Actor, patient_id: uuid.UUID, reason: str) -> BreakGlass:
        """A clinician opens time-limited emergency access, stating why; the patient sees it."""
        async with unit_of_work(self.session):
            if actor.role is not Role.CLINICIAN or not await directory.patient_exists(
                self.session, patient_id
            ):

                def write_refusal(own: AsyncSession) -> None:
                    audit.record(
                        own, "break-glass.start", actor=actor, patient_id=patient_id,
                        outcome=audit.Outcome.DENIED, resource_type="BreakGlass",
                    )  # fmt: skip

                await audit_refusal(self.session, write_refusal)
                require_role(actor, Role.CLINICIAN)
                raise NotFound("Not found.")
            grant = BreakGlass(
                clinician_id=actor.account_id,
                patient_id=patient_id,
                reason=reason,
                expires_at=clock.now() + timedelta(minutes=self.settings.break_glass_minutes),
            )
            self.session.add(grant)
            await self.session.flush()
            audit.record(
                self.session, "break-glass.start", actor=actor, patient_id=patient_id,
                resource_type="BreakGlass", resource_id=grant.id, purpose=Purpose.TREATMENT.value,
            )  # fmt: skip
        log.warning("privacy.break_glass", clinician_id=str(actor.account_id))
        return grant

    # ---- the patient's access log and audit trail -------------------------------------------

    async def access_log(self, actor: Actor, limit: int = 1000) -> list[dict]:
        """Who read or changed the patient's record, when and why (everyone but themselves),
        newest first, with repeated reads folded into one line (``access_log.py``)."""
        async with unit_of_work(self.session):
            patient_id = self._own_patient(actor)
            rows = (
                await self.session.scalars(
                    select(AuditEvent)
                    .where(
                        AuditEvent.patient_id == patient_id,
                        or_(
                            AuditEvent.actor_id.is_(None),
                            AuditEvent.actor_id != actor.account_id,
                            # An app the patient authorised, reading for them (SMART).
                            AuditEvent.detail.contains('"app"'),
                        ),
                    )
                    .order_by(AuditEvent.seq.desc())
                    .limit(limit)
                )
            ).all()
            names = await directory.display_names(
                self.session, {r.actor_id for r in rows if r.actor_id}
            )
            reasons = await self._break_glass_reasons(rows)
        entries = []
        for r in rows:
            detail = json.loads(r.detail) if r.detail else {}
            entry = {
                "at": r.at,
                "actor_name": names.get(r.actor_id, "Careverse") if r.actor_id else "Careverse",
                "actor_role": r.actor_role,
                "action": r.action,
                "outcome": r.outcome,
                "purpose": r.purpose,
                "basis": detail.get("basis"),
                "resource_type": r.resource_type,
                "reason": reasons.get(r.resource_id or ""),
                "app_name": detail.get("app"),
            }
            key = (r.actor_id, r.action, r.resource_type, r.outcome, r.purpose,
                   entry["basis"], entry["reason"], entry["app_name"])  # fmt: skip
            entries.append((key, entry))
        return group_accesses(entries)

    async def _break_glass_reasons(self, rows: Sequence[AuditEvent]) -> dict[str, str]:
        """The stated reason of each break-glass among ``rows``, by its id."""
        # A refused break-glass is audited without a resource id: it has no reason to show.
        glass_ids = [
            uuid.UUID(r.resource_id)
            for r in rows
            if r.resource_type == "BreakGlass" and r.resource_id
        ]
        if not glass_ids:
            return {}
        found = await self.session.scalars(select(BreakGlass).where(BreakGlass.id.in_(glass_ids)))
        return {str(g.id): g.reason for g in found.all()}

    async def audit_trail(
        self, actor: Actor, patient: str, limit: int = 500
    ) -> tuple[list[AuditEvent], dict[uuid.UUID, str]]:
        """A patient's audit trail (newest first) with the actors' names: for the patient
        themself and for admins. ``patient`` is a FHIR reference (``<id>`` or ``Patient/<id>``)."""
        async with unit_of_work(self.session):
            require_full_scope(actor)
            pid = patient_ref(patient)
            if not (
                actor.role is Role.ADMIN or (actor.role is Role.PATIENT and actor.patient_id == pid)
            ):

                def write_refusal(own: AsyncSession) -> None:
                    audit.record(
                        own, "audit.read", actor=actor, patient_id=pid,
                        outcome=audit.Outcome.DENIED, resource_type="AuditEvent",
                    )  # fmt: skip

                await audit_refusal(self.session, write_refusal)
                raise NotFound("Not found.")
            audit.record(
                self.session, "audit.read", actor=actor, patient_id=pid,
                resource_type="AuditEvent",
            )  # fmt: skip
            rows = (
                await self.session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.patient_id == pid)
                    .order_by(AuditEvent.seq.desc())
                    .limit(limit)
                )
            ).all()
            names = await directory.display_names(
                self.session, {r.actor_id for r in rows if r.actor_id}
            )
        return list(rows), names

    # ---- export -----------------------------------------------------------------------------

    async def export(self, actor: Actor, record: PatientRecord, form: str = "fhir") -> dict:
        """The patient's whole record as a FHIR collection Bundle, read and audited as an export.

        ``record`` is the node's patient record (``runtime.patient_record``): each capability's
        section of it, so privacy needs to know none of them. ``form`` (``fhir`` or ``html``,
        the readable document made from the same Bundle) is written in the audit event.
        """
        async with unit_of_work(self.session):
            if actor.patient_id is None:
                raise Conflict(
                    "Only a patient's account has a record to export.", code="no_patient_record"
                )
            patient_id = actor.patient_id
            await authorize(self.session, actor, patient_id, Category.RECORD)
            entries = await record.resources(self.session, actor, patient_id)
            audit.record(
                self.session, "record.export", actor=actor, patient_id=patient_id,
                resource_type="Bundle", purpose="self",
                detail=None if form == "fhir" else {"format": form},
            )  # fmt: skip
        return bundle("collection", entries, self.base_url)

    async def begin_export(self, actor: Actor) -> uuid.UUID:
        """Authorise and audit the patient's FHIR export; :func:`stream_export` then writes it."""
        async with unit_of_work(self.session):
            if actor.patient_id is None:
                raise Conflict(
                    "Only a patient's account has a record to export.", code="no_patient_record"
                )
            await authorize(self.session, actor, actor.patient_id, Category.RECORD)
            audit.record(
                self.session, "record.export", actor=actor, patient_id=actor.patient_id,
                resource_type="Bundle", purpose="self",
            )  # fmt: skip
        return actor.patient_id

    # ---- erasure ----------------------------------------------------------------------------

    async def erasure_status(self, actor: Actor) -> ErasureRequest | None:
        """The caller's pending erasure request, if any."""
        async with unit_of_work(self.session):
            return await self.session.scalar(
                select(ErasureRequest).where(
                    ErasureRequest.account_id == actor.account_id,
                    ErasureRequest.cancelled_at.is_(None),
                    ErasureRequest.completed_at.is_(None),
                )
            )

    async def request_erasure(self, actor: Actor) -> ErasureRequest:
        """Ask for the account to be erased after the grace period (cancellable until then)."""
        async with unit_of_work(self.session):
            if actor.role is Role.ADMIN:
                raise Conflict(
                    "An admin account is removed by another admin.", code="admin_erasure"
                )
            pending = await self.erasure_status(actor)
            if pending is not None:
                return pending
            request = ErasureRequest(
                account_id=actor.account_id,
                due_at=clock.now() + timedelta(days=self.settings.erasure_grace_days),
            )
            self.session.add(request)
            await self.session.flush()
            audit.record(
                self.session, "erasure.request", actor=actor, patient_id=actor.patient_id,
                resource_type="Account", resource_id=actor.account_id,
            )  # fmt: skip
        return request

    async def cancel_erasure(self, actor: Actor) -> None:
        """Keep the account: cancel its pending erasure."""
        async with unit_of_work(self.session):
            pending = await self.erasure_status(actor)
            if pending is None:
                raise NotFound("There is no pending erasure request.")
            pending.cancelled_at = clock.now()
            audit.record(
                self.session, "erasure.cancel", actor=actor, patient_id=actor.patient_id,
                resource_type="Account", resource_id=actor.account_id,
            )  # fmt: skip

    async def erase_due(self) -> int:
        """Carry out every erasure whose grace period has ended, each as its own unit of work;
        answers how many this call carried out."""
        async with unit_of_work(self.session):
            due = (
                await self.session.execute(
                    select(ErasureRequest.id, ErasureRequest.account_id).where(
                        ErasureRequest.due_at <= clock.now(),
                        ErasureRequest.cancelled_at.is_(None),
                        ErasureRequest.completed_at.is_(None),
                    )
                )
            ).all()
        erased = 0
        for request_id, account_id in due:
            erased += await self._erase(request_id, account_id)
        return erased

    async def _erase(self, request_id: uuid.UUID, account_id: uuid.UUID) -> bool:
        """One erasure: claim it, let every capability delete its rows, then identity's last.

        All in one transaction: a capability whose handler fails rolls the whole erasure back
        (the claim included), so the person stays intact and the request stays due.
        """
        async with unit_of_work(self.session) as uow:
            # Claim it first: on another node running the same job, the claim finds nothing.
            claimed = await self.session.execute(
                update(ErasureRequest)
                .where(ErasureRequest.id == request_id, ErasureRequest.completed_at.is_(None))
                .values(completed_at=clock.now())
            )
            if cast(CursorResult, claimed).rowcount != 1:
                return False
            account = await directory.account(self.session, account_id)
            await uow.publish(
                AccountErasureDue(
                    account_id=account_id, patient_id=account.patient_id if account else None
                )
            )
            patient_id = await erase_account(self.session, account_id)
            audit.record(
                self.session, "erasure.complete", actor_id=account_id, patient_id=patient_id,
                resource_type="Account", resource_id=account_id,
            )  # fmt: skip
        return True


EXPORT_PAGE = 5000  # resources read and written at a time: memory stays flat, however large


async def stream_export(
    db: Database, record: PatientRecord, actor: Actor, patient_id: uuid.UUID, base_url: str
) -> AsyncIterator[bytes]:
    """The whole record as one FHIR collection Bundle, written a page at a time (a year of
    minute-level readings is half a million resources: never all in memory). Reads in one
    session of its own, after :meth:`PrivacyService.begin_export` authorised and audited it."""
    base = base_url.rstrip("/")
    head = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection"}
    yield msgspec.json.encode(head)[:-1] + b',"entry":['
    first = True
    async with db.session() as session:
        async for page in record.pages(session, actor, patient_id, count=EXPORT_PAGE):
            chunk = [
                msgspec.json.encode(
                    {"fullUrl": f"{base}/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                )
                for r in page
            ]
            yield (b"" if first else b",") + b",".join(chunk)
            first = False
    yield b"]}"
