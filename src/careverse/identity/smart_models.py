"""SMART App Launch tables: registered apps, a person's grants to them, codes and tokens.

Secrets (client secrets, codes, tokens) are stored only as SHA-256 hashes, as sign-in's are.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careverse.kernel.crypto import Encrypted
from careverse.kernel.db import Base, CreatedMixin, IdMixin, UTCDateTime


class SmartApp(IdMixin, CreatedMixin, Base):
    """An app an admin registered: who it is, where codes may go, what it may ask for."""

    __tablename__ = "smart_apps"

    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    redirect_uris: Mapped[str] = mapped_column(Text)  # one per line, matched exactly
    scopes: Mapped[str] = mapped_column(Text)  # the scopes it may be granted, space-separated
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # A backend client (SMART Backend Services): its public keys, a JWKS as JSON; else None.
    jwks: Mapped[str | None] = mapped_column(Text)
    # ... or where it publishes them (https, or http on localhost), fetched and cached.
    jwks_url: Mapped[str | None] = mapped_column(Text)
    # Where Careverse opens the app for an EHR launch (with ``iss`` and ``launch``); else None.
    launch_url: Mapped[str | None] = mapped_column(Text)

    @property
    def is_backend(self) -> bool:
        """A backend client (SMART Backend Services), authenticating with signed assertions."""
        return self.jwks is not None or self.jwks_url is not None


class SmartGrant(IdMixin, CreatedMixin, Base):
    """A person's approval of an app: the scopes granted, the launch patient, revocable at once."""

    __tablename__ = "smart_grants"

    app_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("smart_apps.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[str] = mapped_column(Text)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmartCode(IdMixin, CreatedMixin, Base):
    """An authorisation code: single-use, short-lived, bound to its redirect URI and PKCE."""

    __tablename__ = "smart_codes"

    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("smart_grants.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(String(255))  # OpenID Connect, into the id_token
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmartToken(IdMixin, CreatedMixin, Base):
    """An app's access token (and rotating refresh token, with offline_access) under a grant."""

    __tablename__ = "smart_tokens"

    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("smart_grants.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("smart_codes.id", ondelete="SET NULL"), index=True
    )
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmartAssertionId(IdMixin, Base):
    """A backend client's assertion id (``jti``) already used: refused again until it expires."""

    __tablename__ = "smart_assertion_ids"
    __table_args__ = (UniqueConstraint("app_id", "jti"),)

    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("smart_apps.id", ondelete="CASCADE"))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SmartLaunch(IdMixin, CreatedMixin, Base):
    """An EHR launch: an opaque, single-use, short-lived handle naming the app, the person who
    launched it and the patient in context (never the patient id in a URL)."""

    __tablename__ = "smart_launches"

    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("smart_apps.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmartSigningKey(IdMixin, CreatedMixin, Base):
    """The server's key signing OpenID Connect ``id_token``s: a private JWK, encrypted at rest
    with the key ring; its public half is published at ``/.well-known/jwks.json``."""

    __tablename__ = "smart_signing_keys"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(10))
    private_jwk: Mapped[str] = mapped_column(Encrypted)
