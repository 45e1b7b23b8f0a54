"""E-mail in identity: the one form of an address (and its blind index), and the messages sent.

Kept apart from the services so that the directory and the services share it without importing
each other. The messages hold no secret but a reset link's (which goes only to the account's own
address) and no health data.
"""

from __future__ import annotations

from dataclasses import dataclass

from careverse.kernel.crypto import keyring


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


def reset_requested(link: str, hours: float) -> Message:
    """The person asked for a reset link (``POST /api/auth/password-reset``)."""
    return Message(
        "Reset your Careverse password",
        f"Someone asked to reset the password of your Careverse account.\n\n"
        f"To choose a new password, open this link within {hours:g} hour(s):\n{link}\n\n"
        f"If it was not you, ignore this message; your password stays as it is.\n",
    )


def reset_by_admin(link: str, hours: float) -> Message:
    """An administrator started a reset: the link goes to the account's own address only."""
    return Message(
        "Choose a new Careverse password",
        f"An administrator of your Careverse service started a password reset for your "
        f"account, and signed you out everywhere.\n\n"
        f"To choose a new password, open this link within {hours:g} hour(s):\n{link}\n\n"
        f"The administrator does not see this link. If you did not expect this, contact your "
        f"clinic before using it.\n",
    )


def invitation(link: str, hours: float) -> Message:
    """An administrator made an account for the person: they choose its first password."""
    return Message(
        "Your Careverse account",
        f"An administrator of your Careverse service made an account for you.\n\n"
        f"To choose your password, open this link within {hours:g} hour(s):\n{link}\n\n"
        f'If the link has expired, use "Forgot password" on the sign-in page.\n',
    )


def signup_attempted() -> Message:
    """Someone tried to sign up with an address that already has an account."""
    return Message(
        "Someone tried to sign up to Careverse with your address",
        "Someone just tried to make a new Careverse account with this e-mail address, which "
        "already has an account. No new account was made and yours is unchanged.\n\n"
        'If it was you, sign in instead; if you forgot your password, use "Forgot password" '
        "on the sign-in page. If it was not you, you need do nothing.\n",
    )


def session_ended_for_reuse() -> Message:
    """A rotated refresh token came back, so the session it belonged to was ended."""
    return Message(
        "A Careverse sign-in was ended to protect your account",
        "One of your Careverse sign-ins was ended just now: a sign-in token that had already "
        "been replaced was used again. This happens when the same sign-in is used from two "
        "places, which can mean someone copied it.\n\n"
        "Sign in again on your own devices. If you did not expect this, change your password "
        "(and turn on two-step sign-in) from the Security page.\n",
    )
