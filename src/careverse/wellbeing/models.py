"""Wellbeing tables: a patient's questionnaire responses.

The answers and everything scored from them (total, band, flags, C-SSRS risk) are health data
of the most sensitive kind: they are stored as one encrypted JSON document (``result``). Only
what the list needs in the clear stays so: whose, which instrument, and when.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class WellbeingResponse(IdMixin, Base):
    """One answered questionnaire (FHIR: a QuestionnaireResponse)."""

    __tablename__ = "wellbeing_responses"
    __table_args__ = (Index("ix_wellbeing_responses_patient_at", "patient_id", "submitted_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # JSON: {"answers": …, "total", "band", "percentage", "flags", "missing", "risk", "crisis"}
    result: Mapped[str] = mapped_column(Encrypted)
