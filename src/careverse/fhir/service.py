"""The FHIR facade's reads: each goes through the same policy and audit as the rest of Careverse."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir import capabilities, resources
from careverse.identity.patients import PatientService
from careverse.identity.service import display_names
from careverse.kernel import audit, clock
from careverse.kernel.audit import AuditEvent
from careverse.kernel.config import Settings
from careverse.kernel.errors import NotFound
from careverse.kernel.policy import Actor, Category, Role, authorize, require_full_scope
from careverse.privacy.service import PrivacyService, consents_of


def parse_id(value: str) -> uuid.UUID:
    """FHIR ids are strings; anything that is not one of ours is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


class FhirService:
    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings
        self.base = settings.public_url.rstrip("/")

    async def read_patient(self, actor: Actor, patient_id: str) -> dict:
        patient = await PatientService(self.session).get(actor, parse_id(patient_id))
        return resources.patient(patient)

    async def search_patients(
        self,
        actor: Actor,
        name: str | None = None,
        birthdate: str | None = None,
        identifier: str | None = None,
    ) -> dict:
        """Search only within the patients the caller may see (names are encrypted: filter here)."""
        ids = None
        if identifier:
            value = identifier.split("|", 1)[-1]
            try:
                ids = [uuid.UUID(value)]
            except ValueError:
                ids = []
        found = await PatientService(self.session).visible(actor, ids)
        if name:
            needle = name.casefold()
            found = [p for p in found if needle in p.name.casefold()]
        if birthdate:
            found = [p for p in found if p.birth_date == birthdate]
        return resources.bundle("searchset", [resources.patient(p) for p in found], self.base)

    async def everything(
        self, actor: Actor, patient_id: uuid.UUID, *, export: bool = False
    ) -> dict:
        """Everything the caller may see about a patient, as one Bundle."""
        await authorize(self.session, actor, patient_id, Category.RECORD)
        patient = await PatientService(self.session).load(patient_id)
        if patient is None:
            raise NotFound("Not found.")
        entries = [resources.patient(patient)]
        entries += [resources.consent(c) for c in await consents_of(self.session, patient_id)]
        if export:
            audit.record(
                self.session, "record.export", actor=actor, patient_id=patient_id,
                resource_type="Bundle", purpose="self",
            )  # fmt: skip
        await self.session.commit()
        return resources.bundle("searchset" if not export else "collection", entries, self.base)

    async def consents(self, actor: Actor, patient_id: str) -> dict:
        rows = await PrivacyService(self.session, self.settings).consents(
            actor, parse_id(patient_id)
        )
        return resources.bundle("searchset", [resources.consent(c) for c in rows], self.base)

    async def audit_events(self, actor: Actor, patient_id: str, limit: int = 500) -> dict:
        """The audit trail of a patient: for the patient themself, and for admins."""
        require_full_scope(actor)
        pid = parse_id(patient_id)
        allowed = actor.role is Role.ADMIN or (
            actor.role is Role.PATIENT and actor.patient_id == pid
        )
        outcome = audit.Outcome.SUCCESS if allowed else audit.Outcome.DENIED
        audit.record(
            self.session, "audit.read", actor=actor, patient_id=pid, outcome=outcome,
            resource_type="AuditEvent",
        )  # fmt: skip
        if not allowed:
            await self.session.commit()
            raise NotFound("Not found.")
        rows = (
            await self.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.patient_id == pid)
                .order_by(AuditEvent.seq.desc())
                .limit(limit)
            )
        ).all()
        names = await display_names(self.session, {r.actor_id for r in rows if r.actor_id})
        await self.session.commit()
        return resources.bundle(
            "searchset", [resources.audit_event(r, names.get(r.actor_id)) for r in rows], self.base
        )

    def metadata(self, paths: capabilities.Paths | None = None) -> dict:
        """The CapabilityStatement; given the app's OpenAPI paths, it lists what is served."""
        if paths is None:
            return resources.capability_statement(self.base, clock.now())
        return resources.capability_statement(
            self.base, clock.now(), capabilities.served_resources(paths),
            capabilities.system_interactions(paths),
        )  # fmt: skip
