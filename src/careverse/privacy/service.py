"""Privacy: consent, break-glass, the patient's access log, and erasure. No HTTP here."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.service import account_role, display_names, erase_account, patient_exists
from careverse.kernel import audit, clock
from careverse.kernel.audit import AuditEvent
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Purpose, Role, authorize, require_role
from careverse.privacy.models import BreakGlass, Consent, ErasureRequest

log = structlog.get_logger(__name__)

CONSENT_PURPOSES = (Purpose.TREATMENT, Purpose.RESEARCH, Purpose.COMMUNITY, Purpose.ORG_SHARING)


# ---- facts for the access policy --------------------------------------------------------------


def _active_consents(patient_id: uuid.UUID, purpose: Purpose, now: datetime):
    return and_(
        Consent.patient_id == patient_id,
        Consent.purpose == purpose.value,
        Consent.status == "active",
        Consent.period_start <= now,
        or_(Consent.period_end.is_(None), Consent.period_end > now),
    )


async def consent_denies(
    session: AsyncSession, patient_id: uuid.UUID, purpose: Purpose, actor_id: uuid.UUID
) -> bool:
    """An active 'deny' for this purpose covers this actor (or everyone)."""
    found = await session.scalar(
        select(Consent.id)
        .where(
            _active_consents(patient_id, purpose, clock.now()),
            Consent.decision == "deny",
            or_(Consent.actor_id.is_(None), Consent.actor_id == actor_id),
        )
        .limit(1)
    )
    return found is not None


async def break_glass_active(
    session: AsyncSession, clinician_id: uuid.UUID, patient_id: uuid.UUID
) -> bool:
    now = clock.now()
    found = await session.scalar(
        select(BreakGlass.id)
        .where(
            BreakGlass.clinician_id == clinician_id,
            BreakGlass.patient_id == patient_id,
            BreakGlass.ended_at.is_(None),
            BreakGlass.expires_at > now,
        )
        .limit(1)
    )
    return found is not None


async def consents_of(session: AsyncSession, patient_id: uuid.UUID) -> list[Consent]:
    """A patient's consents, for a caller that has already been authorized."""
    rows = await session.scalars(
        select(Consent).where(Consent.patient_id == patient_id).order_by(Consent.created_at)
    )
    return list(rows.all())


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

    def _own_patient(self, actor: Actor) -> uuid.UUID:
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        return actor.patient_id

    async def consents(self, actor: Actor, patient_id: uuid.UUID | None = None) -> list[Consent]:
        """A patient's consents: their own, or another's when the policy allows the record."""
        if patient_id is None:
            patient_id = self._own_patient(actor)
        await authorize(self.session, actor, patient_id, Category.RECORD, resource_type="Consent")
        rows = await consents_of(self.session, patient_id)
        await self.session.commit()
        return rows

    async def grant_consent(self, actor: Actor, data: ConsentInput) -> Consent:
        patient_id = self._own_patient(actor)
        if data.purpose not in CONSENT_PURPOSES:
            raise InvalidInput("Unknown purpose.", field="purpose")
        if data.purpose is Purpose.ORG_SHARING and not data.organization:
            raise InvalidInput("Name the organisation you share data with.", field="organization")
        if data.actor_id is not None and await account_role(self.session, data.actor_id) is None:
            raise InvalidInput("No account has that id.", field="actor_id")
        now = clock.now()
        if data.period_end is not None and data.period_end <= now:
            raise InvalidInput("The end of the period must be in the future.", field="period_end")
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
        await self.session.commit()
        return consent

    async def revoke_consent(self, actor: Actor, consent_id: uuid.UUID) -> Consent:
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
            await self.session.commit()
        return consent

    # ---- break-glass ------------------------------------------------------------------------

    async def break_glass(self, actor: Actor, patient_id: uuid.UUID, reason: str) -> BreakGlass:
        """A clinician opens time-limited emergency access, stating why; the patient sees it."""
        if actor.role is not Role.CLINICIAN or not await patient_exists(self.session, patient_id):
            audit.record(
                self.session, "break-glass.start", actor=actor, patient_id=patient_id,
                outcome=audit.Outcome.DENIED, resource_type="BreakGlass",
            )  # fmt: skip
            await self.session.commit()
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
        await self.session.commit()
        log.warning("privacy.break_glass", clinician_id=str(actor.account_id))
        return grant

    # ---- the patient's access log -----------------------------------------------------------

    async def access_log(self, actor: Actor, limit: int = 200) -> list[dict]:
        """Who read or changed the patient's record, when and why (everyone but themselves)."""
        patient_id = self._own_patient(actor)
        rows = (
            await self.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.patient_id == patient_id,
                    or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != actor.account_id),
                )
                .order_by(AuditEvent.seq.desc())
                .limit(limit)
            )
        ).all()
        names = await display_names(self.session, {r.actor_id for r in rows if r.actor_id})
        reasons = {}
        glass_ids = [r.resource_id for r in rows if r.resource_type == "BreakGlass"]
        if glass_ids:
            for g in (
                await self.session.scalars(
                    select(BreakGlass).where(BreakGlass.id.in_([uuid.UUID(i) for i in glass_ids]))
                )
            ).all():
                reasons[str(g.id)] = g.reason
        entries = []
        for r in rows:
            detail = json.loads(r.detail) if r.detail else {}
            entries.append(
                {
                    "at": r.at,
                    "actor_name": names.get(r.actor_id, "Careverse"),
                    "actor_role": r.actor_role,
                    "action": r.action,
                    "outcome": r.outcome,
                    "purpose": r.purpose,
                    "basis": detail.get("basis"),
                    "resource_type": r.resource_type,
                    "reason": reasons.get(r.resource_id or ""),
                }
            )
        return entries

    # ---- erasure ----------------------------------------------------------------------------

    async def erasure_status(self, actor: Actor) -> ErasureRequest | None:
        return await self.session.scalar(
            select(ErasureRequest).where(
                ErasureRequest.account_id == actor.account_id,
                ErasureRequest.cancelled_at.is_(None),
                ErasureRequest.completed_at.is_(None),
            )
        )

    async def request_erasure(self, actor: Actor) -> ErasureRequest:
        """Ask for the account to be erased after the grace period (cancellable until then)."""
        if actor.role is Role.ADMIN:
            raise Conflict("An admin account is removed by another admin.", code="admin_erasure")
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
        await self.session.commit()
        return request

    async def cancel_erasure(self, actor: Actor) -> None:
        pending = await self.erasure_status(actor)
        if pending is None:
            raise NotFound("There is no pending erasure request.")
        pending.cancelled_at = clock.now()
        audit.record(
            self.session, "erasure.cancel", actor=actor, patient_id=actor.patient_id,
            resource_type="Account", resource_id=actor.account_id,
        )  # fmt: skip
        await self.session.commit()

    async def erase_due(self) -> int:
        """Carry out every erasure whose grace period has ended; answers how many."""
        now = clock.now()
        due = (
            await self.session.scalars(
                select(ErasureRequest).where(
                    ErasureRequest.due_at <= now,
                    ErasureRequest.cancelled_at.is_(None),
                    ErasureRequest.completed_at.is_(None),
                )
            )
        ).all()
        erased = 0
        for request in due:
            # Claim it first: on another node running the same job, the claim finds nothing.
            claimed = await self.session.execute(
                update(ErasureRequest)
                .where(ErasureRequest.id == request.id, ErasureRequest.completed_at.is_(None))
                .values(completed_at=now)
            )
            if claimed.rowcount != 1:
                await self.session.rollback()
                continue
            patient_id = await erase_account(self.session, request.account_id)
            audit.record(
                self.session, "erasure.complete", actor_id=request.account_id,
                patient_id=patient_id, resource_type="Account", resource_id=request.account_id,
            )  # fmt: skip
            await self.session.commit()
            erased += 1
        return erased
