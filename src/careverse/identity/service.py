"""Identity: accounts, sign-in, sessions, MFA, throttling and password reset. No HTTP here."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import passwords
from careverse.identity.models import (
    Account,
    AuthSession,
    LoginFailure,
    PasswordResetToken,
    Patient,
)
from careverse.kernel import audit, clock, tokens
from careverse.kernel.audit import Outcome
from careverse.kernel.config import Settings
from careverse.kernel.crypto import keyring
from careverse.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from careverse.kernel.mail import Mailer
from careverse.kernel.policy import (
    MFA_ROLES,
    SELF_REGISTERING_ROLES,
    Actor,
    Role,
    Scope,
    require_full_scope,
    require_role,
)

log = structlog.get_logger(__name__)

ISSUER = "Careverse"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_index(email: str) -> str:
    return keyring().blind_index(normalise_email(email), "email")


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: Role
    display_name: str
    password: str | None = None
    preferred_language: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID
    account: Account
    scope: Scope


@dataclass(frozen=True)
class AccountView:
    account: Account
    patient_id: uuid.UUID | None
    mfa_enrolment_required: bool

    @classmethod
    def of(cls, account: Account, *, enrolling: bool = False) -> AccountView:
        """The view of an account (its patient loaded), ``enrolling`` when MFA set-up is due."""
        return cls(account, account.patient.id if account.patient else None, enrolling)


class IdentityService:
    """Every identity operation, over one database session (one unit of work)."""

    def __init__(self, session: AsyncSession, settings: Settings, mailer: Mailer | None = None):
        self.session = session
        self.settings = settings
        self.mailer = mailer or Mailer(settings)

    # ---- accounts ------------------------------------------------------------------------

    async def register(self, data: NewAccount) -> Account:
        """Self-service sign-up, for patients and caregivers only."""
        if data.role not in SELF_REGISTERING_ROLES:
            raise Forbidden("Only patients and caregivers can sign up themselves.")
        if data.password is None:
            raise InvalidInput("A password is required.", field="password", code="weak_password")
        return await self._create(data)

    async def create_account(self, actor: Actor | None, data: NewAccount) -> Account:
        """An admin (or the command line, ``actor=None``) creates an account of any role."""
        if actor is not None:
            require_role(actor, Role.ADMIN)
        return await self._create(data)

    async def _create(self, data: NewAccount) -> Account:
        email = normalise_email(data.email)
        if data.password is not None:
            passwords.check_policy(data.password, email=email, name=data.display_name)
        index = email_index(email)
        if await self.session.scalar(select(Account.id).where(Account.email_index == index)):
            raise Conflict(
                "An account with this e-mail address already exists.", code="email_taken"
            )
        # An account created without a password can only be entered through a reset link.
        secret = data.password or tokens.new_secret("unusable")
        account = Account(
            email=email,
            email_index=index,
            password_hash=await passwords.hash_password(secret),
            role=data.role.value,
            display_name=data.display_name,
            preferred_language=data.preferred_language,
            password_changed_at=clock.now(),
        )
        self.session.add(account)
        if data.role is Role.PATIENT:
            account.patient = Patient(
                name=data.display_name,
                birth_date=data.birth_date.isoformat() if data.birth_date else None,
                preferred_language=data.preferred_language,
                contact_email=email,
            )
        else:
            account.patient = None  # known to be absent: no lazy load later
        try:
            await self.session.commit()
        except IntegrityError as exc:  # two sign-ups with one address at the same instant
            await self.session.rollback()
            raise Conflict(
                "An account with this e-mail address already exists.", code="email_taken"
            ) from exc
        log.info("identity.account_created", account_id=str(account.id), role=account.role)
        return account

    async def view(self, actor: Actor) -> AccountView:
        account = await self._account(actor.account_id)
        return AccountView.of(account, enrolling=actor.scope is Scope.MFA_ENROLMENT)

    async def list_accounts(self, actor: Actor, role: Role | None = None) -> list[AccountView]:
        require_role(actor, Role.ADMIN)
        query = select(Account).order_by(Account.created_at)
        if role:
            query = query.where(Account.role == role.value)
        accounts = (await self.session.scalars(query)).all()
        return [AccountView.of(a) for a in accounts]

    async def get_account(self, actor: Actor, account_id: uuid.UUID) -> AccountView:
        require_role(actor, Role.ADMIN)
        return AccountView.of(await self._account(account_id))

    async def update_account(
        self,
        actor: Actor,
        account_id: uuid.UUID,
        *,
        is_active: bool | None = None,
        display_name: str | None = None,
    ) -> AccountView:
        require_role(actor, Role.ADMIN)
        account = await self._account(account_id)
        if is_active is False and account.id == actor.account_id:
            raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
        if is_active is not None:
            account.is_active = is_active
            if not is_active:
                await self._revoke_all_sessions(account.id)
        if display_name is not None:
            account.display_name = display_name
        await self.session.commit()
        return AccountView.of(account)

    async def _account(self, account_id: uuid.UUID) -> Account:
        account = await self.session.get(Account, account_id)
        if account is None:
            raise NotFound("No such account.")
        return account

    async def find_by_email(self, email: str) -> Account | None:
        return await self.session.scalar(
            select(Account).where(Account.email_index == email_index(email))
        )

    # ---- sign-in -------------------------------------------------------------------------

    async def authenticate(
        self, email: str, password: str, otp: str | None, address: str | None
    ) -> IssuedTokens:
        """Check the credentials (and one-time code) and open a session, with throttling."""
        ring = keyring()
        account_key = ring.blind_index(normalise_email(email), "login")
        address_key = ring.blind_index(address or "-", "address")
        await self._check_throttle(account_key, address_key)

        account = await self.find_by_email(email)
        valid = await passwords.verify_password(
            account.password_hash if account else None, password
        )
        if not valid or account is None or not account.is_active:
            audit.record(
                self.session, "login", outcome=Outcome.FAILURE, address=address,
                actor_id=account.id if account else None,
                actor_role=account.role if account else None,
            )  # fmt: skip
            await self._record_failure(account_key, address_key)
            raise NotAuthenticated(
                "The e-mail address or password is not right.", code="invalid_credentials"
            )
        if account.mfa_enabled:
            if not otp:
                raise NotAuthenticated(
                    "Enter the 6-digit code from your authenticator app.", code="mfa_required"
                )
            if not self._accept_otp(account, account.totp_secret, otp):
                audit.record(
                    self.session, "login.mfa", outcome=Outcome.FAILURE, address=address,
                    actor_id=account.id, actor_role=account.role,
                )  # fmt: skip
                await self._record_failure(account_key, address_key)
                raise NotAuthenticated(
                    "That code is not right or was already used.", code="mfa_invalid"
                )

        await self.session.execute(
            delete(LoginFailure).where(LoginFailure.account_key == account_key)
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
        issued = await self._open_session(account, scope)
        log.info("identity.signed_in", account_id=str(account.id), scope=scope.value)
        return issued

    async def _check_throttle(self, account_key: str, address_key: str) -> None:
        now = clock.now()
        since = now - timedelta(seconds=self.settings.login_window_seconds)
        checks = (
            (LoginFailure.account_key == account_key, self.settings.login_max_failures_per_account),
            (LoginFailure.address_key == address_key, self.settings.login_max_failures_per_address),
        )
        for condition, limit in checks:
            count, oldest = (
                await self.session.execute(
                    select(func.count(), func.min(LoginFailure.at)).where(
                        condition, LoginFailure.at > since
                    )
                )
            ).one()
            if count >= limit:
                free_at = clock.as_utc(oldest) + timedelta(
                    seconds=self.settings.login_window_seconds
                )
                retry_after = max(1, int((free_at - now).total_seconds()) + 1)
                raise TooManyRequests(
                    f"Too many failed sign-in attempts. Try again in {retry_after} seconds.",
                    retry_after=retry_after,
                )

    async def _record_failure(self, account_key: str, address_key: str) -> None:
        now = clock.now()
        horizon = now - timedelta(seconds=self.settings.login_window_seconds)
        await self.session.execute(delete(LoginFailure).where(LoginFailure.at <= horizon))
        self.session.add(LoginFailure(account_key=account_key, address_key=address_key, at=now))
        await self.session.commit()

    async def _open_session(self, account: Account, scope: Scope) -> IssuedTokens:
        access, refresh = tokens.new_secret("cva"), tokens.new_secret("cvr")
        now = clock.now()
        auth = AuthSession(
            account_id=account.id,
            access_hash=tokens.digest(access),
            access_expires_at=now + timedelta(seconds=self.settings.access_token_ttl_seconds),
            refresh_hash=tokens.digest(refresh),
            refresh_expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_seconds),
            scope=scope.value,
        )
        self.session.add(auth)
        await self.session.commit()
        return IssuedTokens(
            access, refresh, self.settings.access_token_ttl_seconds, auth.id, account, scope
        )

    async def refresh(self, refresh_token: str, *, csrf: str | None = None) -> IssuedTokens:
        """Rotate both secrets of a session; the old refresh token stops working.

        Browser refreshes pass ``csrf``: it is checked before anything rotates, so a forged
        request cannot end the session.
        """
        auth = await self.session.scalar(
            select(AuthSession).where(AuthSession.refresh_hash == tokens.digest(refresh_token))
        )
        now = clock.now()
        if auth is None or auth.revoked_at is not None or auth.refresh_expires_at <= now:
            raise NotAuthenticated("Your session has ended; sign in again.", code="invalid_grant")
        if csrf is not None:
            self.check_csrf(auth.id, csrf)
        account = await self._account(auth.account_id)
        if not account.is_active:
            raise NotAuthenticated("Your session has ended; sign in again.", code="invalid_grant")
        access, refresh = tokens.new_secret("cva"), tokens.new_secret("cvr")
        auth.access_hash = tokens.digest(access)
        auth.access_expires_at = now + timedelta(seconds=self.settings.access_token_ttl_seconds)
        auth.refresh_hash = tokens.digest(refresh)
        auth.refresh_expires_at = now + timedelta(seconds=self.settings.refresh_token_ttl_seconds)
        await self.session.commit()
        return IssuedTokens(
            access,
            refresh,
            self.settings.access_token_ttl_seconds,
            auth.id,
            account,
            Scope(auth.scope),
        )

    async def resolve(self, access_token: str, address: str | None = None) -> Actor:
        """The actor behind an access token; revocation and expiry apply on the next request."""
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
        await self.session.execute(
            update(AuthSession)
            .where(AuthSession.id == actor.session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
        await self.session.commit()

    async def logout_refresh(self, refresh_token: str) -> None:
        """Revoke the session a refresh token belongs to (sign-out without an access token)."""
        await self.session.execute(
            update(AuthSession)
            .where(
                AuthSession.refresh_hash == tokens.digest(refresh_token),
                AuthSession.revoked_at.is_(None),
            )
            .values(revoked_at=clock.now())
        )
        await self.session.commit()

    async def _revoke_all_sessions(self, account_id: uuid.UUID) -> None:
        await self.session.execute(
            update(AuthSession)
            .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )

    def csrf_token(self, session_id: uuid.UUID) -> str:
        """The CSRF token bound to a browser session (double-submit cookie + header)."""
        return keyring().blind_index(str(session_id), "csrf")

    def check_csrf(self, session_id: uuid.UUID, presented: str | None) -> None:
        if not presented or not hmac.compare_digest(presented, self.csrf_token(session_id)):
            raise Forbidden(
                "This request is missing its security token; reload the page.", code="csrf"
            )

    # ---- multi-factor --------------------------------------------------------------------

    def _accept_otp(self, account: Account, secret: str | None, code: str) -> bool:
        """Accept a TOTP code from the current step or its neighbours, never the same step twice."""
        if not secret:
            return False
        totp = pyotp.TOTP(secret)
        now = clock.now()
        current = totp.timecode(now)
        for counter in (current - 1, current, current + 1):
            if account.totp_last_counter is not None and counter <= account.totp_last_counter:
                continue
            if hmac.compare_digest(totp.generate_otp(counter), code):
                account.totp_last_counter = counter
                return True
        return False

    async def start_totp(self, actor: Actor) -> tuple[str, str]:
        """Begin TOTP enrolment: a new secret, shown once, active after confirmation."""
        account = await self._account(actor.account_id)
        if account.mfa_enabled:
            raise Conflict("Two-step sign-in is already on.", code="mfa_already_enabled")
        secret = pyotp.random_base32()
        account.totp_pending_secret = secret
        await self.session.commit()
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
        return secret, uri

    async def confirm_totp(self, actor: Actor, code: str) -> None:
        account = await self._account(actor.account_id)
        if not account.totp_pending_secret:
            raise Conflict("Start enrolment first.", code="mfa_not_started")
        account.totp_last_counter = None
        if not self._accept_otp(account, account.totp_pending_secret, code):
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
        await self.session.commit()
        log.info("identity.mfa_enabled", account_id=str(account.id))

    async def disable_totp(self, actor: Actor, code: str) -> None:
        require_full_scope(actor)
        account = await self._account(actor.account_id)
        if not account.mfa_enabled:
            raise Conflict("Two-step sign-in is not on.", code="mfa_not_enabled")
        if self.settings.mfa_required and actor.role in MFA_ROLES:
            raise Forbidden("Two-step sign-in is required for your role.", code="mfa_mandatory")
        if not self._accept_otp(account, account.totp_secret, code):
            raise InvalidInput("That code is not right.", field="code", code="mfa_invalid")
        account.mfa_enabled, account.totp_secret = False, None
        await self.session.commit()

    # ---- passwords -----------------------------------------------------------------------

    async def change_password(self, actor: Actor, current: str, new: str) -> None:
        account = await self._account(actor.account_id)
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
        await self.session.commit()

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
        await self.session.commit()
        # The secret travels in the fragment, which browsers never send to servers or proxies.
        return f"{self.settings.public_url.rstrip('/')}/reset-password#token={secret}"

    async def request_password_reset(self, email: str) -> None:
        """E-mail a single-use link; answers the same whether or not the account exists."""
        if not self.mailer.configured:
            raise Conflict(
                "Password reset by e-mail is not set up on this server; "
                "ask your administrator to reset your password.",
                code="email_not_configured",
            )
        account = await self.find_by_email(email)
        if account is None or not account.is_active:
            return
        link = await self._issue_reset(account)
        hours = self.settings.password_reset_ttl_seconds / 3600
        await self.mailer.send(
            account.email,
            "Reset your Careverse password",
            f"Someone asked to reset the password of your Careverse account.\n\n"
            f"To choose a new password, open this link within {hours:g} hour(s):\n{link}\n\n"
            f"If it was not you, ignore this message; your password stays as it is.\n",
        )

    async def admin_password_reset(self, actor: Actor, account_id: uuid.UUID) -> str:
        """An admin makes a single-use reset link to hand to the person; their sessions end."""
        if actor is not None:
            require_role(actor, Role.ADMIN)
        account = await self._account(account_id)
        await self._revoke_all_sessions(account.id)
        return await self._issue_reset(account)

    async def confirm_password_reset(self, secret: str, new_password: str) -> None:
        now = clock.now()
        reset = await self.session.scalar(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == tokens.digest(secret))
        )
        if reset is None or reset.used_at is not None or reset.expires_at <= now:
            raise InvalidInput(
                "This reset link is not valid any more; ask for a new one.",
                code="invalid_reset_token",
            )
        account = await self._account(reset.account_id)
        passwords.check_policy(
            new_password, email=account.email, name=account.display_name, field="new_password"
        )
        # Mark used with a conditional update so two concurrent uses cannot both succeed.
        used = await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )
        if used.rowcount != 1:
            raise InvalidInput(
                "This reset link is not valid any more; ask for a new one.",
                code="invalid_reset_token",
            )
        account.password_hash = await passwords.hash_password(new_password)
        account.password_changed_at = now
        await self._revoke_all_sessions(account.id)
        await self.session.commit()


# ---- facts other capabilities ask identity for ------------------------------------------------


async def display_names(session: AsyncSession, account_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not account_ids:
        return {}
    rows = await session.execute(
        select(Account.id, Account.display_name).where(Account.id.in_(account_ids))
    )
    return {account_id: name for account_id, name in rows.all()}


async def account_role(session: AsyncSession, account_id: uuid.UUID) -> str | None:
    return await session.scalar(select(Account.role).where(Account.id == account_id))


async def patient_exists(session: AsyncSession, patient_id: uuid.UUID) -> bool:
    return await session.scalar(select(Patient.id).where(Patient.id == patient_id)) is not None


async def erase_account(session: AsyncSession, account_id: uuid.UUID) -> uuid.UUID | None:
    """Erase a person: the patient record goes (its data cascades), the account becomes a tombstone.

    The tombstone keeps the id that audit rows point to, and nothing that identifies anyone.
    Answers the erased patient id, if there was one. The caller commits.
    """
    account = await session.get(Account, account_id)
    if account is None:
        return None
    patient_id = account.patient.id if account.patient else None
    if account.patient is not None:
        await session.delete(account.patient)
    await session.execute(delete(AuthSession).where(AuthSession.account_id == account_id))
    await session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.account_id == account_id)
    )
    account.email = f"erased-{account_id}@invalid"
    account.email_index = keyring().blind_index(f"erased:{account_id}", "email")
    account.display_name = "Erased account"
    account.password_hash = "!"  # noqa: S105 - matches no password
    account.is_active = False
    account.mfa_enabled = False
    account.totp_secret = account.totp_pending_secret = None
    account.preferred_language = None
    await session.flush()
    return patient_id
