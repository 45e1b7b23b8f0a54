"""Identity's services behind one name: accounts, sign-in and tokens, MFA, passwords. No HTTP here.

The work lives in one module per concern — ``accounts.py``, ``signin.py``, ``mfa.py``,
``password_reset.py``, ``erasure.py`` — each a small service over the request's session.
:class:`IdentityService` is a facade over them: the API, the command line, the demo and other
capabilities keep constructing one ``IdentityService(session, settings, mailer)`` and calling the
same methods, while each concern reads (and is tested) on its own, with its collaborators in
plain sight rather than shared through mixin inheritance. The facade holds no logic.

This module also re-exports what other packages import from here (named contracts): the
directory's facts (``display_names``, ``account_role``, ``patient_exists``), ``erase_account``,
``email_index`` / ``normalise_email``, ``NewAccount``, ``AccountView`` and ``IssuedTokens``.
"""

from __future__ import annotations

import uuid
from typing import overload

from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import emails
from careverse.identity.accounts import AccountService, AccountView, NewAccount
from careverse.identity.directory import account_role, display_names, patient_exists
from careverse.identity.emails import email_index, normalise_email
from careverse.identity.erasure import erase_account
from careverse.identity.mfa import ISSUER, MfaService
from careverse.identity.models import Account
from careverse.identity.password_reset import PasswordService
from careverse.identity.signin import IssuedTokens, SignInService
from careverse.kernel.actor import Actor, Role, Scope
from careverse.kernel.config import Settings
from careverse.kernel.mail import Mailer

__all__ = [
    "ISSUER",
    "AccountView",
    "IdentityService",
    "IssuedTokens",
    "NewAccount",
    "account_role",
    "display_names",
    "email_index",
    "erase_account",
    "normalise_email",
    "patient_exists",
]


class IdentityService:
    """Every identity operation, over one database session; each call is its own unit of work
    (or joins the caller's)."""

    def __init__(self, session: AsyncSession, settings: Settings, mailer: Mailer | None = None):
        self.session = session
        self.settings = settings
        self.mailer = mailer or Mailer(settings)
        self.accounts = AccountService(session, settings)
        self.sign_in = SignInService(session, settings, self.mailer)
        self.mfa = MfaService(session, settings)
        self.passwords = PasswordService(session, settings, self.mailer)

    # ---- accounts (accounts.py) ------------------------------------------------------------

    async def register(self, data: NewAccount) -> Account | None:
        """Self-service sign-up, for patients and caregivers only. None when the address already
        had an account: its owner is e-mailed (when the server sends mail) and the caller
        answers as for a new account, so sign-up tells no one which addresses have accounts."""
        account = await self.accounts.register(data)
        if account is None and self.mailer.configured:
            owner = await self.accounts.find_by_email(data.email)
            message = emails.signup_attempted(owner.preferred_language if owner else None)
            # A failure is not told either: the answer must be the same.
            await self.mailer.send(normalise_email(data.email), message.subject, message.body)
        return account

    async def create_account(self, actor: Actor | None, data: NewAccount) -> Account:
        """An admin (or the command line, ``actor=None``) creates an account of any role."""
        return await self.accounts.create_account(actor, data)

    async def view(self, actor: Actor) -> AccountView:
        """The caller's own account."""
        return await self.accounts.view(actor)

    async def set_language(self, actor: Actor, language: str | None) -> AccountView:
        """Set (or with None, clear) the caller's preferred language."""
        return await self.accounts.set_language(actor, language)

    async def list_accounts(
        self,
        actor: Actor,
        role: Role | None = None,
        *,
        search: str | None = None,
        active: bool | None = None,
    ) -> list[AccountView]:
        """Every account, optionally of one role, state or matching a search (admins only)."""
        return await self.accounts.list_accounts(actor, role, search=search, active=active)

    async def get_account(self, actor: Actor, account_id: uuid.UUID) -> AccountView:
        """One account (admins only)."""
        return await self.accounts.get_account(actor, account_id)

    async def update_account(
        self,
        actor: Actor,
        account_id: uuid.UUID,
        *,
        is_active: bool | None = None,
        display_name: str | None = None,
    ) -> AccountView:
        """Deactivate (every session ends at once), reactivate or rename an account (admins)."""
        return await self.accounts.update_account(
            actor, account_id, is_active=is_active, display_name=display_name
        )

    async def find_by_email(self, email: str) -> Account | None:
        """The account with this address, or None."""
        return await self.accounts.find_by_email(email)

    # ---- sign-in, sessions and tokens (signin.py) ------------------------------------------

    async def authenticate(
        self, email: str, password: str, otp: str | None, address: str | None
    ) -> IssuedTokens:
        """Check the credentials (and one-time code) and open a session, with throttling."""
        return await self.sign_in.authenticate(email, password, otp, address)

    async def _open_session(self, account: Account, scope: Scope) -> IssuedTokens:
        # Kept for the benchmark seeders, which open sessions for accounts they made themselves.
        return await self.sign_in.open_session(account, scope)

    async def refresh(self, refresh_token: str, *, csrf: str | None = None) -> IssuedTokens:
        """Rotate both secrets of a session; the old refresh token stops working."""
        return await self.sign_in.refresh(refresh_token, csrf=csrf)

    async def resolve(self, access_token: str, address: str | None = None) -> Actor:
        """The actor behind an access token; revocation and expiry apply on the next request."""
        return await self.sign_in.resolve(access_token, address)

    async def logout(self, actor: Actor) -> None:
        """End the caller's session."""
        await self.sign_in.logout(actor)

    async def logout_refresh(self, refresh_token: str) -> None:
        """Revoke the session a refresh token belongs to (sign-out without an access token)."""
        await self.sign_in.logout_refresh(refresh_token)

    def csrf_token(self, session_id: uuid.UUID) -> str:
        """The CSRF token bound to a browser session (double-submit cookie + header)."""
        return self.sign_in.csrf_token(session_id)

    def check_csrf(self, session_id: uuid.UUID, presented: str | None) -> None:
        """Refuse a cookie-authenticated change whose header lacks the session's CSRF token."""
        self.sign_in.check_csrf(session_id, presented)

    # ---- two-step sign-in (mfa.py) ---------------------------------------------------------

    async def start_totp(self, actor: Actor) -> tuple[str, str]:
        """Begin TOTP enrolment: answers the secret and its otpauth:// URI, shown once."""
        return await self.mfa.start_totp(actor)

    async def confirm_totp(self, actor: Actor, code: str) -> None:
        """Turn two-step sign-in on with a first code from the app."""
        await self.mfa.confirm_totp(actor, code)

    async def disable_totp(self, actor: Actor, code: str) -> None:
        """Turn two-step sign-in off (not where the role requires it)."""
        await self.mfa.disable_totp(actor, code)

    # ---- passwords (password_reset.py) -----------------------------------------------------

    async def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Change the caller's password; their other sessions end."""
        await self.passwords.change_password(actor, current, new)

    async def request_password_reset(self, email: str) -> None:
        """E-mail a single-use link; answers the same whether or not the account exists."""
        await self.passwords.request_password_reset(email)

    @overload
    async def admin_password_reset(self, actor: Actor, account_id: uuid.UUID) -> None: ...
    @overload
    async def admin_password_reset(self, actor: None, account_id: uuid.UUID) -> str: ...
    async def admin_password_reset(self, actor: Actor | None, account_id: uuid.UUID) -> str | None:
        """An admin: a reset link is e-mailed to the person, and nothing is answered.

        ``actor=None`` is the command line's (``careverse user reset-password``), which answers
        the link for the operator: the same as :meth:`operator_reset_link`.
        """
        if actor is None:
            return await self.passwords.operator_reset_link(account_id)
        return await self.passwords.admin_password_reset(actor, account_id)

    async def operator_reset_link(self, account_id: uuid.UUID) -> str:
        """A single-use reset link for the operator at the server's command line."""
        return await self.passwords.operator_reset_link(account_id)

    async def invite(self, actor: Actor, account: Account) -> str | None:
        """The first-password link of an account an admin made: mailed to the person when
        e-mail is set up (answers None), else answered for the admin to hand over."""
        return await self.passwords.invite(actor, account)

    async def confirm_password_reset(self, secret: str, new_password: str) -> None:
        """Set a new password with a reset link's secret; every session of the account ends."""
        await self.passwords.confirm_password_reset(secret, new_password)
