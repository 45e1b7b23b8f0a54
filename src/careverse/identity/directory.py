"""The identity directory: what other capabilities may know about people, without identity's tables.

Care, monitoring, privacy, the world and the rest look people up here — names, roles, clinicians,
a look-up by e-mail, a patient's brief — and get plain frozen values back, never an ``Account`` or
``Patient`` row to change. Only identity reads and writes its own tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.emails import email_index
from careverse.identity.models import Account, Patient
from careverse.kernel import clock
from careverse.kernel.actor import Role


@dataclass(frozen=True, slots=True)
class AccountBrief:
    """One person as other capabilities see them."""

    id: uuid.UUID
    display_name: str
    role: Role
    is_active: bool
    preferred_language: str | None
    patient_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class PatientBrief:
    """A patient record as other capabilities see it (no contact details, no birth date)."""

    id: uuid.UUID
    account_id: uuid.UUID | None
    name: str
    preferred_language: str | None


def _brief(account: Account) -> AccountBrief:
    return AccountBrief(
        id=account.id,
        display_name=account.display_name,
        role=Role(account.role),
        is_active=account.is_active,
        preferred_language=account.preferred_language,
        patient_id=account.patient.id if account.patient else None,
    )


async def account(session: AsyncSession, account_id: uuid.UUID) -> AccountBrief | None:
    """The account's brief, or None when there is no such account."""
    row = await session.get(Account, account_id)
    return None if row is None else _brief(row)


async def account_by_email(session: AsyncSession, email: str) -> AccountBrief | None:
    """The account with this e-mail address (looked up by its blind index), or None."""
    row = await session.scalar(select(Account).where(Account.email_index == email_index(email)))
    return None if row is None else _brief(row)


async def clinicians(session: AsyncSession) -> list[AccountBrief]:
    """Active clinicians, in a stable order."""
    rows = await session.scalars(
        select(Account)
        .where(Account.role == Role.CLINICIAN.value, Account.is_active.is_(True))
        .order_by(Account.created_at, Account.id)
    )
    return [_brief(row) for row in rows.all()]


async def active_with_roles(session: AsyncSession, roles: Iterable[Role]) -> list[AccountBrief]:
    """Active accounts of any of these roles, in a stable order (e.g. every admin, for a crisis
    alert that must reach a human when no on-call clinician is configured)."""
    rows = await session.scalars(
        select(Account)
        .where(Account.role.in_([r.value for r in roles]), Account.is_active.is_(True))
        .order_by(Account.created_at, Account.id)
    )
    return [_brief(row) for row in rows.all()]


async def active_clinician(session: AsyncSession, account_id: uuid.UUID) -> AccountBrief | None:
    """The account when it is an active clinician's, else None."""
    brief = await account(session, account_id)
    if brief is None or brief.role is not Role.CLINICIAN or not brief.is_active:
        return None
    return brief


async def display_names(session: AsyncSession, account_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of the given accounts (missing ids are left out)."""
    if not account_ids:
        return {}
    rows = await session.execute(
        select(Account.id, Account.display_name).where(Account.id.in_(account_ids))
    )
    return {account_id: name for account_id, name in rows.all()}


async def account_role(session: AsyncSession, account_id: uuid.UUID) -> str | None:
    """The account's role (its value, e.g. ``"clinician"``), or None when there is none."""
    return await session.scalar(select(Account.role).where(Account.id == account_id))


async def patient_exists(session: AsyncSession, patient_id: uuid.UUID) -> bool:
    """Whether there is a patient record with this id (no access check)."""
    return await session.scalar(select(Patient.id).where(Patient.id == patient_id)) is not None


def _patient_brief(row: Patient) -> PatientBrief:
    return PatientBrief(
        id=row.id, account_id=row.account_id, name=row.name,
        preferred_language=row.preferred_language,
    )  # fmt: skip


async def patient(session: AsyncSession, patient_id: uuid.UUID) -> PatientBrief | None:
    """A patient's brief, or None. No access check: callers have authorised already."""
    row = await session.get(Patient, patient_id)
    return None if row is None else _patient_brief(row)


async def patients(
    session: AsyncSession,
    patient_ids: Iterable[uuid.UUID] | None = None,
    *,
    limit: int | None = None,
) -> list[PatientBrief]:
    """Briefs of the given patients (all when ``patient_ids`` is None), oldest record first.

    Missing ids are left out. No access check: callers have authorised already (or are tools,
    such as the vitals simulator, that work on every patient).
    """
    query = select(Patient).order_by(Patient.created_at, Patient.id)
    if patient_ids is not None:
        wanted = set(patient_ids)
        if not wanted:
            return []
        query = query.where(Patient.id.in_(wanted))
    if limit is not None:
        query = query.limit(limit)
    return [_patient_brief(row) for row in (await session.scalars(query)).all()]


async def patient_names(
    session: AsyncSession, patient_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names of the given patients (missing ids are left out). No access check."""
    return {p.id: p.name for p in await patients(session, patient_ids)}


async def patient_email(session: AsyncSession, patient_id: uuid.UUID) -> str | None:
    """The address the patient gave for notices (appointment mail), or None.

    Contact details are not in :class:`PatientBrief` on purpose: only code that sends the patient
    their own notices asks for them. Never log the answer.
    """
    return await session.scalar(select(Patient.contact_email).where(Patient.id == patient_id))


@dataclass(frozen=True, slots=True)
class PatientFace:
    """What a clinician's patient list shows of a patient: name, age in years, administrative sex
    (None when not known). The birth date itself stays in identity."""

    id: uuid.UUID
    name: str
    age: int | None
    sex: str | None


def _age(birth_date: str | None, today: date) -> int | None:
    try:
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        return None
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def patient_faces(
    session: AsyncSession, patient_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PatientFace]:
    """The faces of the given patients, in one query (missing ids are left out). No access check:
    callers have authorised already."""
    wanted = set(patient_ids)
    if not wanted:
        return {}
    today = clock.now().date()
    rows = await session.scalars(select(Patient).where(Patient.id.in_(wanted)))
    return {
        row.id: PatientFace(
            id=row.id,
            name=row.name,
            age=_age(row.birth_date, today),
            sex=None if row.sex in (None, "unknown") else row.sex,
        )
        for row in rows.all()
    }


async def account_email(session: AsyncSession, account_id: uuid.UUID) -> str | None:
    """The sign-in address of an active account, for its own notices (None when inactive).

    Only code that sends a person their own notices asks for it. Never log the answer.
    """
    row = await session.get(Account, account_id)
    return row.email if row is not None and row.is_active else None
