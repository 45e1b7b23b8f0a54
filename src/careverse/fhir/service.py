"""fhir's own reads: a patient's whole record (``$everything``) and the CapabilityStatement."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.fhir import capabilities, resources
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.kernel.errors import NotFound
from careverse.kernel.fhir import PatientRecord, bundle
from careverse.kernel.policy import Actor, Category, authorize
from careverse.kernel.uow import unit_of_work


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

    async def everything(self, actor: Actor, patient_id: uuid.UUID, record: PatientRecord) -> dict:
        """Everything the caller may see about a patient, as one searchset Bundle.

        The record is authorised (and audited) once; then each capability's section of it is
        read in the order the capabilities registered them (the Patient first).
        """
        async with unit_of_work(self.session):
            await authorize(self.session, actor, patient_id, Category.RECORD)
            entries = await record.resources(self.session, actor, patient_id)
        return bundle("searchset", entries, self.base)

    def metadata(self, paths: capabilities.Paths | None = None) -> dict:
        """The CapabilityStatement; given the app's OpenAPI paths, it lists what is served."""
        if paths is None:
            return resources.capability_statement(self.base, clock.now())
        return resources.capability_statement(
            self.base, clock.now(), capabilities.served_resources(paths),
            capabilities.system_interactions(paths),
        )  # fmt: skip
