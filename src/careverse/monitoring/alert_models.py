"""Monitoring tables of the rules and alerts side: care-plan rules, alerts, NEWS2 inputs.

Free text that can carry health data (rule labels, alert titles and the "why" sentence) is
encrypted at rest; numbers and codes are stored like readings (see docs/security.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime

RULE_KINDS = ("threshold", "sustained", "trend", "no_data")
SEVERITIES = ("low", "medium", "high")
ALERT_STATUSES = ("open", "acknowledged", "resolved")


class CarePlanRule(IdMixin, CreatedMixin, Base):
    """A clinician's rule for one patient; which columns count depends on ``kind``.

    threshold: code, op, value · sustained: code, op, value, minutes · trend: code, change, days ·
    no_data: hours (and optionally code). Deleting a rule stamps ``deleted_at`` so that its
    alerts keep pointing at it.
    """

    __tablename__ = "monitoring_rules"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(16))
    op: Mapped[str | None] = mapped_column(String(2))
    value: Mapped[float | None] = mapped_column(Float)
    minutes: Mapped[int | None] = mapped_column(Integer)
    change: Mapped[float | None] = mapped_column(Float)
    days: Mapped[float | None] = mapped_column(Float)
    hours: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(8))
    label: Mapped[str | None] = mapped_column(Encrypted)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(IdMixin, Base):
    """One alert: open → acknowledged → resolved.

    ``open_key`` is ``"<patient>:<source key>"`` while the alert is open or acknowledged and NULL
    once resolved; its unique constraint keeps one live alert per condition across nodes, so a
    persisting condition updates that alert (``count``) instead of raising another.
    """

    __tablename__ = "monitoring_alerts"
    __table_args__ = (
        Index("ix_monitoring_alerts_status_opened", "status", "opened_at"),
        Index("ix_monitoring_alerts_patient_status", "patient_id", "status"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))  # news2 | rule | wellbeing
    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("monitoring_rules.id", ondelete="SET NULL"), index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(Encrypted)
    why: Mapped[str] = mapped_column(Encrypted)
    count: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # When the escalation clock runs from (opening, or re-opening on a rise in severity).
    escalate_from: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    escalated_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the one escalation job (on any node) that claimed this alert.
    escalation_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PatientMonitoringSettings(Base):
    """Per-patient NEWS2 settings a clinician sets (SpO2 scale 2 for hypercapnic failure)."""

    __tablename__ = "monitoring_patient_settings"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    spo2_scale: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class ClinicalObservation(IdMixin, Base):
    """A clinician's bedside NEWS2 inputs: level of consciousness (ACVPU) and air or oxygen."""

    __tablename__ = "monitoring_observations"
    __table_args__ = (Index("ix_monitoring_observations_patient_at", "patient_id", "observed_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    consciousness: Mapped[str | None] = mapped_column(Encrypted)  # A, C, V, P or U
    on_oxygen: Mapped[bool | None] = mapped_column(Boolean)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
