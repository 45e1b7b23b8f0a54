"""De-identified exports of a cohort, FHIR Bulk Data style (docs/research.md).

The researcher kicks off an export of a cohort: its consented members are read, de-identified
(research/deidentify.py, on rdeid's Safe Harbor functions) and measured for k-anonymity (and
l-diversity when the study names a sensitive attribute). Below the study's k the kick-off is
refused with the reason (409) and nothing is kept. Otherwise the export waits for the study's
approver; approving it reads the cohort again (a patient who withdrew meanwhile is left out),
checks the gate again and writes the files: NDJSON per resource type and one CSV, encrypted at
rest in the database like FHIR Bulk Data's files (fhir/bulk_models.py), with a manifest (study,
criteria, time, the k/l report, counts and the pseudonym key's id — never the key).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel import audit, clock
from careverse.kernel.errors import Conflict, NotFound
from careverse.kernel.fhir import PatientRecord, iso
from careverse.kernel.policy import Actor
from careverse.kernel.uow import audit_refusal, unit_of_work
from careverse.research import access, criteria, deidentify, population
from careverse.research.models import Cohort, Export, ExportFile, Study

NDJSON = "application/fhir+ndjson"
CSV = "text/csv"


class BelowThreshold(Conflict):
    """The export could identify someone: refused with the reason (no data in it)."""

    code = "disclosure_risk"


@dataclass(frozen=True)
class Built:
    prepared: deidentify.Prepared
    report: dict
    refusal: str | None


class ExportService:
    def __init__(self, session: AsyncSession, record: PatientRecord):
        self.session = session
        self.record = record

    async def _cohort(self, study: Study, cohort_id: uuid.UUID) -> Cohort:
        return await access.part_of(self.session, Cohort, cohort_id, study)

    async def _build(self, actor: Actor, study: Study, cohort: Cohort, why: str) -> Built:
        found = await population.members(self.session, self.record, actor, study,
                                         criteria.parse(cohort.criteria), why)  # fmt: skip
        prepared = deidentify.prepare(study, found)
        report, refusal = deidentify.disclosure(study, prepared)
        return Built(prepared, report, refusal)

    async def kick_off(self, actor: Actor, study_id: uuid.UUID, cohort_id: uuid.UUID) -> Export:
        async with unit_of_work(self.session):
            study = await access.own_study(self.session, actor, study_id)
            if study.status != "approved":
                raise Conflict("The study must be approved before anything is exported.",
                               code="study_not_approved")  # fmt: skip
            cohort = await self._cohort(study, cohort_id)
            built = await self._build(actor, study, cohort, "export-check")
            if built.refusal is not None:
                reason, cohort_id = built.refusal, cohort.id

                def write_refusal(own: AsyncSession) -> None:
                    audit.record(own, "research.export.request", actor=actor,
                                 outcome=audit.Outcome.DENIED, resource_type="Group",
                                 resource_id=cohort_id, detail={"reason": reason})  # fmt: skip

                await audit_refusal(self.session, write_refusal)
                raise BelowThreshold(reason)
            export = Export(study_id=study.id, cohort_id=cohort.id,
                            requester_id=actor.account_id, report=built.report)  # fmt: skip
            self.session.add(export)
            await self.session.flush()
            audit.record(self.session, "research.export.request", actor=actor,
                         resource_type="Binary", resource_id=export.id)  # fmt: skip
            return export

    async def export(self, actor: Actor, study_id: uuid.UUID, export_id: uuid.UUID) -> Export:
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            export = await access.part_of(self.session, Export, export_id, study)
            audit.record(self.session, "research.export.status", actor=actor,
                         resource_type="Binary", resource_id=export.id)  # fmt: skip
            return export

    async def exports(self, actor: Actor, study_id: uuid.UUID) -> list[Export]:
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            rows = await self.session.scalars(select(Export).where(Export.study_id == study.id)
                                              .order_by(Export.requested_at))  # fmt: skip
            return list(rows.all())

    async def approve(self, actor: Actor, study_id: uuid.UUID, export_id: uuid.UUID) -> Export:
        """The approver approves: the cohort is read again now and the files written."""
        async with unit_of_work(self.session):
            study = await access.approver_of(self.session, actor, study_id)
            export = await access.part_of(self.session, Export, export_id, study)
            if export.status != "awaiting-approval":
                raise Conflict("This export was already decided.", code="decided")
            cohort = await self._cohort(study, export.cohort_id)
            built = await self._build(actor, study, cohort, "export")
            finished = clock.now()
            export.approved_by, export.finished_at = actor.account_id, finished
            export.report = built.report
            if built.refusal is not None:
                export.status, export.reason = "refused", built.refusal
                audit.record(self.session, "research.export.refuse", actor=actor,
                             resource_type="Binary", resource_id=export.id,
                             detail={"reason": built.refusal})  # fmt: skip
                return export
            files = [
                ExportFile(export_id=export.id, name=f"{kind}.ndjson", media_type=NDJSON,
                           count=len(lines), content="\n".join(lines) + "\n")
                for kind, lines in sorted(built.prepared.ndjson.items()) if lines
            ]  # fmt: skip
            files.append(ExportFile(export_id=export.id, name="cohort.csv", media_type=CSV,
                                    count=len(built.prepared.rows),
                                    content=deidentify.csv_text(built.prepared)))  # fmt: skip
            self.session.add_all(files)
            export.status = "completed"
            export.manifest = {
                "study": {"id": str(study.id), "title": study.title},
                "cohort": {"id": str(cohort.id), "name": cohort.name,
                           "criteria": cohort.criteria},
                "transactionTime": iso(finished),
                "patients": len(built.prepared.rows),
                "files": [{"name": f.name, "type": f.media_type, "count": f.count}
                          for f in files],
                "deidentification": deidentify.METHOD,
                "disclosure": built.report,
                "pseudonymKeyId": study.key_id,
            }  # fmt: skip
            audit.record(self.session, "research.export.approve", actor=actor,
                         resource_type="Binary", resource_id=export.id,
                         detail={"patients": len(built.prepared.rows)})  # fmt: skip
            return export

    async def file(self, actor: Actor, study_id: uuid.UUID, export_id: uuid.UUID,
                   name: str) -> ExportFile:  # fmt: skip
        """One file of a completed export (its researcher or approver); audited."""
        async with unit_of_work(self.session):
            study = await access.study(self.session, actor, study_id)
            export = await access.part_of(self.session, Export, export_id, study)
            if export.status != "completed":
                raise NotFound("Not found.")
            row = await self.session.scalar(select(ExportFile).where(
                ExportFile.export_id == export.id, ExportFile.name == name))  # fmt: skip
            if row is None:
                raise NotFound("Not found.")
            audit.record(self.session, "research.export.download", actor=actor,
                         resource_type="Binary", resource_id=export.id,
                         detail={"file": row.name})  # fmt: skip
            return row
