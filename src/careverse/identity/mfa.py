"""Two-step sign-in with an authenticator app (TOTP): enrolment, confirmation, turning it off."""

from __future__ import annotations

import hmac

import pyotp
import pyotp.totp
import structlog
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from careverse.identity.accounts import load_account
from careverse.identity.models import Account, AuthSession
from careverse.kernel import clock
from careverse.kernel.actor import MFA_ROLES, Actor, Scope, require_full_scope
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)

ISSUER = "Careverse"


def matching_counter(last_counter: int | None, secret: str | None, code: str) -> int | None:
    """The time step of ``code`` (current step or a neighbour), if after ``last_counter``."""
    if not secret:
        return None
    totp = pyotp.totp.TOTP(secret)
    current = totp.timecode(clock.now())
    for counter in (current - 1, current, current + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def accept_otp(account: Account, secret: str | None, code: str) -> bool:
    """Accept a TOTP code from the current step or its neighbours, never the same step twice.

    In memory only: the step is remembered on the account object. Services use
    :func:`claim_otp`, which makes the acceptance atomic in the database.
    """
    counter = matching_counter(account.totp_last_counter, secret, code)
    if counter is None:
        return False
    account.totp_last_counter = counter
    return True


async def claim_otp(session: AsyncSession, account: Account, secret: str | None, code: str) -> bool:
    """Accept a TOTP code at most once, even when the same code arrives concurrently.

    Reading the last step and then writing it would let N concurrent sign-ins all see the old
    step and all succeed. The step is claimed with a conditional UPDATE instead: the database
    lets exactly one transaction move the counter past it (the others wait for the row lock and
    then find the condition false), and the row count says which one won.
    """
    counter = matching_counter(account.totp_last_counter, secret, code)
    if counter is None:
        return False
    claimed = await session.execute(
        update(Account)
        .where(
            Account.id == account.id,
            or_(Account.totp_last_counter.is_(None), Account.totp_last_counter < counter),
        )
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # pyright: ignore[reportAttributeAccessIssue]
        return False
    # Keep the loaded object in step without writing the column a second time at flush.
    set_committed_value(account, "totp_last_counter", counter)
    return True


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
            await self.session.flush()  # a new secret starts with no step used
            if not await claim_otp(self.session, account, account.totp_pending_secret, code):
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
            if not await claim_otp(self.session, account, account.totp_secret, code):
                raise InvalidInput("That code is not right.", field="code", code="mfa_invalid")
            account.mfa_enabled, account.totp_secret = False, None
