"""Changing a password, and resetting a forgotten one with a single-use link.

Hashing and the password policy live in ``passwords.py``; this module is the flows around them.
A reset link's secret is stored only as a hash and travels in the URL's fragment.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import emails, passwords
from careverse.identity.accounts import (
    audit_account_change,
    find_by_email,
    load_account,
    revoke_all_sessions,
)
from careverse.identity.models import Account, AuthSession, PasswordResetToken
from careverse.kernel import clock, tokens
from careverse.kernel.actor import Actor, Role, require_role
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, DomainError, InvalidInput
from careverse.kernel.mail import Mailer
from careverse.kernel.uow import unit_of_work


class MailNotSent(DomainError):
    status_code = 503
    code = "email_not_sent"


def _mail_not_configured() -> Conflict:
    return Conflict(
        "Password reset by e-mail is not set up on this server; the operator can make a reset "
        "link with `careverse user reset-password` on the server.",
        code="email_not_configured",
    )


def _invalid_link() -> InvalidInput:
    return InvalidInput(
        "This reset link is not valid any more; ask for a new one.", code="invalid_reset_token"
    )


class PasswordService:
    """Password changes by the person, reset links by e-mail or from an admin."""

    def __init__(self, session: AsyncSession, settings: Settings, mailer: Mailer):
        self.session = session
        self.settings = settings
        self.mailer = mailer

    async def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Change the caller's password; their other sessions end."""
        async with unit_of_work(self.session):
            account = await load_account(self.session, actor.account_id)
            if not await passwords.verify_password(account.password_hash, current):
                raise InvalidInput(
                    "Your current password is not right.",
                    field="current_password",
                    code="invalid_credentials",
                )
            passwords.check_policy(
                new, email=account.email, name=account.display_name, field="new_password"
            )
            account.password_hash = await passwords.hash_password(new)
            account.password_changed_at = clock.now()
            await self.session.execute(
                update(AuthSession)
                .where(
                    AuthSession.account_id == account.id,
                    AuthSession.id != actor.session_id,
                    AuthSession.revoked_at.is_(None),
                )
                .values(revoked_at=clock.now())
            )
            await _retire_links(self.session, account.id, clock.now())

    async def _issue_reset(self, account: Account) -> str:
        secret = tokens.new_secret("cvp")
        self.session.add(
            PasswordResetToken(
                account_id=account.id,
                token_hash=tokens.digest(secret),
                expires_at=clock.now()
                + timedelta(seconds=self.settings.password_reset_ttl_seconds),
            )
        )
        # The secret travels in the fragment, which browsers never send to servers or proxies.
        return f"{self.settings.public_url.rstrip('/')}/reset-password#token={secret}"

    async def request_password_reset(self, email: str) -> None:
        """E-mail a single-use link; answers the same whether or not the account exists."""
        if not self.mailer.configured:
            raise _mail_not_configured()
        async with unit_of_work(self.session):
            account = await find_by_email(self.session, email)
            if account is None or not account.is_active:
                return
            link = await self._issue_reset(account)
        # Sent once the link is committed, so the link in the mail always works. A failure is
        # not told: the answer must not say whether the account exists.
        message = emails.reset_requested(link, self._hours, account.preferred_language)
        await self.mailer.send(account.email, message.subject, message.body)

    async def admin_password_reset(self, actor: Actor, account_id: uuid.UUID) -> None:
        """An admin has a single-use reset link sent to the account's own e-mail address; the
        person's sessions end. The admin never sees the link: handing it to them would let them
        set the password and sign in as the person. Audited on the person's record, so a
        patient sees it in their access log."""
        require_role(actor, Role.ADMIN)
        if not self.mailer.configured:
            raise _mail_not_configured()
        async with unit_of_work(self.session):
            account = await load_account(self.session, account_id)
            await revoke_all_sessions(self.session, account.id)
            link = await self._issue_reset(account)
            audit_account_change(self.session, actor, account, "account.password-reset")
        await self._send(
            account, emails.reset_by_admin(link, self._hours, account.preferred_language)
        )

    async def invite(self, actor: Actor, account: Account) -> str | None:
        """The link with which a person an admin just created sets a first password.

        Sent to the person when e-mail is set up (the admin gets nothing); otherwise answered
        for the admin to hand over, as they could have set a first password themselves: a new
        account has no record yet to take over.
        """
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            link = await self._issue_reset(account)
        if not self.mailer.configured:
            return link
        await self._send(account, emails.invitation(link, self._hours, account.preferred_language))
        return None

    async def operator_reset_link(self, account_id: uuid.UUID) -> str:
        """A single-use reset link for the operator at the server's command line
        (``careverse user reset-password``), who holds the database and its keys anyway; the
        person's sessions end, and it is audited on their record like an admin's reset."""
        async with unit_of_work(self.session):
            account = await load_account(self.session, account_id)
            await revoke_all_sessions(self.session, account.id)
            link = await self._issue_reset(account)
            audit_account_change(self.session, None, account, "account.password-reset-link")
        return link

    @property
    def _hours(self) -> float:
        return self.settings.password_reset_ttl_seconds / 3600

    async def _send(self, account: Account, message: emails.Message) -> None:
        if not await self.mailer.send(account.email, message.subject, message.body):
            raise MailNotSent(
                "The e-mail could not be sent; try again later.", code="email_not_sent"
            )

    async def confirm_password_reset(self, secret: str, new_password: str) -> None:
        """Set a new password with a reset link's secret; every session of the account ends."""
        now = clock.now()
        async with unit_of_work(self.session):
            reset = await self.session.scalar(
                select(PasswordResetToken).where(
                    PasswordResetToken.token_hash == tokens.digest(secret)
                )
            )
            if reset is None or reset.used_at is not None or reset.expires_at <= now:
                raise _invalid_link()
            account = await load_account(self.session, reset.account_id)
            passwords.check_policy(
                new_password, email=account.email, name=account.display_name, field="new_password"
            )
            # Marked used with a conditional update so two concurrent uses cannot both succeed.
            used = await self.session.execute(
                update(PasswordResetToken)
                .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
                .values(used_at=now)
            )
            if cast(CursorResult, used).rowcount != 1:
                raise _invalid_link()
            account.password_hash = await passwords.hash_password(new_password)
            account.password_changed_at = now
            await revoke_all_sessions(self.session, account.id)
            await _retire_links(self.session, account.id, now)


async def _retire_links(session: AsyncSession, account_id: uuid.UUID, now: datetime) -> None:
    """Once a password is set, every other outstanding reset link of the account stops working:
    a link someone kept (an invitation, an earlier request) cannot undo the person's choice."""
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
