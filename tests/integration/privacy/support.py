"""Shared helpers of the privacy and FHIR tests: people with signed-in headers, and audit reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from careverse.identity import passwords
from careverse.kernel import clock
from careverse.kernel.audit import AuditEvent, AuditHead, Verification, verify
from tests.conftest import login

# Argon2 with the cheapest parameters: these tests are about access, not password hashing, and
# dozens of sign-ins per test would otherwise cost seconds. The hash code path stays the real one.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)


@dataclass(frozen=True)
class Person:
    """An account of some role, signed in once; its headers are reused for every request."""

    id: uuid.UUID
    role: str
    email: str
    name: str
    patient_id: uuid.UUID | None
    headers: dict


@pytest.fixture
def person(client, make_account):
    """Create an account (through the service) and sign it in through the API."""

    async def make(role: str = "patient", name: str | None = None, email: str | None = None):
        name = name or f"{role.title()} {uuid.uuid4().hex[:6]}"
        account = await make_account(role, email=email, name=name)
        headers = await login(client, account.email)
        patient_id = account.patient.id if account.patient else None
        return Person(account.id, role, account.email, name, patient_id, headers)

    return make


def in_hours(hours: float) -> str:
    return (clock.now() + timedelta(hours=hours)).isoformat()


async def delegate(
    client: httpx.AsyncClient,
    patient: Person,
    caregiver: Person,
    scopes: list[str],
    expires_at: datetime | str | None = None,
) -> dict:
    """The patient grants the caregiver a delegation through the API; answers its JSON."""
    if isinstance(expires_at, datetime):
        expires_at = expires_at.isoformat()
    response = await client.post(
        "/api/me/delegations",
        json={
            "caregiver_email": caregiver.email,
            "scopes": scopes,
            "expires_at": expires_at or in_hours(24 * 30),
        },
        headers=patient.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def assign(client: httpx.AsyncClient, admin: Person, clinician: Person, patient: Person):
    """An admin assigns the clinician to the patient's care; answers the relationship's JSON."""
    response = await client.post(
        "/api/admin/care-relationships",
        json={"clinician_id": str(clinician.id), "patient_id": str(patient.patient_id)},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def break_glass(
    client: httpx.AsyncClient, clinician: Person, patient: Person, reason: str
) -> dict:
    response = await client.post(
        "/api/privacy/break-glass",
        json={"patient_id": str(patient.patient_id), "reason": reason},
        headers=clinician.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def consent(client: httpx.AsyncClient, patient: Person, **body) -> dict:
    response = await client.post("/api/me/consents", json=body, headers=patient.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def audit_rows(app, since_seq: int = 0, **where) -> list[AuditEvent]:
    """Audit rows after ``since_seq``, optionally filtered by column equality, in chain order."""
    query = select(AuditEvent).where(AuditEvent.seq > since_seq).order_by(AuditEvent.seq)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    async with app.state.runtime.db.session() as session:
        return list((await session.scalars(query)).all())


async def head_seq(app) -> int:
    async with app.state.runtime.db.session() as session:
        return (await session.get(AuditHead, 1)).seq


async def count(app, model, *conditions) -> int:
    async with app.state.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*conditions))


async def verify_chain(app) -> Verification:
    async with app.state.runtime.db.session() as session:
        return await verify(session)
