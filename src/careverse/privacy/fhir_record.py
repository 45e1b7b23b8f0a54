"""Privacy's section of a patient's FHIR record: their Consents (privacy/fhir.py), each with its
last change (made, or revoked) so ``_since`` answers only those changed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.fhir import RecordQuery, iso
from careverse.kernel.policy import Actor
from careverse.privacy.facts import consents_of
from careverse.privacy.fhir import consent


async def consents_section(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery
) -> list[dict]:
    """The patient's consents (the caller has authorised the record)."""
    if not query.wants("Consent"):
        return []
    return [
        {**consent(c), "meta": {"lastUpdated": iso(c.revoked_at or c.created_at)}}
        for c in await consents_of(session, patient_id)
    ]
