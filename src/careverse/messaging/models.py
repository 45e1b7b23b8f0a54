"""Messaging tables: a person's notifications inbox, and secure message threads with the care team.

What may carry health data is encrypted at rest: a notification's body, a thread's subject, a
message's text, an attachment's name and content. What lists and counts need stays in the clear:
whose, which kind, when, read or not. A notification's title carries no health data by contract
(careverse.kernel.notify).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel import clock
from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class Notification(IdMixin, CreatedMixin, Base):
    """One notice in a person's inbox. The title carries no health data; the body is encrypted."""

    __tablename__ = "notifications"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # appointment.booked, message.received, …
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Encrypted)
    link: Mapped[str | None] = mapped_column(String(300))  # a client path
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)


class MessageThread(IdMixin, CreatedMixin, Base):
    """A conversation between a patient (or their caregiver) and the patient's care team."""

    __tablename__ = "message_threads"
    __table_args__ = (Index("ix_message_threads_patient_last", "patient_id", "last_message_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(Encrypted)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Triage: who on the care team answers it, and whether the team has dealt with it.
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Message(IdMixin, CreatedMixin, Base):
    """One message of a thread, written by the patient's side or by the care team."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread_created", "thread_id", "created_at"),)

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    side: Mapped[str] = mapped_column(String(16))  # patient | care_team
    body: Mapped[str] = mapped_column(Encrypted)


class MessageAttachment(IdMixin, CreatedMixin, Base):
    """A file sent with a message: its type found from its bytes, its content encrypted."""

    __tablename__ = "message_attachments"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(Encrypted)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Encrypted)  # base64 of the bytes


class ThreadRead(Base):
    """When one participant last read a thread: the read receipts of the other side."""

    __tablename__ = "message_thread_reads"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
