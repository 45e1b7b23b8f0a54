"""Wellbeing's schedule table: a questionnaire a clinician asked a patient to answer regularly.

Which instrument and how often is itself sensitive (a PHQ-9 every two weeks says depression is
being watched), but the reminder job must find what is due without decrypting: the columns stay
in the clear and nothing of them leaves the database except to the patient and their clinicians.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class WellbeingSchedule(IdMixin, Base):
    """PHQ-9 every 14 days for one patient, from ``next_due_at`` on, until ``ended_at``."""

    __tablename__ = "wellbeing_schedules"
    __table_args__ = (Index("ix_wellbeing_schedules_due", "ended_at", "next_due_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(16))
    every_days: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The due time the last reminder was for: a reminder is sent once per due time (and the
    # conditional UPDATE that sets it is the claim, so two nodes never both send it).
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
