"""Research tables: studies, per-study research consents, cohorts, de-identified exports and
their files, trials and their allocations (docs/research.md).

What could identify a patient or reveal a sealed secret is stored ``Encrypted``: a study's
pseudonym key, a trial's allocation seed, the export files. Cohort criteria and the manifest hold
no one's data (criteria and counts only).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


def _account(nullable: bool = True):
    return mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=nullable, index=True
    )


class Study(IdMixin, Base):
    """A research study: its protocol, its approver, and its disclosure thresholds."""

    __tablename__ = "research_studies"

    title: Mapped[str] = mapped_column(String(200))
    protocol: Mapped[str] = mapped_column(Text)  # the protocol summary shown to patients
    owner_id: Mapped[uuid.UUID | None] = _account()  # the researcher who created it
    approver_id: Mapped[uuid.UUID | None] = _account()  # an admin
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|approved|closed
    k: Mapped[int] = mapped_column(Integer, default=5)  # k-anonymity threshold of exports
    l_div: Mapped[int | None] = mapped_column(Integer, nullable=True)  # l-diversity, optional
    sensitive: Mapped[str | None] = mapped_column(String(32), nullable=True)  # l's attribute
    pseudonym_key: Mapped[str] = mapped_column(Encrypted)  # HMAC key: never leaves the server
    key_id: Mapped[str] = mapped_column(String(16))  # names the key in manifests
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ResearchConsent(IdMixin, Base):
    """A patient's opt-in to one study (FHIR Consent, purpose research), until withdrawn."""

    __tablename__ = "research_consents"
    __table_args__ = (UniqueConstraint("study_id", "patient_id"),)

    study_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_studies.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|withdrawn
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Cohort(IdMixin, Base):
    """Criteria over the consented patients' data; its members are computed, never stored."""

    __tablename__ = "research_cohorts"

    study_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_studies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Export(IdMixin, Base):
    """A de-identified export of a cohort: asked by the researcher, approved by the approver."""

    __tablename__ = "research_exports"

    study_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_studies.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_cohorts.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[uuid.UUID | None] = _account()
    approved_by: Mapped[uuid.UUID | None] = _account()
    # awaiting-approval | completed | refused
    status: Mapped[str] = mapped_column(String(20), default="awaiting-approval")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why refused (no data)
    report: Mapped[dict] = mapped_column(JSON, default=dict)  # the k/l report at kick-off
    manifest: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ExportFile(IdMixin, Base):
    """One file of an export (NDJSON of a resource type, or the CSV), encrypted at rest."""

    __tablename__ = "research_export_files"
    __table_args__ = (UniqueConstraint("export_id", "name"),)

    export_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_exports.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Encrypted)


class Trial(IdMixin, Base):
    """A randomised trial in a study: its arms, method and sealed seed."""

    __tablename__ = "research_trials"

    study_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_studies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    cohort_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("research_cohorts.id", ondelete="SET NULL"), nullable=True, index=True
    )  # eligibility: a member of this cohort (None: any consented patient)
    method: Mapped[str] = mapped_column(String(20))  # permuted_blocks | minimise
    arms: Mapped[list] = mapped_column(JSON)  # [{name, ratio, intervention}]
    block_sizes: Mapped[list] = mapped_column(JSON, default=list)
    factors: Mapped[list] = mapped_column(JSON, default=list)  # strata / minimisation factors
    capacity: Mapped[int] = mapped_column(Integer)  # the length of the sealed sequence
    seed: Mapped[str] = mapped_column(Encrypted)  # sealed: no API returns it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Allocation(IdMixin, Base):
    """One enrolment and its arm, drawn when the participant was enrolled."""

    __tablename__ = "research_allocations"
    __table_args__ = (
        UniqueConstraint("trial_id", "patient_id", name="uq_research_allocations_patient"),
        UniqueConstraint("trial_id", "seq", name="uq_research_allocations_seq"),
    )

    trial_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("research_trials.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), nullable=True, index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, … in order of enrolment
    arm: Mapped[str] = mapped_column(String(60))
    stratum: Mapped[dict] = mapped_column(JSON, default=dict)  # the factor levels used
    enrolled_by: Mapped[uuid.UUID | None] = _account()
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
