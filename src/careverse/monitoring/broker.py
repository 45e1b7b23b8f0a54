"""What the MQTT broker needs to authenticate devices: Mosquitto password-file entries and ACL.

A device connects with MQTT username = its device id and password = its credential; the broker
checks the password (``password_file``) and lets each username publish only to its own topic
(``acl_file``, ``pattern write careverse/devices/%u/readings``). The bridge then trusts the
device id in the topic, because only that device could publish there.

The node is the only party that ever sees a credential in clear (when the device pairs), so
:func:`mosquitto_hash` is computed then and stored on the device; ``careverse devices
broker-passwd`` writes the password file from the stored hashes. The hash is Mosquitto 2's own
format, ``$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>`` (what ``mosquitto_passwd``
writes): the broker verifies it, nobody can turn it back into the credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import signal
import uuid
from collections.abc import Mapping
from pathlib import Path

ITERATIONS = 101  # mosquitto_passwd's default; the credential is 256 random bits, not a password
SALT_BYTES = 12
READINGS = "careverse/devices/{device}/readings"
ACKS = "careverse/devices/{device}/acks"


def mosquitto_hash(
    password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None
) -> str:
    """The password-file hash of ``password``, as ``mosquitto_passwd`` writes it."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"$7${iterations}${_b64(salt)}${_b64(digest)}"


def mosquitto_verify(password: str, hashed: str) -> bool:
    """Whether ``password`` matches a ``$7$`` password-file hash."""
    try:
        _, kind, iterations, salt, digest = hashed.split("$")
        if kind != "7":
            return False
        expected = base64.b64decode(digest, validate=True)
        computed = hashlib.pbkdf2_hmac(
            "sha512", password.encode(), base64.b64decode(salt, validate=True), int(iterations), 64
        )
    except ValueError:  # not five fields, not base64, not a number
        return False
    return hmac.compare_digest(expected, computed)


def valid_username(username: str) -> bool:
    """A username Mosquitto can put into an ACL pattern (``%u`` refuses ``+ # /``)."""
    return bool(username) and not any(ch in username for ch in "+#/:\n\r")


def password_file(accounts: Mapping[str, str]) -> str:
    """Password-file text: one ``username:hash`` line per account, sorted, so that writing the
    same accounts twice gives the same file (the broker is reloaded only on a change)."""
    for username in accounts:
        if not valid_username(username):
            raise ValueError("a broker username cannot hold '+', '#', '/', ':' or a newline")
    return "".join(f"{username}:{accounts[username]}\n" for username in sorted(accounts))


def parse_password_file(text: str) -> dict[str, str]:
    """``username -> hash`` of a password file (blank lines and ``#`` comments skipped)."""
    accounts: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and ":" in line:
            username, hashed = line.split(":", 1)
            accounts[username] = hashed.strip()
    return accounts


def merged_accounts(
    existing: str, devices: Mapping[str, str], bridge: tuple[str, str] | None
) -> dict[str, str]:
    """The accounts of a new password file: every active device (its stored hash), the bridge's
    account (``(username, password)``; its line in ``existing`` is kept while it still matches,
    so an unchanged file is written unchanged), and the operator's other accounts in
    ``existing``. A device line (a username that is a UUID) not in ``devices`` is dropped: that
    device was revoked."""
    old = parse_password_file(existing)
    accounts = {user: hashed for user, hashed in old.items() if not _is_uuid(user)}
    if bridge is not None:
        username, password = bridge
        kept = old.get(username)
        accounts[username] = (
            kept if kept and mosquitto_verify(password, kept) else mosquitto_hash(password)
        )
    accounts.update(devices)
    return accounts


def write_password_file(
    path: Path, devices: Mapping[str, str], bridge: tuple[str, str] | None
) -> bool:
    """Update the password file at ``path`` (:func:`merged_accounts`), replacing it atomically and
    keeping its mode; answers whether it changed (an unchanged file is not touched)."""
    existing = path.read_text() if path.exists() else ""
    text = password_file(merged_accounts(existing, devices, bridge))
    if text == existing:
        return False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    temporary.chmod(path.stat().st_mode if path.exists() else 0o640)
    os.replace(temporary, path)
    return True


def write_acl_file(path: Path, bridge_username: str) -> bool:
    """Write :func:`acl_file` at ``path``; answers whether it changed."""
    text = acl_file(bridge_username)
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def reload_broker(pid_file: Path) -> None:
    """Have Mosquitto re-read its password and ACL files (``SIGHUP`` to the pid in its pid file)."""
    os.kill(int(pid_file.read_text().strip()), signal.SIGHUP)


def acl_file(bridge_username: str) -> str:
    """The ACL that binds each device to its own topics and lets the bridge read them all.

    Clients without a matching line get nothing (Mosquitto denies by default); with
    ``allow_anonymous false`` there are no anonymous clients at all.
    """
    if not valid_username(bridge_username):
        raise ValueError("a broker username cannot hold '+', '#', '/', ':' or a newline")
    return (
        "# Careverse: the bridge reads every device's readings and answers on its acks topic.\n"
        f"user {bridge_username}\n"
        f"topic read {READINGS.format(device='+')}\n"
        f"topic write {ACKS.format(device='+')}\n"
        "\n"
        "# Every device (username = device id): its own topics, nothing else.\n"
        f"pattern write {READINGS.format(device='%u')}\n"
        f"pattern read {ACKS.format(device='%u')}\n"
    )


def _is_uuid(username: str) -> bool:
    try:
        uuid.UUID(username)
    except ValueError:
        return False
    return True


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
