"""The community e-mail digest's table: one row per member who chose a digest (docs/community.md).

No health data: a frequency, when the next digest is due, the start of the window it counts and
how many mentions arrived in it (counted as they happen, since mentions live in the inbox)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.db import Base, UTCDateTime


class DigestChoice(Base):
    """A member's digest: ``daily`` or ``weekly`` (no row: no digest, the default)."""

    __tablename__ = "community_digest_choices"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[str] = mapped_column(String(8))  # daily|weekly
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)  # the window the next digest counts
    mentions: Mapped[int] = mapped_column(Integer, default=0)
