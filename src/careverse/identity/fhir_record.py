"""Identity's sections of a patient's FHIR record (``$everything`` and the export): the Patient
(identity/fhir.py) and each caregiver the patient delegated access to, as a RelatedPerson.

A delegation is a ``RelatedPerson`` (relationship v3-RoleCode ``CAREGIVER``: "a person
responsible for the primary care of a patient at home"), ``active`` while it is neither revoked
nor expired, ``period`` from the grant to its expiry (or revocation), the caregiver's account as
its identifier and the scopes delegated as a note. The patient and their clinicians see every
delegation; a caregiver sees only their own (another caregiver's access is not theirs to know).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.directory import display_names
from careverse.identity.models import Delegation
from careverse.kernel import clock
from careverse.kernel.fhir import RecordQuery, iso
from careverse.kernel.policy import Actor, Role

ACCOUNT_SYSTEM = "urn:careverse:account"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


def related_person(d: Delegation, names: dict[uuid.UUID, str]) -> dict:
    """A caregiver delegation as a RelatedPerson."""
    now = clock.now()
    ended = d.revoked_at if d.revoked_at is not None else d.expires_at
    changed = d.revoked_at or d.created_at
    out: dict = {
        "resourceType": "RelatedPerson",
        "id": str(d.id),
        "meta": {"lastUpdated": iso(changed)},
        "identifier": [{"system": ACCOUNT_SYSTEM, "value": str(d.caregiver_id)}],
        "active": d.revoked_at is None and clock.as_utc(d.expires_at) > now,
        "patient": {"reference": f"Patient/{d.patient_id}"},
        "relationship": [
            {"coding": [{"system": ROLE_CODE, "code": "CAREGIVER", "display": "caregiver"}]}
        ],
        "period": {"start": iso(d.created_at), "end": iso(ended)},
    }
    if d.caregiver_id in names:
        out["name"] = [{"text": names[d.caregiver_id]}]
    out["text"] = {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml">Caregiver with access to: '
        f"{' '.join(sorted(d.scopes.split()))}</div>",
    }
    return out


async def related_persons_section(
    session: AsyncSession, actor: Actor, patient_id: uuid.UUID, query: RecordQuery
) -> list[dict]:
    """The patient's caregivers (the caller has authorised the record)."""
    if not query.wants("RelatedPerson"):
        return []
    rows = select(Delegation).where(Delegation.patient_id == patient_id)
    if actor.role is Role.CAREGIVER:
        rows = rows.where(Delegation.caregiver_id == actor.account_id)
    found = (await session.scalars(rows.order_by(Delegation.created_at))).all()
    names = await display_names(session, {d.caregiver_id for d in found})
    return [related_person(d, names) for d in found]
