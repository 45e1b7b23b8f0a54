"""E-mail in identity: the one form of an address (and its blind index), and the messages sent.

Kept apart from the services so that the directory and the services share it without importing
each other. The messages hold no secret but a reset link's (which goes only to the account's own
address) and no health data; they are written in the recipient's ``preferred_language``
(catalogues in kernel/locales, see docs/i18n.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from careverse.kernel.crypto import keyring
from careverse.kernel.i18n import translate


def normalise_email(email: str) -> str:
    """The one spelling of an address that identity stores and compares."""
    return email.strip().lower()


def email_index(email: str) -> str:
    """The blind index of an address: accounts are looked up by it, never by the plaintext."""
    return keyring().blind_index(normalise_email(email), "email")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _message(language: str | None, name: str, **params: str | int | float) -> Message:
    return Message(
        translate(language, f"email.{name}.subject"),
        translate(language, f"email.{name}.body", **params),
    )


def _within(language: str | None, hours: float) -> str:
    return translate(language, "email.hours", hours=hours)


def reset_requested(link: str, hours: float, language: str | None = None) -> Message:
    """The person asked for a reset link (``POST /api/auth/password-reset``)."""
    return _message(language, "resetRequested", link=link, hours=_within(language, hours))


def reset_by_admin(link: str, hours: float, language: str | None = None) -> Message:
    """An administrator started a reset: the link goes to the account's own address only."""
    return _message(language, "resetByAdmin", link=link, hours=_within(language, hours))


def invitation(link: str, hours: float, language: str | None = None) -> Message:
    """An administrator made an account for the person: they choose its first password."""
    return _message(language, "invitation", link=link, hours=_within(language, hours))


def signup_attempted(language: str | None = None) -> Message:
    """Someone tried to sign up with an address that already has an account."""
    return _message(language, "signupAttempted")


def session_ended_for_reuse(language: str | None = None) -> Message:
    """A rotated refresh token came back, so the session it belonged to was ended."""
    return _message(language, "sessionEnded")
