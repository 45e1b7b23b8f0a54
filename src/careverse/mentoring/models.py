"""Mentoring tables: mentors' applications, mentoring relationships, their goals, meetings,
messages and reports (docs/mentoring.md).

A mentor's condition and treatment stage, a relationship's goals, messages and reports are health
data and stored ``Encrypted``; what matching filters on besides (languages, age band, gender,
availability, capacity) is kept in the clear.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class Mentor(IdMixin, Base):
    """One person's application to mentor (or educate) in one community, and where it stands."""

    __tablename__ = "mentoring_mentors"
    __table_args__ = (UniqueConstraint("community_id", "account_id"),)

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # peer|professional (the community's kind)
    role: Mapped[str] = mapped_column(String(16), default="mentor")  # mentor|educator
    status: Mapped[str] = mapped_column(
        String(16), default="applied"
    )  # applied|approved|rejected|withdrawn
    condition: Mapped[str] = mapped_column(Encrypted)  # lived experience, lower-case
    stage: Mapped[str] = mapped_column(Encrypted)  # treatment stage
    languages: Mapped[list] = mapped_column(JSON, default=list)
    age_band: Mapped[str] = mapped_column(String(8))
    gender: Mapped[str] = mapped_column(String(16))
    availability: Mapped[list] = mapped_column(JSON, default=list)  # "mon-am", "sat-pm" …
    capacity: Mapped[int] = mapped_column(Integer)
    about: Mapped[str] = mapped_column(Text, default="")
    quiz_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    trained_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Relationship(IdMixin, Base):
    """A mentor and a mentee, from the match to the end."""

    __tablename__ = "mentoring_relationships"

    mentor_row_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentoring_mentors.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|ended
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # the match's reason codes
    space_id: Mapped[uuid.UUID] = mapped_column(index=True)  # the 1:1 space (world)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class Goal(IdMixin, Base):
    __tablename__ = "mentoring_goals"

    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentoring_relationships.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Encrypted)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Meeting(IdMixin, Base):
    """A scheduled 1:1 meeting in the relationship's space."""

    __tablename__ = "mentoring_meetings"

    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentoring_relationships.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class Message(IdMixin, Base):
    __tablename__ = "mentoring_messages"

    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentoring_relationships.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Encrypted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class Report(IdMixin, Base):
    """One side reported the other: the site's moderators are told (no content in the notice)."""

    __tablename__ = "mentoring_reports"

    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mentoring_relationships.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Encrypted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
