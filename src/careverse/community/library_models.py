"""Education library tables: items (article, infographic, interactive module with a quiz), an
infographic's image, and each member's latest quiz result (docs/community.md).

Items are community education written by clinicians and peer educators, not disclosures: their
text is stored in the clear. A member's quiz answers are theirs: stored encrypted, erased with
their account.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class LibraryItem(IdMixin, CreatedMixin, Base):
    __tablename__ = "community_library_items"
    __table_args__ = (Index("ix_community_library_items_community", "community_id", "state"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(12))  # article|infographic|module
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft|published
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(
        Text, default=""
    )  # Markdown (an infographic's long description)
    alt_text: Mapped[str] = mapped_column(String(300), default="")  # infographic
    questions: Mapped[list] = mapped_column(JSON, default=list)  # module: the quiz
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LibraryImage(Base):
    """An infographic's image: its type read from its bytes, the bytes base64."""

    __tablename__ = "community_library_images"

    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_library_items.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)  # base64 of the bytes
    size: Mapped[int] = mapped_column(Integer)


class QuizResult(Base):
    """A member's latest attempt at a module's quiz."""

    __tablename__ = "community_quiz_results"

    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_library_items.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    answers: Mapped[str] = mapped_column(Encrypted)  # JSON of the chosen options
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
