"""Two-step sign-in with an authenticator app (TOTP): enrolment, confirmation, turning it off."""

from __future__ import annotations

import hmac

import pyotp
import pyotp.totp
import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.accounts import load_account
from careverse.identity.models import Account, AuthSession
from careverse.kernel import clock
from careverse.kernel.actor import MFA_ROLES, Actor, Scope, require_full_scope
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)

ISSUER = "Careverse"


def accept_otp(account: Account, secret: str | None, code: str) -> bool:
    """Accept a TOTP code from the current step or its neighbours, never the same step twice.

    On success the step is remembered on the account (the caller's transaction saves it), so a
    code seen once, e.g. over a shoulder, cannot be replayed.
    """
    if not secret:
        return False
    totp = pyotp.totp.TOTP(secret)
    current = totp.timecode(clock.now())
    for counter in (current - 1, current, current + 1):
        if account.totp_last_counter is not None and counter <= account.totp_last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            account.totp_last_counter = counter
            return True
    return False


class MfaService:
    """Enrolling, confirming and turning off the caller's authenticator app."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def start_totp(self, actor: Actor) -> tuple[str, str]:
        """Begin TOTP enrolment: a new secret, shown once, active after confirmation."""
        async with unit_of_work(self.session):
            account = await load_account(self.session, actor.account_id)
            if account.mfa_enabled:
                raise Conflict("Two-step sign-in is already on.", code="mfa_already_enabled")
            secret = pyotp.random_base32()
            account.totp_pending_secret = secret
        uri = pyotp.totp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
        return secret, uri

    async def confirm_totp(self, actor: Actor, code: str) -> None:
        """Turn two-step sign-in on with a first code; an enrolment-only session becomes full."""
        async with unit_of_work(self.session):
            account = await load_account(self.session, actor.account_id)
            if not account.totp_pending_secret:
                raise Conflict("Start enrolment first.", code="mfa_not_started")
            account.totp_last_counter = None
            if not accept_otp(account, account.totp_pending_secret, code):
                raise InvalidInput(
                    "That code is not right; check your device's clock.", code="mfa_invalid"
                )
            account.totp_secret, account.totp_pending_secret = account.totp_pending_secret, None
            account.mfa_enabled = True
            if actor.session_id is not None:
                await self.session.execute(
                    update(AuthSession)
                    .where(AuthSession.id == actor.session_id)
                    .values(scope=Scope.FULL.value)
                )
        log.info("identity.mfa_enabled", account_id=str(account.id))

    async def disable_totp(self, actor: Actor, code: str) -> None:
        """Turn two-step sign-in off with a current code (not where the role requires it)."""
        require_full_scope(actor)
        async with unit_of_work(self.session):
            account = await load_account(self.session, actor.account_id)
            if not account.mfa_enabled:
                raise Conflict("Two-step sign-in is not on.", code="mfa_not_enabled")
            if self.settings.mfa_required and actor.role in MFA_ROLES:
                raise Forbidden("Two-step sign-in is required for your role.", code="mfa_mandatory")
            if not accept_otp(account, account.totp_secret, code):
                raise InvalidInput("That code is not right.", field="code", code="mfa_invalid")
            account.mfa_enabled, account.totp_secret = False, None
