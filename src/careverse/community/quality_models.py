"""Quality marks: a verified clinician's current judgement of one post (docs/community.md).

One row per post (the current mark); every change is in the kernel audit, with who and why. The
marking clinician is stored as an account id only, never with any pseudonym: the API shows the
mark under the clinician's verified name, so marking links nothing to a handle.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, UTCDateTime


class QualityMark(Base):
    __tablename__ = "community_quality_marks"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_threads.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(12))  # reviewed|contradicts
    source_url: Mapped[str] = mapped_column(String(2000))
    source_title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Encrypted, default="")
    marked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
