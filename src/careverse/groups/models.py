"""Support groups' tables: groups, their members, sessions, attendance, check-ins, support
requests and facilitators' notes.

A group's name can reveal a condition, so nothing here is e-mailed. Check-in scores and notes are
health data and stored ``Encrypted``; the rows that jobs must find (sessions, requests) keep their
times in the clear.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class SupportGroup(IdMixin, Base):
    """A live support group of one community, meeting every ``every_weeks`` weeks."""

    __tablename__ = "group_groups"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    caregiver: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64))  # the facilitator's IANA zone
    first_date: Mapped[date] = mapped_column(Date)  # the first session's local date
    start_time: Mapped[str] = mapped_column(String(5))  # "18:30", local to ``timezone``
    duration_minutes: Mapped[int] = mapped_column(Integer)
    every_weeks: Mapped[int] = mapped_column(Integer)  # 1 weekly, 2 fortnightly
    capacity: Mapped[int] = mapped_column(Integer)
    admission: Mapped[str] = mapped_column(String(16))  # open|request|referral
    template: Mapped[str] = mapped_column(String(32))  # the world template each session opens
    ground_rules: Mapped[str] = mapped_column(Text)
    ground_rules_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GroupMember(IdMixin, Base):
    """One account in one group: facilitator or member, and where they stand."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "account_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_groups.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")  # member|facilitator
    # active | waitlisted | requested | referred | left
    status: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rules_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)  # waitlist order
    referred_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    # The member's consent to show attendance and check-ins to their care team.
    share_with_care_team: Mapped[bool] = mapped_column(Boolean, default=False)


class GroupSession(IdMixin, Base):
    """One occurrence of a group's recurrence, made when first needed."""

    __tablename__ = "group_sessions"
    __table_args__ = (UniqueConstraint("group_id", "starts_at"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_groups.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    space_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GroupAttendance(IdMixin, Base):
    __tablename__ = "group_attendance"
    __table_args__ = (UniqueConstraint("session_id", "account_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(String(8), default="full")  # full|voice|text
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GroupCheckIn(IdMixin, Base):
    """A member's mood at the start or end of a session (1 very low … 5 very good)."""

    __tablename__ = "group_checkins"
    __table_args__ = (UniqueConstraint("session_id", "account_id", "phase"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(8))  # start|end
    score: Mapped[str] = mapped_column(Encrypted)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class GroupSupportRequest(IdMixin, Base):
    """A member pressed "I need support": a facilitator acknowledges, or it escalates."""

    __tablename__ = "group_support_requests"
    __table_args__ = (Index("ix_group_support_due", "acknowledged_at", "escalated_at", "due_at"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GroupSessionNote(IdMixin, Base):
    """A facilitator's note on a session: private to the group's facilitators, encrypted."""

    __tablename__ = "group_session_notes"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Encrypted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
