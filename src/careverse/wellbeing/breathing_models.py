"""Wellbeing table of breathing sessions (relaxation and biofeedback).

Stress ratings, the breathing rate and the heart rate variability summary are health data: they
are stored as one encrypted JSON document (``detail``); only whose session it is and when it ran
stay in the clear.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class BreathingSession(IdMixin, Base):
    """One paced-breathing session of a patient, open until they finish it."""

    __tablename__ = "wellbeing_breathing_sessions"
    __table_args__ = (
        Index("ix_wellbeing_breathing_sessions_patient_at", "patient_id", "started_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # JSON: {"mode", "rate", "stress_before", "stress_after", "hrv": {...}, "resonance": {...}}
    detail: Mapped[str] = mapped_column(Encrypted)
