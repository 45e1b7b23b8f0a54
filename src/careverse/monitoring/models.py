"""Monitoring tables: devices, their pairing codes, and readings (one numeric value per row).

Reading values are stored unencrypted so that the database can aggregate them for charts: a
deliberate exception (see docs/security.md). The table holds pseudonymous patient UUIDs, LOINC
codes, UCUM units, numbers and times only: no names and no free text.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime

DEVICE_KINDS = (
    "wearable",
    "pulse_oximeter",
    "bp_cuff",
    "thermometer",
    "scale",
    "glucometer",
    "other",
)


class Device(IdMixin, CreatedMixin, Base):
    """A device that writes readings for one patient, with its credential stored as a hash."""

    __tablename__ = "monitoring_devices"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(Encrypted)  # free text ("Mum's watch"): encrypted
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|active|revoked
    credential_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The same credential as the MQTT broker's password-file hash (``broker.mosquitto_hash``):
    # made when the device pairs, since the credential is never seen in clear again.
    broker_hash: Mapped[str | None] = mapped_column(String(160))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PairingCode(IdMixin, CreatedMixin, Base):
    """A short-lived code a patient shows; the device exchanges it once for its credential."""

    __tablename__ = "monitoring_pairing_codes"

    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("monitoring_devices.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reading(Base):
    """One numeric value: a LOINC code, its UCUM unit, when it was measured, where it came from.

    ``source_id`` (the sender's id for the data point) is unique per patient and code, so a retried
    batch stores nothing twice (a blood-pressure panel is two rows with one source id).
    """

    __tablename__ = "monitoring_readings"
    __table_args__ = (
        UniqueConstraint("patient_id", "source_id", "code", name="uq_monitoring_readings_source"),
        Index("ix_monitoring_readings_series", "patient_id", "code", "effective_at"),
        # A patient's readings by time, any code: FHIR search without a code, the record's pages.
        Index("ix_monitoring_readings_patient_time", "patient_id", "effective_at", "id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("monitoring_devices.id", ondelete="SET NULL")
    )
    code: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_id: Mapped[str] = mapped_column(String(128))
