"""Encryption at rest: an AES-GCM key ring with key ids, and keyed blind indexes for look-ups.

Ciphertext format: ``cv1:<key id>:<base64url(nonce || ciphertext+tag)>``. The primary key encrypts;
every key in the ring decrypts, so keys can be rotated without downtime. Blind indexes use a
separate HMAC key that does not rotate with the encryption keys (rotating it means re-indexing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Integer, String, Text, insert, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from careverse.kernel.config import Settings
from careverse.kernel.db import Base

PREFIX = "cv1"


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyRingError(ValueError):
    """Key material is missing or malformed."""


@dataclass
class KeyRing:
    """Encryption keys by id (the primary one encrypts) and the blind-index key."""

    keys: dict[str, bytes]
    primary: str
    index_key: bytes
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)
    # Set by load_keyring when it has just written a new key file: the start-up check removes
    # that file again if the database turns out to hold data (see check_keyring).
    created_file: Path | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.primary not in self.keys:
            raise KeyRingError("the primary key id is not in the key ring")
        for kid, key in self.keys.items():
            if len(key) != 32:
                raise KeyRingError(f"key {kid!r} must be 32 bytes (AES-256)")
            self._aead[kid] = AESGCM(key)

    @classmethod
    def generate(cls) -> KeyRing:
        kid = "k" + secrets.token_hex(4)
        return cls({kid: AESGCM.generate_key(bit_length=256)}, kid, secrets.token_bytes(32))

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead[self.primary].encrypt(nonce, plaintext.encode(), None)
        return f"{PREFIX}:{self.primary}:{_b64e(nonce + sealed)}"

    def decrypt(self, token: str) -> str:
        try:
            prefix, kid, body = token.split(":", 2)
        except ValueError as exc:
            raise KeyRingError("not a Careverse ciphertext") from exc
        if prefix != PREFIX or kid not in self._aead:
            raise KeyRingError(f"unknown key id {kid!r}")
        raw = _b64d(body)
        return self._aead[kid].decrypt(raw[:12], raw[12:], None).decode()

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed, deterministic index of ``value`` for equality look-ups (e.g. e-mail)."""
        mac = hmac.new(self.index_key, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def with_new_primary(self) -> KeyRing:
        kid = "k" + secrets.token_hex(4)
        keys = {**self.keys, kid: AESGCM.generate_key(bit_length=256)}
        return KeyRing(keys, kid, self.index_key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "primary": self.primary,
                "keys": {kid: _b64e(k) for kid, k in self.keys.items()},
                "index_key": _b64e(self.index_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> KeyRing:
        try:
            data = json.loads(text)
            keys = {kid: _b64d(v) for kid, v in data["keys"].items()}
            return cls(keys, data["primary"], _b64d(data["index_key"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyRingError("the key file is malformed") from exc

    @classmethod
    def from_spec(cls, spec: str) -> KeyRing:
        """Parse ``kid:b64,kid2:b64,index:b64`` (the first non-index key is primary)."""
        keys: dict[str, bytes] = {}
        index_key = None
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kid, _, b64 = part.partition(":")
            if not b64:
                raise KeyRingError("CAREVERSE_ENCRYPTION_KEYS entries look like 'kid:base64key'")
            if kid == "index":
                index_key = _b64d(b64)
            else:
                keys[kid] = _b64d(b64)
        if not keys or index_key is None:
            raise KeyRingError("CAREVERSE_ENCRYPTION_KEYS needs at least one key and 'index:...'")
        return cls(keys, next(iter(keys)), index_key)


def key_file_path(settings: Settings) -> Path:
    return settings.encryption_key_file or settings.data_dir / "keyring.json"


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the key ring with 0600 permissions, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(ring.to_json())
    os.replace(tmp, path)


def load_keyring(settings: Settings) -> KeyRing:
    """The configured key ring; the embedded default creates a key file on first start."""
    if settings.encryption_keys:
        return KeyRing.from_spec(settings.encryption_keys)
    path = key_file_path(settings)
    if path.exists():
        return KeyRing.from_json(path.read_text())
    ring = KeyRing.generate()
    write_key_file(path, ring)
    ring.created_file = path
    return ring


_active: KeyRing | None = None


def install_keyring(ring: KeyRing) -> None:
    """Make ``ring`` the one the ``Encrypted`` column type uses (once per process at start)."""
    global _active
    _active = ring


def keyring() -> KeyRing:
    if _active is None:
        raise KeyRingError("no key ring installed")
    return _active


class Encrypted(TypeDecorator):
    """A text column stored AES-GCM encrypted with the active key ring."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else keyring().decrypt(value)


async def reencrypt_all(engine, ring: KeyRing, metadata) -> int:
    """Re-encrypt every ``Encrypted`` value not already under the primary key; answers how many.

    Runs per table in one transaction; safe to run again after an interruption, because the key
    ring still holds the old keys.
    """
    from sqlalchemy import Text, literal, select, type_coerce

    changed = 0
    async with engine.begin() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, Encrypted)]
            if not columns or "id" not in table.columns:
                continue
            raw = [type_coerce(c, Text).label(c.name) for c in columns]
            rows = (await conn.execute(select(table.c.id, *raw))).mappings().all()
            for row in rows:
                updates = {
                    c.name: ring.encrypt(ring.decrypt(row[c.name]))
                    for c in columns
                    if row[c.name] is not None and ring.key_id_of(row[c.name]) != ring.primary
                }
                if updates:
                    # Bound as plain text: the column's own type would encrypt the ciphertext again.
                    await conn.execute(
                        table.update()
                        .where(table.c.id == row["id"])
                        .values({name: literal(value, Text) for name, value in updates.items()})
                    )
                    changed += len(updates)
    return changed


async def unknown_key_ids(engine, ring: KeyRing, metadata) -> set[str]:
    """Key ids of stored ciphertexts that ``ring`` cannot decrypt (one look per column).

    A node started with the wrong key ring would otherwise answer 500s on the first read of an
    encrypted field; this lets it refuse to start instead. Key ids are not secret.
    """
    from sqlalchemy import Text, and_, select, type_coerce

    unknown: set[str] = set()
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for column in (c for c in table.columns if isinstance(c.type, Encrypted)):
                raw = type_coerce(column, Text)
                while True:  # one query per key id found, usually none
                    value = await conn.scalar(
                        select(raw)
                        .where(
                            raw.is_not(None),
                            and_(
                                *(raw.not_like(f"{PREFIX}:{k}:%") for k in {*ring.keys, *unknown})
                            ),
                        )
                        .limit(1)
                    )
                    if value is None:
                        break
                    prefix, kid, *_ = [*value.split(":", 2), "", ""]
                    if prefix != PREFIX or not kid:
                        unknown.add(f"(not a Careverse ciphertext in {table.name})")
                        break
                    unknown.add(kid)
    return unknown


def refuse_unknown_keys(unknown: set[str]) -> None:
    """Raise a clear error when stored data needs keys this node lacks."""
    if unknown:
        names = ", ".join(sorted(unknown))
        raise KeyRingError(
            f"Stored data is encrypted with key(s) {names}, which this node's key ring does not "
            "hold. Start it with the key ring that holds them (CAREVERSE_ENCRYPTION_KEYS or "
            "CAREVERSE_ENCRYPTION_KEY_FILE); refusing to start rather than fail on every read."
        )


# ---- the start-up check: is this the key ring the stored data was written with? ---------------

SENTINEL_TEXT = "careverse key ring sentinel"
SENTINEL_PURPOSE = "kernel.sentinel"
SENTINEL_ID = 1


class KeySentinel(Base):
    """One row: a known text encrypted with the key ring and its blind index, both checked at
    every start, so a node with a different key (the index key included) refuses to start."""

    __tablename__ = "kernel_sentinel"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ciphertext: Mapped[str] = mapped_column(Text)  # plain Text: decrypted by check_keyring only
    blind_index: Mapped[str] = mapped_column(String(64))


def _refusal(reason: str) -> KeyRingError:
    return KeyRingError(
        f"{reason} Start it with the key ring the data was written with (CAREVERSE_ENCRYPTION_KEYS "
        "or CAREVERSE_ENCRYPTION_KEY_FILE); refusing to start rather than misread the data."
    )


async def _holds_encrypted_data(conn, metadata) -> bool:
    for table in metadata.sorted_tables:
        for column in (c for c in table.columns if isinstance(c.type, Encrypted)):
            raw = type_coerce(column, Text)
            if await conn.scalar(select(raw).where(raw.is_not(None)).limit(1)) is not None:
                return True
    return False


async def _read_sentinel(conn) -> tuple[str, str] | None:
    query = select(KeySentinel.ciphertext, KeySentinel.blind_index)
    row = (await conn.execute(query.where(KeySentinel.id == SENTINEL_ID))).first()
    return None if row is None else (row[0], row[1])


def _check_sentinel(ring: KeyRing, ciphertext: str, index: str) -> None:
    prefix, kid, *_ = [*ciphertext.split(":", 2), "", ""]
    if prefix != PREFIX or not kid:
        raise _refusal("The stored key sentinel is not a Careverse ciphertext.")
    if kid not in ring.keys:
        raise _refusal(
            f"Stored data is encrypted with key id {kid}, which this node's key ring does not hold."
        )
    try:
        text = ring.decrypt(ciphertext)
    except InvalidTag:
        text = None
    if text != SENTINEL_TEXT:
        raise _refusal(
            f"This node's key {kid} differs from the key of that id the data was encrypted with."
        )
    if not hmac.compare_digest(ring.blind_index(SENTINEL_TEXT, SENTINEL_PURPOSE), index):
        raise _refusal(
            "The index key differs: this node's blind-index key ('index') is not the one the "
            "stored data was indexed with, so sign-ins would fail and e-mail addresses could be "
            "registered twice."
        )


def _discard_created_key_file(ring: KeyRing) -> None:
    """Remove the key file load_keyring has just made, if it is still exactly that one."""
    path = ring.created_file
    ring.created_file = None
    if path is not None and path.exists() and path.read_text() == ring.to_json():
        path.unlink()


async def check_keyring(engine, ring: KeyRing, metadata) -> None:
    """Refuse (:class:`KeyRingError`) unless ``ring`` is the key ring of the stored data.

    Checks, in order: a key ring generated just now meets a database that already holds
    encrypted data (its key file is removed again: never a new key ring where data exists);
    stored ciphertexts under key ids the ring lacks; the sentinel row (decrypts to the known
    text, same blind index). A database without the sentinel (empty, or from a version before
    it) gets it written now. Messages name key ids and never key material.
    """
    async with engine.connect() as conn:
        stored = await _read_sentinel(conn)
        holds_data = stored is not None or await _holds_encrypted_data(conn, metadata)
    if ring.created_file is not None:
        if holds_data:
            path = ring.created_file
            _discard_created_key_file(ring)
            raise _refusal(
                f"No key ring is configured and none was found at {path}, but the database "
                "already holds encrypted data; a new key ring could read none of it."
            )
        ring.created_file = None  # an empty database: the new key file is the key ring now
    refuse_unknown_keys(await unknown_key_ids(engine, ring, metadata))
    if stored is None:
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    insert(KeySentinel).values(
                        id=SENTINEL_ID,
                        ciphertext=ring.encrypt(SENTINEL_TEXT),
                        blind_index=ring.blind_index(SENTINEL_TEXT, SENTINEL_PURPOSE),
                    )
                )
            return
        except IntegrityError:  # another node wrote it first: check theirs
            async with engine.connect() as conn:
                stored = await _read_sentinel(conn)
            if stored is None:
                raise
    _check_sentinel(ring, stored[0], stored[1])
