"""Privacy tables: consents, break-glass accesses and erasure requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class Consent(IdMixin, CreatedMixin, Base):
    """A patient's decision about one purpose (FHIR Consent: purpose, actor, period, status)."""

    __tablename__ = "consents"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(8))  # permit | deny
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE")
    )  # None: anyone, for this purpose
    organization: Mapped[str | None] = mapped_column(Encrypted)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | inactive
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BreakGlass(IdMixin, CreatedMixin, Base):
    """Emergency access outside a care relationship, with a stated reason and a time limit.

    Not a fact anyone may hide: the patient sees it in their access log.
    """

    __tablename__ = "break_glass"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Encrypted)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ErasureRequest(IdMixin, CreatedMixin, Base):
    """A request to erase an account, carried out after a grace period unless cancelled."""

    __tablename__ = "erasure_requests"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
