"""Accounts: sign-up, accounts made by an admin, the caller's own account and its administration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import passwords
from careverse.identity.emails import email_index, normalise_email
from careverse.identity.models import Account, AuthSession, Patient
from careverse.kernel import audit, clock, tokens
from careverse.kernel.actor import SELF_REGISTERING_ROLES, Actor, Role, Scope, require_role
from careverse.kernel.config import Settings
from careverse.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from careverse.kernel.uow import unit_of_work

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: Role
    display_name: str
    password: str | None = None
    preferred_language: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class AccountView:
    account: Account
    patient_id: uuid.UUID | None
    mfa_enrolment_required: bool

    @classmethod
    def of(cls, account: Account, *, enrolling: bool = False) -> AccountView:
        """The view of an account (its patient loaded), ``enrolling`` when MFA set-up is due."""
        return cls(account, account.patient.id if account.patient else None, enrolling)


def _email_taken() -> Conflict:
    return Conflict("An account with this e-mail address already exists.", code="email_taken")


async def load_account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    """The account row, or NotFound."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


async def find_by_email(session: AsyncSession, email: str) -> Account | None:
    """The account with this address (by its blind index), or None."""
    return await session.scalar(select(Account).where(Account.email_index == email_index(email)))


def audit_account_change(
    session: AsyncSession, actor: Actor | None, account: Account, action: str
) -> None:
    """Audit what someone else (an admin, or the command line: ``actor=None``) did to an account.

    It names the account's patient record, if it has one, so the patient sees it in their access
    log. Ids only: no name, address or secret in the audit row.
    """
    audit.record(
        session, action, actor=actor, patient_id=account.patient.id if account.patient else None,
        resource_type="Account", resource_id=account.id,
    )  # fmt: skip


async def revoke_all_sessions(session: AsyncSession, account_id: uuid.UUID) -> None:
    """End every open sign-in of an account; its tokens stop working on the next request."""
    await session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


class AccountService:
    """Creating, showing and administering accounts."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings

    async def register(self, data: NewAccount) -> Account | None:
        """Self-service sign-up, for patients and caregivers only.

        Answers the new account, or None when the address already has one: the caller then
        answers exactly as for a new account (and tells the address's owner by e-mail), so that
        sign-up does not say which addresses have accounts. The password is hashed either way,
        so the two paths take about as long.
        """
        if data.role not in SELF_REGISTERING_ROLES:
            raise Forbidden("Only patients and caregivers can sign up themselves.")
        if data.password is None:
            raise InvalidInput("A password is required.", field="password", code="weak_password")
        try:
            return await self._create(data)
        except Conflict as exc:
            if exc.code != "email_taken":
                raise
        await passwords.hash_password(data.password)
        log.info("identity.signup_address_taken")
        return None

    async def create_account(self, actor: Actor | None, data: NewAccount) -> Account:
        """An admin (or the command line, ``actor=None``) creates an account of any role."""
        if actor is None:
            return await self._create(data)
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            account = await self._create(data)
            audit_account_change(self.session, actor, account, "account.create")
        return account

    async def _create(self, data: NewAccount) -> Account:
        email = normalise_email(data.email)
        if data.password is not None:
            passwords.check_policy(data.password, email=email, name=data.display_name)
        index = email_index(email)
        async with unit_of_work(self.session):
            if await self.session.scalar(select(Account.id).where(Account.email_index == index)):
                raise _email_taken()
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
                # Flushed here, not at the commit, so that two sign-ups with one address at the
                # same instant meet the unique index inside this block and answer a Conflict.
                await self.session.flush()
            except IntegrityError as exc:
                raise _email_taken() from exc
        log.info("identity.account_created", account_id=str(account.id), role=account.role)
        return account

    async def view(self, actor: Actor) -> AccountView:
        """The caller's own account."""
        account = await load_account(self.session, actor.account_id)
        return AccountView.of(account, enrolling=actor.scope is Scope.MFA_ENROLMENT)

    async def set_language(self, actor: Actor, language: str | None) -> AccountView:
        """The caller's own language for the app, e-mails and notices (None: the browser's)."""
        async with unit_of_work(self.session):
            account = await load_account(self.session, actor.account_id)
            account.preferred_language = language
        return AccountView.of(account, enrolling=actor.scope is Scope.MFA_ENROLMENT)

    async def list_accounts(
        self,
        actor: Actor,
        role: Role | None = None,
        *,
        search: str | None = None,
        active: bool | None = None,
    ) -> list[AccountView]:
        """Every account, optionally of one role, active or not, matching ``search`` (admins).

        ``search`` is an e-mail address (found by its blind index) or part of a name or address,
        matched after decryption: names and addresses are encrypted at rest, so the database
        cannot compare them. The listing is audited without the search text (it may be a name).
        """
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            query = select(Account).order_by(Account.created_at)
            if role:
                query = query.where(Account.role == role.value)
            if active is not None:
                query = query.where(Account.is_active.is_(active))
            needle = (search or "").strip().casefold()
            if "@" in needle and " " not in needle:
                exact = query.where(Account.email_index == email_index(needle))
                accounts = list((await self.session.scalars(exact)).all())
                if not accounts:
                    accounts = self._matching(await self.session.scalars(query), needle)
            else:
                accounts = self._matching(await self.session.scalars(query), needle)
            audit.record(
                self.session, "account.search", actor=actor, resource_type="Account",
                detail={"role": role.value if role else None, "searched": bool(needle),
                        "active": active, "found": len(accounts)},
            )  # fmt: skip
        return [AccountView.of(a) for a in accounts]

    @staticmethod
    def _matching(accounts, needle: str) -> list[Account]:
        if not needle:
            return list(accounts)
        return [
            a for a in accounts
            if needle in a.display_name.casefold() or needle in a.email.casefold()
        ]  # fmt: skip

    async def get_account(self, actor: Actor, account_id: uuid.UUID) -> AccountView:
        """One account (admins only); a patient's account looked at is in their access log."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            account = await load_account(self.session, account_id)
            if account.patient is not None:
                audit_account_change(self.session, actor, account, "account.read")
        return AccountView.of(account)

    async def update_account(
        self,
        actor: Actor,
        account_id: uuid.UUID,
        *,
        is_active: bool | None = None,
        display_name: str | None = None,
    ) -> AccountView:
        """Deactivate (every session ends at once), reactivate or rename an account (admins)."""
        require_role(actor, Role.ADMIN)
        async with unit_of_work(self.session):
            account = await load_account(self.session, account_id)
            if is_active is False and account.id == actor.account_id:
                raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
            if is_active is not None and is_active != account.is_active:
                account.is_active = is_active
                if not is_active:
                    await revoke_all_sessions(self.session, account.id)
                action = "account.reactivate" if is_active else "account.deactivate"
                audit_account_change(self.session, actor, account, action)
            if display_name is not None and display_name != account.display_name:
                account.display_name = display_name
                audit_account_change(self.session, actor, account, "account.rename")
        return AccountView.of(account)

    async def find_by_email(self, email: str) -> Account | None:
        """The account with this address, or None."""
        return await find_by_email(self.session, email)
