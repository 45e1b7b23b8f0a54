"""Wellbeing tables of self-help: psychoeducation progress, thought records, planned activities.

What a patient writes (thought records, activity titles and notes) and their ratings are health
data: stored as encrypted JSON documents. In the clear: whose, which module (as the instrument
code of a questionnaire is), when, and whether a thought record is shared with the therapist.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class ModuleProgress(IdMixin, Base):
    """One patient's progress through one psychoeducation module (or its recommendation)."""

    __tablename__ = "wellbeing_selfhelp_progress"
    __table_args__ = (UniqueConstraint("patient_id", "module"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(40))
    sections_read: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of section ids
    recommended_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    recommended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ThoughtRecord(IdMixin, Base):
    """A CBT seven-column thought record; ``shared`` lets the patient's therapists read it."""

    __tablename__ = "wellbeing_thought_records"
    __table_args__ = (Index("ix_wellbeing_thought_records_patient_at", "patient_id", "written_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON: {"situation", "emotions", "automatic_thoughts", "hot_thought", "evidence_for",
    # "evidence_against", "balanced_thought", "rerated", "traps", "crisis"}
    record: Mapped[str] = mapped_column(Encrypted)


class PlannedActivity(IdMixin, Base):
    """One behavioural activation activity planned for a time, done or not, with its ratings."""

    __tablename__ = "wellbeing_activities"
    __table_args__ = (Index("ix_wellbeing_activities_patient_for", "patient_id", "planned_for"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    planned_for: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # JSON: {"title", "category", "note", "done", "mood_before", "mood_after", "pleasure",
    # "mastery", "crisis"}
    detail: Mapped[str] = mapped_column(Encrypted)
