"""Care programme tables: a named programme, its lead clinicians and its enrolments.

A programme ("Heart failure remote monitoring") groups patients for a shared pathway. Its lead
clinicians see its member list (the members they may see); enrolments keep who enrolled whom,
when, until when, and who ended it: an ended enrolment stays, as the history of the programme.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class CareProgramme(IdMixin, CreatedMixin, Base):
    """A care programme: its name (unique), what it is for, who made it."""

    __tablename__ = "care_programmes"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class ProgrammeLead(Base):
    """A clinician who runs a programme (sees its members they may see, enrols, ends)."""

    __tablename__ = "care_programme_leads"

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("care_programmes.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProgrammeEnrolment(IdMixin, Base):
    """One patient in one programme, from ``enrolled_at`` until ``ended_at`` (or the planned
    ``ends_at``). At most one open enrolment per patient and programme (the service checks it;
    ``open_key`` makes a concurrent second one fail: it is the patient's id while open)."""

    __tablename__ = "care_programme_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "open_key"),)

    programme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("care_programmes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(36))  # patient id while open, else NULL
    enrolled_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the planned end, if any
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
