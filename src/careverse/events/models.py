"""Events' tables: events, the people in them (hosts, speakers, audience), slides, questions and
the recording (slide changes and chat, with their times).

A question and a chat line can carry health data (someone's own story), so their words are
stored ``Encrypted``; slide texts and images are the host's public material. Nobody's audio or
video is ever recorded: the world never sends media through the server.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, IdMixin, UTCDateTime


class Event(IdMixin, Base):
    """A talk, a Q&A with a clinician or a health campaign, of a community or of the site."""

    __tablename__ = "event_events"

    community_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("community_communities.id", ondelete="CASCADE"), index=True, nullable=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))  # talk | qa | campaign
    visibility: Mapped[str] = mapped_column(String(16))  # community | public
    template: Mapped[str] = mapped_column(String(32))  # auditorium | clinic-lobby
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)  # the audience (hosts and speakers apart)
    space_id: Mapped[uuid.UUID] = mapped_column(unique=True)  # the space, made at the door
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class EventPerson(IdMixin, Base):
    """One account in one event: host, speaker or audience, and where they stand."""

    __tablename__ = "event_people"
    __table_args__ = (UniqueConstraint("event_id", "account_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # host | speaker | audience
    status: Mapped[str] = mapped_column(String(16))  # registered | waitlisted | cancelled
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)  # waitlist order


class EventSlide(IdMixin, Base):
    """One slide: a text, or an image the host uploaded (PNG or JPEG)."""

    __tablename__ = "event_slides"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    media_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class EventQuestion(IdMixin, Base):
    """A question raised by someone in the audience, moderated by a host."""

    __tablename__ = "event_questions"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    body: Mapped[str] = mapped_column(Encrypted)
    # pending | approved | answered | dismissed | held (crisis language: a human is told)
    status: Mapped[str] = mapped_column(String(16))
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class EventLogEntry(IdMixin, Base):
    """The recording: the event started or ended, a slide was shown, a chat line, a question
    decided — each with its time. ``detail`` (a chat line's words) is encrypted."""

    __tablename__ = "event_log"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_events.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # start | end | slide | chat | question
    detail: Mapped[str] = mapped_column(Encrypted, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
