"""Volunteering tables: opportunities an organiser posts in a community, sign-ups, and hours
logged by the volunteer and confirmed by the organiser (docs/mentoring.md, "Volunteering")."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class Opportunity(IdMixin, Base):
    __tablename__ = "volunteer_opportunities"

    community_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    organiser_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SignUp(IdMixin, Base):
    __tablename__ = "volunteer_signups"
    __table_args__ = (UniqueConstraint("opportunity_id", "account_id"),)

    opportunity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer_opportunities.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HoursLog(IdMixin, Base):
    __tablename__ = "volunteer_hours"

    signup_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("volunteer_signups.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default="logged")  # logged|confirmed|declined
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
