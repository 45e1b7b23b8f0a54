"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import asyncio
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from careverse.kernel.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256  # bounds the hashing work one request can ask for

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults
# Verified against when the account does not exist, so timing does not reveal which e-mails exist.
_DUMMY_HASH = _hasher.hash("careverse-dummy-password-for-timing")


@cache
def _common_passwords() -> frozenset[str]:
    text = (files("careverse.identity") / "common-passwords.txt").read_text()
    return frozenset(w.strip().lower() for w in text.splitlines() if w and not w.startswith("#"))


def check_policy(
    password: str, *, email: str | None = None, name: str | None = None, field: str = "password"
) -> None:
    """Raise ``InvalidInput`` with a plain-language reason when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"The password must be at least {MIN_LENGTH} characters long.",
            field=field,
            code="weak_password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"The password must be at most {MAX_LENGTH} characters long.",
            field=field,
            code="weak_password",
        )
    lowered = password.lower()
    if email:
        local = email.lower().split("@", 1)[0]
        if email.lower() in lowered or (len(local) >= 4 and local in lowered):
            raise InvalidInput(
                "The password must not contain your e-mail address.",
                field=field,
                code="weak_password",
            )
    if name and len(name) >= 4 and name.lower() in lowered:
        raise InvalidInput(
            "The password must not contain your name.", field=field, code="weak_password"
        )
    if lowered in _common_passwords() or len(set(password)) < 4:
        raise InvalidInput(
            "That password is too common or too simple; choose another.",
            field=field,
            code="weak_password",
        )


async def hash_password(password: str) -> str:
    """Hash off the event loop (argon2 takes tens of milliseconds by design)."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash, spend the same time and answer False."""
    target = password_hash or _DUMMY_HASH
    try:
        ok = await asyncio.to_thread(_hasher.verify, target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
