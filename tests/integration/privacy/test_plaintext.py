"""Encryption at rest: identifying data never reaches the database files in plaintext; key rotation.

The positive controls (ids and purposes that are stored in the clear) prove each scan sees the data,
so a scan that finds nothing means the values are encrypted, not that the scan missed them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from careverse.cli import app as cli
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.crypto import KeyRing, KeyRingError
from careverse.kernel.db import Database
from careverse.kernel.policy import Actor, Purpose, Role
from careverse.privacy.service import ConsentInput, PrivacyService
from tests.conftest import PASSWORD, TEST_KEYRING, TEST_KEYS
from tests.integration.privacy.support import assign, break_glass, consent, delegate

NAME = "Zebulon Quixotefield"
EMAIL = "zebulon.quixotefield@example.org"
PHONE = "+44 7700 900481"
GENDER_IDENTITY = "Vexillary Nonconformist"
REASON = "Anaphylaxis in the Quillbrook ward, airway at risk"
ORGANISATION = "Marigold Fenwick Hospice Trust"
CAREGIVER = "Thaddeus Oberwald-Kring"
CLINICIAN = "Dr. Philippa Stroudwater"

SECRETS = [
    NAME,
    "Quixotefield",
    EMAIL,
    "zebulon.quixotefield",
    PHONE,
    "7700 900481",
    GENDER_IDENTITY,
    "1957-03-14",
    REASON,
    "Quillbrook",
    ORGANISATION,
    "Fenwick",
    CAREGIVER,
    "Oberwald",
    CLINICIAN,
    "Stroudwater",
]


async def populate(client, person) -> dict:
    """A patient with identifying details, a caregiver, consents and a break-glass, via the API."""
    patient = await person("patient", name=NAME, email=EMAIL)
    changed = await client.patch(
        f"/api/patients/{patient.patient_id}",
        json={"phone": PHONE, "gender_identity": GENDER_IDENTITY, "birth_date": "1957-03-14"},
        headers=patient.headers,
    )
    assert changed.status_code == 200, changed.text
    caregiver = await person("caregiver", name=CAREGIVER)
    await delegate(client, patient, caregiver, ["record:read"])
    await consent(
        client, patient, purpose="org-sharing", decision="permit", organization=ORGANISATION
    )
    clinician = await person("clinician", name=CLINICIAN)
    admin = await person("admin")
    await assign(client, admin, clinician, patient)
    await break_glass(client, await person("clinician"), patient, REASON)
    # Everything reads back in the clear through the API.
    record = (
        await client.get(f"/api/patients/{patient.patient_id}", headers=clinician.headers)
    ).json()
    assert (record["name"], record["phone"], record["contact_email"]) == (NAME, PHONE, EMAIL)
    consents = (await client.get("/api/me/consents", headers=patient.headers)).json()
    assert consents[0]["organization"] == ORGANISATION
    log = (await client.get("/api/me/access-log", headers=patient.headers)).json()
    assert REASON in {e["reason"] for e in log}
    return {"patient": patient}


def read_files(*paths: Path) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.exists())


def leaks(blob: bytes) -> list[str]:
    haystack = blob.lower()
    return [s for s in SECRETS if s.lower().encode() in haystack]


async def test_nothing_identifying_is_stored_in_plaintext(
    app, client, person, database_url, json_logs
):
    people = await populate(client, person)
    patient_id = people["patient"].patient_id

    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        blob = read_files(path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        assert patient_id.hex.encode() in blob  # the scan sees the rows...
        assert b"org-sharing" in blob
        assert leaks(blob) == []  # ...and no identifying value among them
        # Once the WAL is folded into the main file, the same holds there.
        async with app.state.runtime.db.engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        main_file = read_files(path)
        assert patient_id.hex.encode() in main_file
        assert leaks(main_file) == []
    else:
        dump = pg_dump(database_url)
        assert str(patient_id).encode() in dump
        assert b"org-sharing" in dump
        assert b"cv1:" in dump
        assert leaks(dump) == []

    # The logs of all of this carry no identifying value either.
    logs = json_logs()
    assert "privacy.break_glass" in logs  # the capture sees the log lines
    assert leaks(logs.encode()) == []


def pg_dump(url: str) -> bytes:
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    result = subprocess.run(
        [
            "/usr/bin/pg_dump",
            "--format=plain",
            "--no-owner",
            "--host",
            parsed.host or "127.0.0.1",
            "--port",
            str(parsed.port or 5432),
            "--username",
            parsed.username or "postgres",
            parsed.database,
        ],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


# ---- key rotation -----------------------------------------------------------------------------

runner = CliRunner()
ENCRYPTED = {
    "accounts": ["email", "display_name"],
    "patients": ["name", "contact_email", "phone"],
    "consents": ["organization"],
    "break_glass": ["reason"],
}


@pytest.fixture
def key_file_env(database_url, tmp_path, monkeypatch):
    """The CLI on the test database with the test key ring in a key file (rotation needs one)."""
    crypto.write_key_file(tmp_path / "keyring.json", TEST_KEYRING)
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREVERSE_DATABASE_URL", database_url)
    monkeypatch.delenv("CAREVERSE_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("CAREVERSE_ENCRYPTION_KEY_FILE", raising=False)
    crypto.install_keyring(TEST_KEYRING)
    yield tmp_path
    crypto.install_keyring(TEST_KEYRING)


def seed(url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=url, encryption_keys=TEST_KEYS)

    async def main() -> None:
        db = Database(url)
        try:
            async with db.session() as session:
                identity = IdentityService(session, settings)
                account = await identity.create_account(
                    None, NewAccount(EMAIL, Role.PATIENT, NAME, PASSWORD)
                )
                patient_id = account.patient.id
                clinician = await identity.create_account(
                    None, NewAccount("dr@example.org", Role.CLINICIAN, CLINICIAN, PASSWORD)
                )
                account.patient.phone = PHONE
                await session.commit()
                privacy = PrivacyService(session, settings)
                patient = Actor(account.id, Role.PATIENT, patient_id=patient_id)
                await privacy.grant_consent(
                    patient,
                    ConsentInput(Purpose.ORG_SHARING, "permit", organization=ORGANISATION),
                )
                await privacy.break_glass(Actor(clinician.id, Role.CLINICIAN), patient_id, REASON)
        finally:
            await db.dispose()

    asyncio.run(main())


def raw_values(url: str) -> dict[str, list[str]]:
    async def main() -> dict[str, list[str]]:
        db = Database(url)
        try:
            out: dict[str, list[str]] = {}
            async with db.engine.connect() as conn:
                for table, columns in ENCRYPTED.items():
                    for column in columns:
                        rows = await conn.execute(text(f"SELECT {column} FROM {table}"))  # noqa: S608
                        out[f"{table}.{column}"] = [v for (v,) in rows if v is not None]
            return out
        finally:
            await db.dispose()

    return asyncio.run(main())


def test_keys_rotate_re_encrypts_every_value(key_file_env, database_url, request):
    seed(database_url, key_file_env)
    before = raw_values(database_url)
    assert all(before.values()), before
    old_kid = TEST_KEYRING.primary
    assert {TEST_KEYRING.key_id_of(v) for vs in before.values() for v in vs} == {old_kid}

    result = runner.invoke(cli, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    ring = KeyRing.from_json((key_file_env / "keyring.json").read_text())
    assert ring.primary != old_kid and old_kid in ring.keys
    assert ring.index_key == TEST_KEYRING.index_key
    total = sum(len(vs) for vs in before.values())
    assert f"re-encrypted {total} values" in " ".join(result.output.split())

    after = raw_values(database_url)
    plain = {}
    for column, values in after.items():
        assert {ring.key_id_of(v) for v in values} == {ring.primary}, column
        # Fresh ciphertexts, the same plaintexts.
        assert not set(values) & set(before[column])
        assert sorted(ring.decrypt(v) for v in values) == sorted(
            TEST_KEYRING.decrypt(v) for v in before[column]
        )
        plain[column] = {ring.decrypt(v) for v in values}
        # The old key alone cannot read them any more.
        with pytest.raises(KeyRingError):
            TEST_KEYRING.decrypt(values[0])
    assert EMAIL in plain["accounts.email"] and NAME in plain["patients.name"]
    assert plain["consents.organization"] == {ORGANISATION}
    assert plain["break_glass.reason"] == {REASON}

    # The application, started with the rotated key file, signs in and reads as before.
    crypto.install_keyring(ring)

    async def sign_in_and_read() -> tuple[str, str]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                settings = Settings(data_dir=key_file_env, database_url=database_url)
                issued = await IdentityService(session, settings).authenticate(
                    EMAIL, PASSWORD, None, "198.51.100.1"
                )
                return issued.account.display_name, issued.account.patient.phone
        finally:
            await db.dispose()

    assert asyncio.run(sign_in_and_read()) == (NAME, PHONE)

    # Rotating again leaves nothing under the previous primary either.
    again = runner.invoke(cli, ["keys", "rotate"])
    assert again.exit_code == 0, again.output
    newest = KeyRing.from_json((key_file_env / "keyring.json").read_text())
    assert len(newest.keys) == 3
    assert {newest.key_id_of(v) for vs in raw_values(database_url).values() for v in vs} == {
        newest.primary
    }
    json.loads((key_file_env / "keyring.json").read_text())  # still a well-formed key file
    assert oct((key_file_env / "keyring.json").stat().st_mode & 0o777) == "0o600"


def test_keys_rotate_refuses_keys_from_the_environment(key_file_env, monkeypatch):
    monkeypatch.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    result = runner.invoke(cli, ["keys", "rotate"])
    assert result.exit_code == 2
    assert "CAREVERSE_ENCRYPTION_KEYS" in result.output
