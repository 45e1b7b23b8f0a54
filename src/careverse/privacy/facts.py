"""What privacy knows for the rest of Careverse: the access policy's facts it owns (consent,
break-glass) and plain reads for callers that have already been authorised."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import clock
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Purpose
from careverse.privacy.models import BreakGlass, Consent

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


def patient_ref(reference: str) -> uuid.UUID:
    """A FHIR patient reference (``<id>`` or ``Patient/<id>``); anything else is not found."""
    try:
        return uuid.UUID(reference.removeprefix("Patient/"))
    except ValueError:
        raise NotFound("Not found.") from None
