"""Exposure therapy tables: a patient's fear hierarchies and their exposure sessions.

The steps (what the patient fears, their expected distress) and everything rated in a session
(SUDS, the simulator sickness questionnaire, who changed what and when) are health data: each
is one encrypted JSON document. In the clear: whose, which step, the state and the intensity
(what a live session needs to be steered), and the times.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class ExposureHierarchy(IdMixin, Base):
    """A fear hierarchy built by a therapist with the patient."""

    __tablename__ = "wellbeing_exposure_hierarchies"
    __table_args__ = (Index("ix_wellbeing_exposure_hierarchies_patient", "patient_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # JSON: {"title": str, "steps": [{description, scene, height_m, crowd_density, …}]}
    plan: Mapped[str] = mapped_column(Encrypted)


class ExposureSession(IdMixin, Base):
    """One exposure to one step of a hierarchy."""

    __tablename__ = "wellbeing_exposure_sessions"
    __table_args__ = (
        Index("ix_wellbeing_exposure_sessions_patient_at", "patient_id", "started_at"),
    )

    hierarchy_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(
            "wellbeing_exposure_hierarchies.id",
            ondelete="CASCADE",
            name="fk_wellbeing_exposure_sessions_hierarchy",  # the convention's is over 63
        )
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)  # 0-based index into the hierarchy's steps
    status: Mapped[str] = mapped_column(String(16))  # active | paused | ended
    intensity: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # JSON: {"suds": [{at, phase, value}], "events": [{at, by, role, kind, value}], "ssq": …}
    record: Mapped[str] = mapped_column(Encrypted)
