"""Erasing a person from identity: its own rows go, the account stays as a tombstone.

Privacy carries out an erasure: it publishes ``AccountErasureDue`` (each capability deletes its
own rows of that person in a TRANSACTION handler), then calls :func:`erase_account` last, in the
same unit of work. Identity deletes only identity's rows, each explicitly: nothing here relies on
a foreign key cascading into another capability's tables (the constraints stay as a safety net).
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity.emails import normalise_email
from careverse.identity.models import (
    Account,
    AuthSession,
    CareRelationship,
    Delegation,
    LoginFailure,
    PasswordResetToken,
)
from careverse.identity.smart_models import (
    SmartApp,
    SmartCode,
    SmartGrant,
    SmartLaunch,
    SmartToken,
)
from careverse.kernel.crypto import keyring
from careverse.kernel.uow import unit_of_work


async def erase_account(session: AsyncSession, account_id: uuid.UUID) -> uuid.UUID | None:
    """Erase a person: identity's rows of them are deleted, the account becomes a tombstone.

    Deleted: their sign-in sessions, reset links and recent failed sign-ins; the delegations and
    care relationships of their patient record and those they held as a caregiver or clinician;
    the patient record itself. The tombstone keeps the id that audit rows point to, and nothing
    that identifies anyone. Answers the erased patient id, if there was one.

    Joins the caller's unit of work (privacy's erasure), which commits.
    """
    async with unit_of_work(session):
        account = await session.get(Account, account_id)
        if account is None:
            return None
        patient = account.patient
        patient_id = patient.id if patient is not None else None
        login_key = keyring().blind_index(normalise_email(account.email), "login")

        held = [Delegation.caregiver_id == account_id]
        cared = [CareRelationship.clinician_id == account_id]
        if patient_id is not None:
            held.append(Delegation.patient_id == patient_id)
            cared.append(CareRelationship.patient_id == patient_id)
        await session.execute(delete(Delegation).where(or_(*held)))
        await session.execute(delete(CareRelationship).where(or_(*cared)))
        await session.execute(delete(AuthSession).where(AuthSession.account_id == account_id))
        await session.execute(
            delete(PasswordResetToken).where(PasswordResetToken.account_id == account_id)
        )
        await session.execute(delete(LoginFailure).where(LoginFailure.account_key == login_key))
        # SMART apps they connected (or connected to their record): grants, codes, tokens.
        granted = [SmartGrant.account_id == account_id]
        if patient_id is not None:
            granted.append(SmartGrant.patient_id == patient_id)
        grants = select(SmartGrant.id).where(or_(*granted))
        await session.execute(delete(SmartToken).where(SmartToken.grant_id.in_(grants)))
        await session.execute(delete(SmartCode).where(SmartCode.grant_id.in_(grants)))
        await session.execute(delete(SmartGrant).where(or_(*granted)))
        launched = [SmartLaunch.account_id == account_id]
        if patient_id is not None:
            launched.append(SmartLaunch.patient_id == patient_id)
        await session.execute(delete(SmartLaunch).where(or_(*launched)))
        await session.execute(
            update(SmartApp).where(SmartApp.created_by == account_id).values(created_by=None)
        )
        if patient is not None:
            await session.delete(patient)

        account.email = f"erased-{account_id}@invalid"
        account.email_index = keyring().blind_index(f"erased:{account_id}", "email")
        account.display_name = "Erased account"
        account.password_hash = "!"  # noqa: S105 - matches no password
        account.is_active = False
        account.mfa_enabled = False
        account.totp_secret = account.totp_pending_secret = None
        account.totp_last_counter = None
        account.preferred_language = None
        await session.flush()
    return patient_id
