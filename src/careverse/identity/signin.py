"""Signing in and out: credentials and throttling, sessions with rotating tokens, CSRF.

A session is a row with the hashes of an access token and a refresh token (the secrets themselves
are shown once, to the client). ``resolve`` turns an access token into an :class:`Actor` on every
request, so revocation and expiry apply at once.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import emails, passwords
from careverse.identity.accounts import find_by_email, load_account
from careverse.identity.mfa import claim_otp
from careverse.identity.models import Account, AuthSession, LoginFailure, Patient
from careverse.kernel import audit, clock, tokens
from careverse.kernel.actor import MFA_ROLES, Actor, Role, Scope
from careverse.kernel.audit import Outcome
from careverse.kernel.config import Settings
from careverse.kernel.crypto import keyring
from careverse.kernel.errors import Forbidden, NotAuthenticated, TooManyRequests
from careverse.kernel.mail import Mailer
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID
    account: Account
    scope: Scope


@dataclass(frozen=True)
class Throttled:
    """A sign-in refused by a throttling limit (``limit`` names which), before any check."""

    refusal: TooManyRequests
    limit: str

    @classmethod
    def until(cls, free_at: datetime, now: datetime, limit: str) -> Throttled:
        retry_after = max(1, int((free_at - now).total_seconds()) + 1)
        return cls(
            TooManyRequests(
                f"Too many failed sign-in attempts. Try again in {retry_after} seconds.",
                retry_after=retry_after,
            ),
            limit,
        )


@dataclass(frozen=True)
class ReuseRevoked:
    """A rotated refresh token came back and its session was revoked; whom to tell, if anyone."""

    notify: str | None
    language: str | None = None


def _ended() -> NotAuthenticated:
    return NotAuthenticated("Your session has ended; sign in again.", code="invalid_grant")


def _new_refresh_token(session_id: uuid.UUID) -> str:
    """A refresh secret that names its session and carries the server's tag.

    Only the current refresh token's hash is stored, so a rotated one cannot be found by its
    hash. The session id in the token, vouched for by a keyed tag only the server can make, lets
    :meth:`SignInService.refresh` recognise a rotated token of a session when it comes back.
    """
    body = f"{session_id.hex}.{tokens.new_secret('cvr').removeprefix('cvr_')}"
    return f"cvr_{body}.{_family_tag(body)}"


def _family_tag(body: str) -> str:
    return keyring().blind_index(body, "refresh-family")[:32]


def _issued_session(refresh_token: str) -> uuid.UUID | None:
    """The session a refresh token was issued for, if the server made it (tag checked)."""
    parts = refresh_token.removeprefix("cvr_").split(".")
    if len(parts) != 3:
        return None
    session_hex, secret, tag = parts
    if not hmac.compare_digest(_family_tag(f"{session_hex}.{secret}"), tag):
        return None
    try:
        return uuid.UUID(hex=session_hex)
    except ValueError:
        return None


class SignInService:
    """Credentials to tokens, tokens to actors, and the end of sessions."""

    def __init__(self, session: AsyncSession, settings: Settings, mailer: Mailer | None = None):
        self.session = session
        self.settings = settings
        self.mailer = mailer or Mailer(settings)

    async def authenticate(
        self, email: str, password: str, otp: str | None, address: str | None
    ) -> IssuedTokens:
        """Check the credentials (and one-time code) and open a session, with throttling.

        The throttle cannot be a count before the password check and a write after it:
        concurrent guesses would all read the same count and all reach the check. Each attempt
        first reserves its place in its own short transaction (count and insert, serialised per
        key, see :meth:`_reserve_attempt`) and commits it; a reserved attempt counts as a
        failure until it proves otherwise, so at most the limit reach the password check.
        A throttled attempt is refused before any check, and audited.
        """
        ring = keyring()
        account_key = ring.blind_index(emails.normalise_email(email), "login")
        address_key = ring.blind_index(address or "-", "address")
        async with unit_of_work(self.session):
            reserved = await self._reserve_attempt(account_key, address_key)
        if isinstance(reserved, Throttled):
            async with unit_of_work(self.session):
                await self._audit_throttled(email, address, reserved)
            raise reserved.refusal
        try:
            async with unit_of_work(self.session):
                outcome = await self._sign_in(
                    email, password, otp, address, (account_key, address_key), reserved
                )
        except Exception:
            # Not a refused credential (e.g. the code is still needed): not a failure either.
            async with unit_of_work(self.session):
                await self._forget_attempt(reserved)
            raise
        # A refused sign-in is raised only now, after its failure (for throttling) and its audit
        # event have been committed: raised inside the block, they would be rolled back.
        if isinstance(outcome, NotAuthenticated):
            raise outcome
        log.info(
            "identity.signed_in", account_id=str(outcome.account.id), scope=outcome.scope.value
        )
        return outcome

    async def _audit_throttled(self, email: str, address: str | None, throttled: Throttled) -> None:
        account = await find_by_email(self.session, email)
        audit.record(
            self.session, "login.throttled", outcome=Outcome.DENIED, address=address,
            actor_id=account.id if account else None,
            actor_role=account.role if account else None,
            detail={"limit": throttled.limit, "retry_after": throttled.refusal.retry_after},
        )  # fmt: skip

    async def _sign_in(
        self,
        email: str,
        password: str,
        otp: str | None,
        address: str | None,
        keys: tuple[str, str],
        attempt_id: int,
    ) -> IssuedTokens | NotAuthenticated:
        account = await find_by_email(self.session, email)
        valid = await passwords.verify_password(
            account.password_hash if account else None, password
        )
        if not valid or account is None or not account.is_active:
            audit.record(
                self.session, "login", outcome=Outcome.FAILURE, address=address,
                actor_id=account.id if account else None,
                actor_role=account.role if account else None,
            )  # fmt: skip
            return NotAuthenticated(  # the attempt's row stays: it is the failure
                "The e-mail address or password is not right.", code="invalid_credentials"
            )
        if account.mfa_enabled:
            if not otp:
                raise NotAuthenticated(
                    "Enter the 6-digit code from your authenticator app.", code="mfa_required"
                )
            if not await claim_otp(self.session, account, account.totp_secret, otp):
                audit.record(
                    self.session, "login.mfa", outcome=Outcome.FAILURE, address=address,
                    actor_id=account.id, actor_role=account.role,
                )  # fmt: skip
                return NotAuthenticated(
                    "That code is not right or was already used.", code="mfa_invalid"
                )

        # Success clears the failures of this account from this address, this attempt's row
        # included; those from other addresses stay, so the owner signing in does not lift an
        # attacker's wait elsewhere (and they still count towards the account's ceiling).
        account_key, address_key = keys
        await self.session.execute(
            delete(LoginFailure).where(
                or_(
                    and_(
                        LoginFailure.account_key == account_key,
                        LoginFailure.address_key == address_key,
                    ),
                    LoginFailure.id == attempt_id,
                )
            )
        )
        if passwords.needs_rehash(account.password_hash):
            account.password_hash = await passwords.hash_password(password)
        scope = Scope.FULL
        if (
            self.settings.mfa_required
            and Role(account.role) in MFA_ROLES
            and not account.mfa_enabled
        ):
            scope = Scope.MFA_ENROLMENT
        audit.record(
            self.session, "login", address=address, actor_id=account.id, actor_role=account.role
        )
        return await self.open_session(account, scope)

    async def _reserve_attempt(self, account_key: str, address_key: str) -> int | Throttled:
        """Check the three limits and, below them, record this attempt; its row id.

        - one account from one address: ``login_max_failures_per_account`` failures in the
          window, then a wait of ``login_lockout_seconds`` after the latest that doubles with
          each further failure (never longer than the window). Someone guessing from one address
          slows down there only: the owner elsewhere still signs in.
        - one account from all addresses: a much higher ceiling, so a guesser spread over many
          addresses is still stopped.
        - one address, all accounts: one source guessing many accounts.

        Count and insert must not interleave with another attempt's on the same keys. On
        PostgreSQL, transaction-scoped advisory locks on the two keys serialise them (taken in
        one order, so two attempts cannot deadlock). On SQLite the first statement here is a
        write, which takes the database's single write lock for the whole transaction.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            for lock in sorted({int(account_key[:15], 16), int(address_key[:15], 16)}):
                await self.session.execute(select(func.pg_advisory_xact_lock(lock)))
        s = self.settings
        now = clock.now()
        window = timedelta(seconds=s.login_window_seconds)
        await self.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))

        count, latest = await self._failures(
            LoginFailure.account_key == account_key, LoginFailure.address_key == address_key
        )
        if count >= s.login_max_failures_per_account:
            doublings = count - s.login_max_failures_per_account
            wait = min(s.login_lockout_seconds * 2**doublings, s.login_window_seconds)
            free_at = clock.as_utc(latest) + timedelta(seconds=wait)
            if free_at > now:
                return Throttled.until(free_at, now, "account-address")
        ceilings = (
            (
                LoginFailure.account_key == account_key,
                s.login_max_failures_per_account_all_addresses,
                "account",
            ),
            (LoginFailure.address_key == address_key, s.login_max_failures_per_address, "address"),
        )
        for condition, limit, name in ceilings:
            count, oldest = await self._failures(condition, oldest=True)
            if count >= limit:
                return Throttled.until(clock.as_utc(oldest) + window, now, name)
        # Recorded as a failure until it proves otherwise (success, or a code still needed).
        attempt = LoginFailure(account_key=account_key, address_key=address_key, at=now)
        self.session.add(attempt)
        await self.session.flush()  # the row's id
        return attempt.id

    async def _failures(self, *conditions, oldest: bool = False) -> tuple[int, datetime]:
        """How many failures match, and the oldest (or latest) one's time."""
        at = func.min(LoginFailure.at) if oldest else func.max(LoginFailure.at)
        count, when = (
            await self.session.execute(select(func.count(), at).where(*conditions))
        ).one()
        return count, when

    async def _forget_attempt(self, attempt_id: int) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))

    async def open_session(self, account: Account, scope: Scope) -> IssuedTokens:
        """Open a session for an account whose credentials were checked (or a trusted tool)."""
        session_id = uuid.uuid4()
        access, refresh = tokens.new_secret("cva"), _new_refresh_token(session_id)
        now = clock.now()
        async with unit_of_work(self.session):
            auth = AuthSession(
                id=session_id,
                account_id=account.id,
                access_hash=tokens.digest(access),
                access_expires_at=now + timedelta(seconds=self.settings.access_token_ttl_seconds),
                refresh_hash=tokens.digest(refresh),
                refresh_expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_seconds),
                scope=scope.value,
            )
            self.session.add(auth)
            await self.session.flush()  # the session's id
        return IssuedTokens(
            access, refresh, self.settings.access_token_ttl_seconds, auth.id, account, scope
        )

    async def refresh(self, refresh_token: str, *, csrf: str | None = None) -> IssuedTokens:
        """Rotate both secrets of a session; the old refresh token stops working.

        A refresh token that was already rotated and comes back means two parties hold the
        session (one of them stole it): the whole session is revoked, so the holder's and the
        thief's newest tokens stop working alike, the reuse is audited, and the account holder
        is told by e-mail (once per session, with no secret in it).

        Browser refreshes pass ``csrf``: it is checked before anything rotates, so a forged
        request cannot end the session.
        """
        async with unit_of_work(self.session):
            outcome = await self._rotate(refresh_token, csrf)
        # Raised after the block, so the revocation and its audit event are committed.
        if isinstance(outcome, ReuseRevoked):
            if outcome.notify is not None and self.mailer.configured:
                message = emails.session_ended_for_reuse(outcome.language)
                await self.mailer.send(outcome.notify, message.subject, message.body)
            raise _ended()
        if isinstance(outcome, NotAuthenticated):
            raise outcome
        return outcome

    async def _rotate(
        self, refresh_token: str, csrf: str | None
    ) -> IssuedTokens | ReuseRevoked | NotAuthenticated:
        presented = tokens.digest(refresh_token)
        auth = await self.session.scalar(
            select(AuthSession).where(AuthSession.refresh_hash == presented)
        )
        now = clock.now()
        # The grace is for browsers only (they also prove the session's CSRF secret): a bearer
        # client's rotated token coming back is always a reuse.
        browser = csrf is not None
        if auth is None:
            session_id = _issued_session(refresh_token)
            if session_id is None:
                return _ended()
            auth = await self._within_grace(session_id, presented, now) if browser else None
            if auth is None:
                return await self._revoke_reused(session_id)
        if auth.revoked_at is not None or auth.refresh_expires_at <= now:
            return _ended()
        if csrf is not None:
            self.check_csrf(auth.id, csrf)
        account = await load_account(self.session, auth.account_id)
        if not account.is_active:
            return _ended()
        access, refresh = tokens.new_secret("cva"), _new_refresh_token(auth.id)
        ttl = self.settings.access_token_ttl_seconds
        for attempt in (1, 2):
            # Conditional on the current hash as read: of two concurrent refreshes, the second
            # finds it rotated (after the first's row lock): a reuse, or for a browser within
            # the grace (two tabs sharing one cookie jar) a second rotation.
            current = auth.refresh_hash
            rotated = await self.session.execute(
                update(AuthSession)
                .where(
                    AuthSession.id == auth.id,
                    AuthSession.refresh_hash == current,
                    AuthSession.revoked_at.is_(None),
                )
                .values(
                    access_hash=tokens.digest(access),
                    access_expires_at=now + timedelta(seconds=ttl),
                    refresh_hash=tokens.digest(refresh),
                    refresh_expires_at=now
                    + timedelta(seconds=self.settings.refresh_token_ttl_seconds),
                    previous_refresh_hash=current,
                    rotated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if rotated.rowcount == 1:  # pyright: ignore[reportAttributeAccessIssue]
                return IssuedTokens(access, refresh, ttl, auth.id, account, Scope(auth.scope))
            again = await self._within_grace(auth.id, presented, now) if browser else None
            if again is None or attempt == 2:
                break
            auth = again
        return await self._revoke_reused(auth.id)

    async def _within_grace(
        self, session_id: uuid.UUID, presented: str, now: datetime
    ) -> AuthSession | None:
        """The session, if ``presented`` is the refresh token its last rotation replaced, and
        that rotation is younger than the grace: its holder lost the answer (a navigation
        aborted it) or shares the cookies with a tab that refreshed at the same moment.

        Anything else that names the session is a reuse. The grace is short, so a stolen token
        replayed later still ends the session.
        """
        grace = self.settings.refresh_reuse_grace_seconds
        if grace <= 0:
            return None
        auth = await self.session.get(AuthSession, session_id, populate_existing=True)
        if (
            auth is None
            or auth.previous_refresh_hash is None
            or auth.rotated_at is None
            or not hmac.compare_digest(auth.previous_refresh_hash, presented)
            or now - clock.as_utc(auth.rotated_at) > timedelta(seconds=grace)
        ):
            return None
        log.info("identity.refresh_within_grace", session_id=str(session_id))
        return auth

    async def _revoke_reused(self, session_id: uuid.UUID) -> ReuseRevoked:
        """Revoke a session whose rotated refresh token came back, and audit it (no secrets).

        The holder is to be told only when this call revoked it: a stolen token replayed again
        and again must not flood their mailbox.
        """
        revoked = await self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        row = (
            await self.session.execute(
                select(Account.id, Account.role, Account.email, Account.preferred_language)
                .join(AuthSession, AuthSession.account_id == Account.id)
                .where(AuthSession.id == session_id)
            )
        ).first()
        if row is None:  # the session is gone (signed out long ago, or erased)
            return ReuseRevoked(None)
        newly = revoked.rowcount == 1  # pyright: ignore[reportAttributeAccessIssue]
        audit.record(
            self.session, "session.refresh_reused", outcome=Outcome.FAILURE,
            actor_id=row[0], actor_role=row[1], resource_type="AuthSession",
            resource_id=session_id, detail={"revoked": newly},
        )  # fmt: skip
        log.warning("identity.refresh_reused", session_id=str(session_id), revoked=newly)
        return ReuseRevoked(row[2] if newly else None, row[3])

    async def resolve(self, access_token: str, address: str | None = None) -> Actor:
        """The actor behind an access token; revocation and expiry apply on the next request.

        A read on every request: it opens no unit of work of its own (nothing to commit), and
        the request's services run theirs after it.
        """
        row = (
            await self.session.execute(
                select(
                    AuthSession.id,
                    AuthSession.scope,
                    AuthSession.access_expires_at,
                    AuthSession.revoked_at,
                    Account.id,
                    Account.role,
                    Account.is_active,
                    Patient.id,
                )
                .join(Account, Account.id == AuthSession.account_id)
                .outerjoin(Patient, Patient.account_id == Account.id)
                .where(AuthSession.access_hash == tokens.digest(access_token))
            )
        ).first()
        if row is None or row[3] is not None or not row[6]:
            raise NotAuthenticated("Your session has ended; sign in again.", code="invalid_token")
        if clock.as_utc(row[2]) <= clock.now():
            raise NotAuthenticated("Your session has expired.", code="token_expired")
        return Actor(
            account_id=row[4],
            role=Role(row[5]),
            session_id=row[0],
            patient_id=row[7],
            scope=Scope(row[1]),
            address=address,
        )

    async def logout(self, actor: Actor) -> None:
        """End the caller's session."""
        async with unit_of_work(self.session):
            await self.session.execute(
                update(AuthSession)
                .where(AuthSession.id == actor.session_id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )

    async def logout_refresh(self, refresh_token: str) -> None:
        """Revoke the session a refresh token belongs to (sign-out without an access token)."""
        async with unit_of_work(self.session):
            await self.session.execute(
                update(AuthSession)
                .where(
                    AuthSession.refresh_hash == tokens.digest(refresh_token),
                    AuthSession.revoked_at.is_(None),
                )
                .values(revoked_at=clock.now())
            )

    def csrf_token(self, session_id: uuid.UUID) -> str:
        """The CSRF token bound to a browser session (double-submit cookie + header)."""
        return keyring().blind_index(str(session_id), "csrf")

    def check_csrf(self, session_id: uuid.UUID, presented: str | None) -> None:
        """Refuse a cookie-authenticated change whose header lacks the session's CSRF token."""
        if not presented or not hmac.compare_digest(presented, self.csrf_token(session_id)):
            raise Forbidden(
                "This request is missing its security token; reload the page.", code="csrf"
            )
