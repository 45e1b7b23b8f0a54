"""Gallery tables: members' works (images, poems and short texts), their image bytes, members'
reports and each community's gallery space (docs/gallery.md).

A work's words (title, alt text, caption, text) can carry health data: they are ``Encrypted``;
an image's bytes are stored encrypted as base64 (as message attachments are), after being
decoded, re-encoded without metadata and checked for size. ``author_account_id`` is never shown
to anyone but the author: others see the author's community pseudonym.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class GalleryWork(IdMixin, Base):
    """One work: ``pending`` → ``approved`` | ``declined``; ``held`` while a crisis case is open;
    ``removed`` by its author (kept for the moderation log, its words and image deleted)."""

    __tablename__ = "gallery_works"
    __table_args__ = (
        Index("ix_gallery_works_community_status", "community_id", "status"),
        UniqueConstraint("community_id", "slot"),
    )

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE")
    )
    # An art-therapy group (a support group whose sessions open the gallery template): the work
    # is shared with that group only and never hung in the community's gallery.
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("group_groups.id", ondelete="CASCADE"), index=True
    )
    author_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    handle: Mapped[str] = mapped_column(String(64))  # the author's pseudonym when submitted
    kind: Mapped[str] = mapped_column(String(8))  # image|text
    title: Mapped[str] = mapped_column(Encrypted)
    alt_text: Mapped[str] = mapped_column(Encrypted, default="")
    caption: Mapped[str] = mapped_column(Encrypted, default="")
    body: Mapped[str] = mapped_column(Encrypted, default="")  # Markdown of a text work
    status: Mapped[str] = mapped_column(String(10), default="pending")
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # the pipeline's rule names (JSON)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledge_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(Encrypted)  # the moderator's reason
    slot: Mapped[int | None] = mapped_column(Integer)  # its place on the walls, when hung
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GalleryImage(Base):
    """A work's image: re-encoded (no EXIF, GPS or other metadata), base64, encrypted."""

    __tablename__ = "gallery_images"

    work_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("gallery_works.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Encrypted)


class GalleryReport(IdMixin, Base):
    """A member's report of an approved work (once per member and work)."""

    __tablename__ = "gallery_reports"
    __table_args__ = (UniqueConstraint("work_id", "reporter_id"),)

    work_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("gallery_works.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Encrypted)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|agreed|dismissed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GallerySpace(Base):
    """The world space that is a community's gallery (made on first visit)."""

    __tablename__ = "gallery_spaces"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[uuid.UUID] = mapped_column(unique=True)
