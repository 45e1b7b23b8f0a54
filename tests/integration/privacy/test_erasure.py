"""Erasure: scheduled with a grace period, cancellable, then carried out; the audit trail stays."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from careverse.cli import app as cli
from careverse.identity.models import Account, AuthSession, CareRelationship, Delegation, Patient
from careverse.identity.service import IdentityService, NewAccount, email_index
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Actor, Role
from careverse.privacy.models import BreakGlass, Consent, ErasureRequest
from careverse.privacy.service import PrivacyService
from tests.conftest import PASSWORD, TEST_KEYRING, TEST_KEYS, login
from tests.integration.privacy.support import (
    assign,
    audit_rows,
    break_glass,
    consent,
    count,
    delegate,
    verify_chain,
)

GRACE_DAYS = 30


@pytest.fixture
def settings_overrides() -> dict:
    # Tokens outlive the grace period, so a refusal after it is the erasure's doing.
    return {"access_token_ttl_seconds": 90 * 24 * 3600, "erasure_grace_days": GRACE_DAYS}


async def erase_due(app) -> int:
    async with app.state.runtime.db.session() as session:
        return await PrivacyService(session, app.state.runtime.settings).erase_due()


async def test_erasure_is_scheduled_and_can_be_cancelled(app, client, person, fake_clock):
    patient = await person("patient")
    assert (await client.get("/api/me/erasure", headers=patient.headers)).json() == {
        "status": "none",
        "due_at": None,
    }
    requested = await client.delete("/api/me", headers=patient.headers)
    assert requested.status_code == 202
    body = requested.json()
    assert body["status"] == "scheduled"
    due_at = datetime.fromisoformat(body["due_at"])
    assert due_at == fake_clock.now + timedelta(days=GRACE_DAYS)
    # Asking again changes nothing.
    fake_clock.advance(days=1)
    again = await client.delete("/api/me", headers=patient.headers)
    assert again.status_code == 202 and datetime.fromisoformat(again.json()["due_at"]) == due_at
    assert await count(app, ErasureRequest) == 1
    status = (await client.get("/api/me/erasure", headers=patient.headers)).json()
    assert status["status"] == "scheduled"

    cancelled = await client.post("/api/me/erasure/cancel", headers=patient.headers)
    assert cancelled.status_code == 204
    status = (await client.get("/api/me/erasure", headers=patient.headers)).json()
    assert status == {"status": "none", "due_at": None}
    assert (await client.post("/api/me/erasure/cancel", headers=patient.headers)).status_code == 404

    # A cancelled request is never carried out.
    fake_clock.advance(days=GRACE_DAYS + 1)
    assert await erase_due(app) == 0
    assert (await client.get("/api/me", headers=patient.headers)).status_code == 200
    actions = [r.action for r in await audit_rows(app, actor_id=patient.id)]
    assert actions.count("erasure.request") == 1 and actions.count("erasure.cancel") == 1


async def test_admins_cannot_erase_themselves(client, person):
    admin = await person("admin")
    refused = await client.delete("/api/me", headers=admin.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "admin_erasure"


async def test_after_the_grace_period_the_person_is_gone(app, client, person, fake_clock):
    admin, clinician = await person("admin"), await person("clinician")
    patient = await person("patient", name="Oona Lindqvist", email="oona.lindqvist@example.org")
    caregiver = await person("caregiver")
    pid = patient.patient_id
    await assign(client, admin, clinician, patient)
    await delegate(client, patient, caregiver, ["record:read"])
    await consent(client, patient, purpose="research", decision="permit")
    await break_glass(client, await person("clinician"), patient, "Found collapsed at the bus stop")
    assert (await client.get(f"/api/patients/{pid}", headers=clinician.headers)).status_code == 200
    trail_before = await audit_rows(app, patient_id=pid)
    assert trail_before

    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    fake_clock.advance(days=GRACE_DAYS - 1)
    assert await erase_due(app) == 0
    assert (await client.get(f"/api/patients/{pid}", headers=clinician.headers)).status_code == 200
    fake_clock.advance(days=1, seconds=1)
    assert await erase_due(app) == 1
    assert await erase_due(app) == 0  # done once

    # The person can no longer sign in, and their open session has ended.
    refused = await client.post(
        "/api/auth/token", data={"username": patient.email, "password": PASSWORD}
    )
    assert refused.status_code == 401
    assert (await client.get("/api/me", headers=patient.headers)).status_code == 401
    # The record is gone for everyone who could see it.
    for who in (clinician, caregiver):
        assert (await client.get(f"/api/patients/{pid}", headers=who.headers)).status_code == 404
        gone = await client.get(f"/fhir/Patient/{pid}", headers=who.headers)
        assert gone.status_code == 404
        assert (await client.get("/api/patients", headers=who.headers)).json() == []
    assert await count(app, Patient, Patient.id == pid) == 0
    for model in (Consent, Delegation, CareRelationship, BreakGlass):
        assert await count(app, model, model.patient_id == pid) == 0, model.__name__
    assert await count(app, AuthSession, AuthSession.account_id == patient.id) == 0

    # The account row is a tombstone: the same id, nothing that identifies anyone.
    async with app.state.runtime.db.session() as session:
        account = await session.get(Account, patient.id)
        assert account is not None and account.is_active is False
        assert "oona" not in account.email.lower() and "lindqvist" not in account.email.lower()
        assert "Oona" not in account.display_name and "Lindqvist" not in account.display_name
        assert account.email_index != email_index(patient.email)
        raw = (
            await session.execute(
                text("SELECT email, display_name FROM accounts WHERE email_index = :i"),
                {"i": account.email_index},
            )
        ).one()
    assert all(crypto.keyring().decrypt(v) != "Oona Lindqvist" for v in raw)
    request = await count(app, ErasureRequest, ErasureRequest.completed_at.is_not(None))
    assert request == 1

    # The audit trail still holds every event about them, under the old ids, and verifies.
    trail_after = await audit_rows(app, patient_id=pid)
    assert [r.seq for r in trail_before] == [r.seq for r in trail_after[: len(trail_before)]]
    completed = await audit_rows(app, action="erasure.complete")
    assert [(r.actor_id, r.patient_id) for r in completed] == [(patient.id, pid)]
    assert any(r.actor_id == patient.id for r in trail_after)
    result = await verify_chain(app)
    assert result.ok, result

    # The address is free again: the person may come back as someone new.
    comeback = await client.post(
        "/api/auth/register",
        json={
            "email": patient.email,
            "password": "a-Fresh-start-2040",
            "display_name": "Oona L.",
            "role": "patient",
        },
    )
    assert comeback.status_code == 202
    again = await login(client, patient.email, "a-Fresh-start-2040")
    me = (await client.get("/api/me", headers=again)).json()
    assert me["id"] != str(patient.id)


async def test_a_clinicians_erasure_keeps_others_records(app, client, person, fake_clock):
    admin, clinician, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, clinician, patient)
    assert (await client.delete("/api/me", headers=clinician.headers)).status_code == 202
    fake_clock.advance(days=GRACE_DAYS + 1)
    assert await erase_due(app) == 1
    assert (await client.get("/api/me", headers=clinician.headers)).status_code == 401
    record = await client.get(f"/api/patients/{patient.patient_id}", headers=patient.headers)
    assert record.status_code == 200
    assert (await verify_chain(app)).ok


# ---- the command line -------------------------------------------------------------------------


def test_cli_privacy_erase_due(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREVERSE_DATABASE_URL", database_url)
    monkeypatch.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    crypto.install_keyring(TEST_KEYRING)
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        encryption_keys=TEST_KEYS,
        erasure_grace_days=0,
    )

    async def schedule() -> tuple:
        db = Database(database_url)
        try:
            async with db.session() as session:
                account = await IdentityService(session, settings).create_account(
                    None, NewAccount("leaving@example.org", Role.PATIENT, "Lea Ving", PASSWORD)
                )
                actor = Actor(account.id, Role.PATIENT, patient_id=account.patient.id)
                await PrivacyService(session, settings).request_erasure(actor)
                return account.id, account.patient.id
        finally:
            await db.dispose()

    async def state(account_id) -> tuple:
        db = Database(database_url)
        try:
            async with db.session() as session:
                account = await session.get(Account, account_id)
                patients = await session.scalar(
                    select(Patient.id).where(Patient.account_id == account_id)
                )
                return account.display_name, account.is_active, patients
        finally:
            await db.dispose()

    account_id, _ = asyncio.run(schedule())
    result = CliRunner().invoke(cli, ["privacy", "erase-due"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 account(s)." in result.output
    assert asyncio.run(state(account_id)) == ("Erased account", False, None)
    again = CliRunner().invoke(cli, ["privacy", "erase-due"])
    assert "Erased 0 account(s)." in again.output


async def test_two_nodes_erasing_at_once_carry_out_each_erasure_once(
    app, client, person, fake_clock, database_url
):
    patient = await person("patient")
    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    fake_clock.advance(days=GRACE_DAYS + 1)
    second_node = Database(database_url)

    async def erase_on(db: Database) -> int:
        async with db.session() as session:
            return await PrivacyService(session, app.state.runtime.settings).erase_due()

    try:
        erased = await asyncio.gather(erase_on(app.state.runtime.db), erase_on(second_node))
    finally:
        await second_node.dispose()
    assert (await verify_chain(app)).ok
    assert len(await audit_rows(app, action="erasure.complete")) == 1
    assert sum(erased) == 1
