"""Identity tables: accounts, patient records, sign-in sessions, throttling and reset tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class Account(IdMixin, CreatedMixin, Base):
    __tablename__ = "accounts"

    email: Mapped[str] = mapped_column(Encrypted)
    email_index: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    display_name: Mapped[str] = mapped_column(Encrypted)
    preferred_language: Mapped[str | None] = mapped_column(String(35))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(Encrypted)
    totp_pending_secret: Mapped[str | None] = mapped_column(Encrypted)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[Patient | None] = relationship(back_populates="account", lazy="selectin")


class Patient(IdMixin, CreatedMixin, Base):
    """The demographic record of a patient; identifying fields are encrypted at rest."""

    __tablename__ = "patients"

    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(Encrypted)
    birth_date: Mapped[str | None] = mapped_column(Encrypted)  # ISO date, encrypted
    sex: Mapped[str] = mapped_column(String(16), default="unknown")  # FHIR administrative gender
    gender_identity: Mapped[str | None] = mapped_column(Encrypted)
    preferred_language: Mapped[str | None] = mapped_column(String(35))
    phone: Mapped[str | None] = mapped_column(Encrypted)
    contact_email: Mapped[str | None] = mapped_column(Encrypted)

    account: Mapped[Account | None] = relationship(back_populates="patient")


class AuthSession(IdMixin, CreatedMixin, Base):
    """One sign-in: an access token and a rotating refresh token, stored only as hashes."""

    __tablename__ = "auth_sessions"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(20), default="full")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The refresh token the last rotation replaced, and when: honoured for a short grace (a lost
    # answer, two tabs at once), a reuse after it (see SignInService.refresh).
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed sign-in, kept for the throttling window. Keys are blind indexes, not plaintext."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PasswordResetToken(IdMixin, CreatedMixin, Base):
    __tablename__ = "password_reset_tokens"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CareRelationship(IdMixin, CreatedMixin, Base):
    """A clinician's reason to reach a patient: an assignment, or a booked appointment."""

    __tablename__ = "care_relationships"

    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # assignment | appointment
    source_id: Mapped[str | None] = mapped_column(String(64))  # e.g. the appointment's id
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delegation(IdMixin, CreatedMixin, Base):
    """Access a patient granted a caregiver: scoped, expiring, revocable at once."""

    __tablename__ = "delegations"

    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    caregiver_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(String(400))  # space-separated "<category>:<read|write>"
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
