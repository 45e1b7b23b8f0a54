"""E-mail addresses as identity keys: one normal form, and the blind index accounts are found by.

Kept apart from the services so that the directory and the services share it without importing
each other.
"""

from __future__ import annotations

from careverse.kernel.crypto import keyring


def normalise_email(email: str) -> str:
    """The one spelling of an address that identity stores and compares."""
    return email.strip().lower()


def email_index(email: str) -> str:
    """The blind index of an address: accounts are looked up by it, never by the plaintext."""
    return keyring().blind_index(normalise_email(email), "email")
