"""Care relationships and caregiver delegations: the facts the access policy asks identity for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.events import DelegationRevoked
from careverse.identity.models import Account, CareRelationship, Delegation, Patient
from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, InvalidInput, NotFound
from careverse.kernel.policy import Actor, Category, Role, require_role
from careverse.kernel.policy import Delegation as DelegationFact
from careverse.kernel.uow import unit_of_work

SCOPES = frozenset(f"{c.value}:{m}" for c in Category for m in ("read", "write"))


async def delegation_fact(
    session: AsyncSession, caregiver_id: uuid.UUID, patient_id: uuid.UUID
) -> DelegationFact | None:
    now = clock.now()
    rows = (
        await session.scalars(
            select(Delegation.scopes).where(
                Delegation.caregiver_id == caregiver_id,
                Delegation.patient_id == patient_id,
                Delegation.revoked_at.is_(None),
                Delegation.expires_at > now,
            )
        )
    ).all()
    if not rows:
        return None
    return DelegationFact(frozenset(s for row in rows for s in row.split()))


async def has_care_relationship(
    session: AsyncSession, clinician_id: uuid.UUID, patient_id: uuid.UUID
) -> bool:
    now = clock.now()
    found = await session.scalar(
        select(CareRelationship.id)
        .where(
            CareRelationship.clinician_id == clinician_id,
            CareRelationship.patient_id == patient_id,
            CareRelationship.revoked_at.is_(None),
            CareRelationship.starts_at <= now,
            or_(CareRelationship.ends_at.is_(None), CareRelationship.ends_at > now),
        )
        .limit(1)
    )
    return found is not None


async def patients_of(session: AsyncSession, actor: Actor) -> list[uuid.UUID]:
    """The patients an actor may reach by relationship (not break-glass), for searches."""
    now = clock.now()
    if actor.role is Role.PATIENT:
        return [actor.patient_id] if actor.patient_id else []
    if actor.role is Role.CAREGIVER:
        query = select(Delegation.patient_id).where(
            Delegation.caregiver_id == actor.account_id,
            Delegation.revoked_at.is_(None),
            Delegation.expires_at > now,
        )
    elif actor.role is Role.CLINICIAN:
        query = select(CareRelationship.patient_id).where(
            CareRelationship.clinician_id == actor.account_id,
            CareRelationship.revoked_at.is_(None),
            CareRelationship.starts_at <= now,
            or_(CareRelationship.ends_at.is_(None), CareRelationship.ends_at > now),
        )
    else:
        return []
    return list(dict.fromkeys((await session.scalars(query)).all()))


async def care_team(session: AsyncSession, patient_id: uuid.UUID) -> list[uuid.UUID]:
    """The clinicians with an active care relationship to a patient, longest-standing first."""
    now = clock.now()
    rows = await session.scalars(
        select(CareRelationship.clinician_id)
        .where(
            CareRelationship.patient_id == patient_id,
            CareRelationship.revoked_at.is_(None),
            CareRelationship.starts_at <= now,
            or_(CareRelationship.ends_at.is_(None), CareRelationship.ends_at > now),
        )
        .order_by(CareRelationship.starts_at, CareRelationship.created_at)
    )
    return list(dict.fromkeys(rows.all()))


@dataclass(frozen=True)
class DelegationView:
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    caregiver_id: uuid.UUID
    caregiver_name: str
    scopes: list[str]
    expires_at: datetime
    active: bool


class RelationshipService:
    """Care relationships (assignments, bookings, escalations) and caregiver delegations.

    Each method is a unit of work; called from inside another capability's unit of work (a
    booking, an escalation) it joins that one, so the relationship commits with the booking.
    """

    def __init__(self, session: AsyncSession):
        self.session = session

    async def assign(
        self, actor: Actor, clinician_id: uuid.UUID, patient_id: uuid.UUID, ends_at: datetime | None
    ) -> CareRelationship:
        """An admin assigns a clinician to a patient (the usual care-team assignment)."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            clinician = await self.session.get(Account, clinician_id)
            if clinician is None or clinician.role != Role.CLINICIAN.value:
                raise NotFound("No such clinician.")
            if await self.session.get(Patient, patient_id) is None:
                raise NotFound("No such patient.")
            return await self.create(
                clinician_id, patient_id, "assignment", ends_at=ends_at, by=actor
            )

    async def create(
        self,
        clinician_id: uuid.UUID,
        patient_id: uuid.UUID,
        kind: str,
        *,
        source_id: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        by: Actor | None = None,
    ) -> CareRelationship:
        """Open a care relationship (assignments, and bookings from the care capability)."""
        async with unit_of_work(self.session):
            rel = CareRelationship(
                clinician_id=clinician_id,
                patient_id=patient_id,
                kind=kind,
                source_id=source_id,
                starts_at=starts_at or clock.now(),
                ends_at=ends_at,
            )
            self.session.add(rel)
            await self.session.flush()
            audit.record(
                self.session, "care-relationship.create", actor=by, patient_id=patient_id,
                resource_type="CareRelationship", resource_id=rel.id,
                detail={"kind": kind, "clinician_id": str(clinician_id)},
            )  # fmt: skip
        return rel

    async def end(self, actor: Actor, relationship_id: uuid.UUID) -> None:
        """An admin ends a care relationship at once."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            rel = await self.session.get(CareRelationship, relationship_id)
            if rel is None:
                raise NotFound("No such care relationship.")
            rel.revoked_at = clock.now()
            audit.record(
                self.session, "care-relationship.end", actor=actor, patient_id=rel.patient_id,
                resource_type="CareRelationship", resource_id=rel.id,
            )  # fmt: skip

    async def end_by_source(self, kind: str, source_id: str, *, by: Actor | None = None) -> int:
        """End the open relationships a source created (e.g. a cancelled appointment's).

        Others (assignments, other appointments) are separate rows and stay. Answers how many ended.
        """
        now = clock.now()
        async with unit_of_work(self.session):
            rows = (
                await self.session.scalars(
                    select(CareRelationship).where(
                        CareRelationship.kind == kind,
                        CareRelationship.source_id == source_id,
                        CareRelationship.revoked_at.is_(None),
                    )
                )
            ).all()
            for rel in rows:
                rel.revoked_at = now
                audit.record(
                    self.session, "care-relationship.end", actor=by, patient_id=rel.patient_id,
                    resource_type="CareRelationship", resource_id=rel.id,
                    detail={"kind": kind, "source_id": source_id},
                )  # fmt: skip
        return len(rows)

    # ---- delegations, granted by the patient ----------------------------------------------

    async def grant(
        self, actor: Actor, caregiver_email_index: str, scopes: list[str], expires_at: datetime
    ) -> DelegationView:
        """A patient lets a caregiver act for them: chosen scopes, until an expiry."""
        require_role(actor, Role.PATIENT)
        if actor.patient_id is None:
            raise Conflict("Your account has no patient record.", code="no_patient_record")
        unknown = sorted(set(scopes) - SCOPES)
        if unknown or not scopes:
            raise InvalidInput(
                f"Scopes must be among: {', '.join(sorted(SCOPES))}.",
                field="scopes",
                code="invalid_scope",
            )
        if expires_at <= clock.now():
            raise InvalidInput("The expiry must be in the future.", field="expires_at")
        async with unit_of_work(self.session):
            caregiver = await self.session.scalar(
                select(Account).where(
                    Account.email_index == caregiver_email_index,
                    Account.role == Role.CAREGIVER.value,
                    Account.is_active.is_(True),
                )
            )
            if caregiver is None:
                raise NotFound(
                    "No caregiver account has that e-mail; "
                    "ask them to sign up as a caregiver first.",
                    code="caregiver_not_found",
                )
            delegation = Delegation(
                patient_id=actor.patient_id,
                caregiver_id=caregiver.id,
                scopes=" ".join(sorted(set(scopes))),
                expires_at=expires_at,
            )
            self.session.add(delegation)
            await self.session.flush()
            audit.record(
                self.session, "delegation.grant", actor=actor, patient_id=actor.patient_id,
                resource_type="Delegation", resource_id=delegation.id,
                detail={"caregiver_id": str(caregiver.id), "scopes": sorted(set(scopes))},
            )  # fmt: skip
        return await self._view(delegation)

    async def revoke(self, actor: Actor, delegation_id: uuid.UUID) -> None:
        """The patient (or the caregiver, stepping back) ends a delegation at once.

        The first revocation publishes :class:`DelegationRevoked` in this unit of work (care ends
        the consult invitations that rested on it); revoking again changes nothing.
        """
        async with unit_of_work(self.session) as uow:
            delegation = await self.session.get(Delegation, delegation_id)
            mine = delegation is not None and (
                (actor.role is Role.PATIENT and delegation.patient_id == actor.patient_id)
                or (actor.role is Role.CAREGIVER and delegation.caregiver_id == actor.account_id)
            )
            if not mine or delegation is None:
                raise NotFound("No such delegation.")
            ended = await self.session.execute(
                update(Delegation)
                .where(Delegation.id == delegation_id, Delegation.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )
            audit.record(
                self.session, "delegation.revoke", actor=actor, patient_id=delegation.patient_id,
                resource_type="Delegation", resource_id=delegation.id,
            )  # fmt: skip
            if cast(CursorResult, ended).rowcount == 1:
                await uow.publish(
                    DelegationRevoked(
                        delegation_id=delegation.id, patient_id=delegation.patient_id,
                        caregiver_id=delegation.caregiver_id, by_id=actor.account_id,
                    )
                )  # fmt: skip

    async def list_for(self, actor: Actor) -> list[DelegationView]:
        """A patient's grants, or the delegations a caregiver holds."""
        if actor.role is Role.PATIENT:
            where = Delegation.patient_id == actor.patient_id
        elif actor.role is Role.CAREGIVER:
            where = Delegation.caregiver_id == actor.account_id
        else:
            return []
        rows = (await self.session.scalars(select(Delegation).where(where))).all()
        return [await self._view(d) for d in sorted(rows, key=lambda d: d.created_at, reverse=True)]

    async def _view(self, d: Delegation) -> DelegationView:
        patient = await self.session.get(Patient, d.patient_id)
        caregiver = await self.session.get(Account, d.caregiver_id)
        return DelegationView(
            id=d.id,
            patient_id=d.patient_id,
            patient_name=patient.name if patient else "",
            caregiver_id=d.caregiver_id,
            caregiver_name=caregiver.display_name if caregiver else "",
            scopes=d.scopes.split(),
            expires_at=d.expires_at,
            active=d.revoked_at is None and d.expires_at > clock.now(),
        )


async def caregivers_with(
    session: AsyncSession, patient_id: uuid.UUID, category: Category
) -> list[uuid.UUID]:
    """The caregivers whose live delegation from the patient lets them read ``category``."""
    now = clock.now()
    rows = await session.execute(
        select(Delegation.caregiver_id, Delegation.scopes).where(
            Delegation.patient_id == patient_id,
            Delegation.revoked_at.is_(None),
            Delegation.expires_at > now,
        )
    )
    wanted = {f"{category.value}:read", f"{category.value}:write"}
    return list(dict.fromkeys(cid for cid, scopes in rows if wanted & set(scopes.split())))
