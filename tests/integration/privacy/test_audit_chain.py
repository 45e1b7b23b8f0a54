"""The audit chain: what is recorded, tamper detection (verify and the CLI), concurrency."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from careverse.cli import app as cli
from careverse.kernel import audit, crypto
from careverse.kernel.audit import AuditEvent, chain_hash
from careverse.kernel.db import Database
from tests.conftest import PASSWORD, TEST_KEYRING, TEST_KEYS
from tests.integration.privacy.support import audit_rows, delegate, head_seq, verify_chain

runner = CliRunner()


# ---- what is recorded -------------------------------------------------------------------------


async def test_sign_ins_are_audited_whether_they_succeed_or_fail(app, client, make_account):
    account = await make_account("clinician", email="dr.audit@example.org")
    ok = await client.post(
        "/api/auth/token", data={"username": "dr.audit@example.org", "password": PASSWORD}
    )
    assert ok.status_code == 200
    wrong = await client.post(
        "/api/auth/token", data={"username": "dr.audit@example.org", "password": "not-the-one-1"}
    )
    unknown = await client.post(
        "/api/auth/token", data={"username": "ghost@example.org", "password": "not-the-one-1"}
    )
    assert wrong.status_code == unknown.status_code == 401

    logins = [(r.outcome, r.actor_id, r.actor_role) for r in await audit_rows(app, action="login")]
    assert logins == [
        ("success", account.id, "clinician"),
        ("failure", account.id, "clinician"),
        ("failure", None, None),  # no account: nothing to name
    ]
    rows = await audit_rows(app, action="login")
    assert {r.address for r in rows} == {"203.0.113.7"}
    # Audit rows never carry the e-mail address that was tried.
    for r in rows:
        assert "ghost" not in (r.detail or "") and "dr.audit" not in (r.detail or "")
    assert (await verify_chain(app)).ok


async def test_the_patients_own_changes_are_audited(app, client, person):
    patient, caregiver = await person("patient"), await person("caregiver")
    grant = await delegate(client, patient, caregiver, ["record:read"])
    await client.patch(
        f"/api/patients/{patient.patient_id}", json={"sex": "female"}, headers=patient.headers
    )
    await client.delete(f"/api/me/delegations/{grant['id']}", headers=patient.headers)
    actions = [r.action for r in await audit_rows(app, actor_id=patient.id)]
    assert actions == ["login", "delegation.grant", "record.write", "delegation.revoke"]
    # Health data stays out of the audit trail: only ids and small facts.
    for row in await audit_rows(app):
        assert "female" not in (row.detail or "")
        assert patient.name not in (row.detail or "")


# ---- tamper detection -------------------------------------------------------------------------


async def append_events(session, how_many: int) -> None:
    """Append events one transaction at a time, as requests do."""
    actor, patient = uuid.uuid4(), uuid.uuid4()
    for i in range(how_many):
        audit.record(
            session, "record.read", actor_id=actor, actor_role="clinician", patient_id=patient,
            resource_type="Patient", resource_id=patient, detail={"basis": "care-relationship",
                                                                  "n": i},
        )  # fmt: skip
        await session.commit()


async def execute(app, sql: str, **params) -> None:
    async with app.state.runtime.db.engine.begin() as conn:
        await conn.execute(text(sql), params)


async def forged_row(app, seq: int, prev_hash: str) -> dict:
    """A plausible row whose own hash is right (the forger knows the algorithm)."""
    async with app.state.runtime.db.session() as session:
        template = await session.get(AuditEvent, 1)
        row = {
            c.key: getattr(template, c.key) for c in AuditEvent.__table__.columns if c.key != "hash"
        }
    row.update(seq=seq, prev_hash=prev_hash, action="record.write", actor_id=uuid.uuid4())
    row["hash"] = chain_hash(row)
    return row


async def insert_row(app, row: dict) -> None:
    async with app.state.runtime.db.session() as session:
        session.add(AuditEvent(**row))
        await session.commit()


CONTENT = "its content does not match its hash"
HEAD = "the chain's end does not match its head"
PREVIOUS = "does not follow the previous row"
TAMPERING = {
    "edited middle row": ("UPDATE audit_events SET action = 'record.nothing' WHERE seq = 3", 3,
                          CONTENT),
    "edited outcome": ("UPDATE audit_events SET outcome = 'denied' WHERE seq = 2", 2, CONTENT),
    "edited last row": ("UPDATE audit_events SET address = '10.0.0.1' WHERE seq = 5", 5, CONTENT),
    "deleted middle row": ("DELETE FROM audit_events WHERE seq = 3", 3, "row 3 is missing"),
    "deleted first row": ("DELETE FROM audit_events WHERE seq = 1", 1, "row 1 is missing"),
    "deleted last row": ("DELETE FROM audit_events WHERE seq = 5", 5, HEAD),
    "deleted every row": ("DELETE FROM audit_events", 1, HEAD),
    # A forger who recomputes the edited row's hash breaks the link to the next row.
    "rehashed edit": (None, 4, PREVIOUS),
}  # fmt: skip


@pytest.mark.parametrize("how", TAMPERING)
async def test_verify_names_the_first_bad_row(app, how):
    async with app.state.runtime.db.session() as session:
        await append_events(session, 5)
    intact = await verify_chain(app)
    assert intact.ok and intact.rows == 5 and intact.first_bad_seq is None

    sql, first_bad, reason = TAMPERING[how]
    if sql:
        await execute(app, sql)
    else:
        async with app.state.runtime.db.session() as session:
            row = await session.get(AuditEvent, 3)
            row.outcome = "success" if row.outcome != "success" else "denied"
            row.hash = chain_hash(row)
            await session.commit()
    result = await verify_chain(app)
    assert result.ok is False
    assert (result.first_bad_seq, result.reason) == (first_bad, reason), result
    assert result.rows == first_bad - 1


async def test_verify_compares_the_heads_hash_as_well_as_its_count(app):
    async with app.state.runtime.db.session() as session:
        await append_events(session, 5)
    await execute(app, "UPDATE audit_head SET hash = :h WHERE id = 1", h="f" * 64)
    result = await verify_chain(app)
    assert (result.ok, result.rows, result.first_bad_seq, result.reason) == (False, 5, 5, HEAD)
    await execute(app, "DELETE FROM audit_head")  # the head itself gone: reported, not a crash
    result = await verify_chain(app)
    assert (result.ok, result.rows, result.first_bad_seq, result.reason) == (False, 5, 5, HEAD)


async def test_verify_reads_the_chain_in_order_however_the_rows_are_stored(app):
    """PostgreSQL writes an updated row at the end of the table, so an unordered read would see
    row 2 after row 5 (SQLite keeps rows in ``seq`` order: there it passes either way)."""
    async with app.state.runtime.db.session() as session:
        await append_events(session, 5)
    await execute(app, "UPDATE audit_events SET action = action WHERE seq = 2")
    result = await verify_chain(app)
    assert (result.ok, result.rows, result.first_bad_seq) == (True, 5, None), result


async def test_verify_catches_forged_rows(app):
    async with app.state.runtime.db.session() as session:
        await append_events(session, 4)
    rows = await audit_rows(app)
    # Appended after the end without moving the head: the head no longer matches.
    await insert_row(app, await forged_row(app, 5, rows[-1].hash))
    result = await verify_chain(app)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, HEAD)

    await execute(app, "DELETE FROM audit_events WHERE seq = 5")
    assert (await verify_chain(app)).ok
    # Appended with a made-up link, and the head moved to match it.
    forged = await forged_row(app, 5, "f" * 64)
    await insert_row(app, forged)
    await execute(app, "UPDATE audit_head SET seq = 5, hash = :h WHERE id = 1", h=forged["hash"])
    result = await verify_chain(app)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, PREVIOUS)

    # A real event appended after the forgery is chained onto it; the forgery is still found.
    async with app.state.runtime.db.session() as session:
        await append_events(session, 1)
    result = await verify_chain(app)
    assert (result.ok, result.first_bad_seq) == (False, 5)


async def test_a_rolled_back_transaction_leaves_no_audit_event(app):
    async with app.state.runtime.db.session() as session:
        await append_events(session, 2)
        await session.execute(text("SELECT 1"))  # a transaction is open
        audit.record(session, "record.read", actor_id=uuid.uuid4())
        await session.rollback()
        await session.commit()
    assert await head_seq(app) == 2
    result = await verify_chain(app)
    assert result.ok and result.rows == 2


async def test_an_event_queued_before_a_rollback_is_dropped_even_without_a_transaction(app):
    async with app.state.runtime.db.session() as session:
        await append_events(session, 2)
        audit.record(session, "record.read", actor_id=uuid.uuid4())
        await session.rollback()
        await session.commit()
    assert await head_seq(app) == 2


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    """The CLI pointed at the test database, with the test key ring."""
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREVERSE_DATABASE_URL", database_url)
    monkeypatch.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    yield database_url
    crypto.install_keyring(TEST_KEYRING)


def run_sql(url: str, *statements: str) -> None:
    async def main() -> None:
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                for sql in statements:
                    await conn.execute(text(sql))
        finally:
            await db.dispose()

    asyncio.run(main())


def seed_events(url: str, how_many: int) -> None:
    async def main() -> None:
        db = Database(url)
        try:
            async with db.session() as session:
                await append_events(session, how_many)
        finally:
            await db.dispose()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("tamper", "bad_row"),
    [
        (None, None),
        ("UPDATE audit_events SET actor_role = 'admin' WHERE seq = 2", 2),
        ("DELETE FROM audit_events WHERE seq = 3", 3),
        ("DELETE FROM audit_events WHERE seq = 4", 4),
    ],
    ids=["intact", "edited", "deleted-middle", "deleted-last"],
)
def test_cli_audit_verify(cli_env, tamper, bad_row):
    seed_events(cli_env, 4)
    if tamper:
        run_sql(cli_env, tamper)
    result = runner.invoke(cli, ["audit", "verify"])
    if bad_row is None:
        assert result.exit_code == 0, result.output
        assert "intact: 4 events" in result.output
    else:
        assert result.exit_code == 1, result.output
        assert f"broken at row {bad_row}" in result.output


# ---- concurrency ------------------------------------------------------------------------------


async def test_concurrent_audited_requests_keep_the_chain_intact(app, client, person):
    patient, stranger = await person("patient"), await person("patient")
    url = f"/api/patients/{patient.patient_id}"
    fhir = f"/fhir/Patient/{patient.patient_id}"
    before = await head_seq(app)

    requests = (
        [client.get(url, headers=patient.headers) for _ in range(10)]
        + [client.get(fhir, headers=patient.headers) for _ in range(5)]
        + [client.get(url, headers=stranger.headers) for _ in range(5)]
    )
    responses = await asyncio.gather(*requests)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 15 + [404] * 5

    result = await verify_chain(app)
    assert result.ok, result
    assert result.rows == before + 20
    new = await audit_rows(app, since_seq=before)
    assert [r.seq for r in new] == list(range(before + 1, before + 21))
    assert sum(r.outcome == "denied" and r.actor_id == stranger.id for r in new) == 5


async def test_concurrent_transactions_append_in_one_order(app):
    """Many sessions committing batches at once: no gaps, no forks, every batch contiguous."""

    async def one_batch(n: int) -> None:
        async with app.state.runtime.db.session() as session:
            await session.execute(text("SELECT count(*) FROM audit_events"))
            for i in range(3):
                audit.record(session, "record.read", actor_role="batch", detail={"b": n, "i": i})
            await session.commit()

    await asyncio.gather(*(one_batch(n) for n in range(30)))
    result = await verify_chain(app)
    assert result.ok and result.rows == 90, result
    rows = await audit_rows(app)
    batches = [json.loads(r.detail)["b"] for r in rows]
    # Each transaction's events sit together, in the order they were queued.
    assert all(batches[i] == batches[i - i % 3] for i in range(90))
    assert sorted(set(batches)) == list(range(30))


async def test_two_nodes_appending_at_once_keep_one_chain(app, database_url):
    """Two engines (as two `careverse serve` nodes would have) on the same database."""
    second_node = Database(database_url)

    async def batch(db: Database, node: str, n: int) -> None:
        async with db.session() as session:
            await session.execute(text("SELECT count(*) FROM audit_head"))
            audit.record(session, "record.read", actor_role=node, detail={"n": n})
            audit.record(session, "record.read", actor_role=node, detail={"n": n})
            await session.commit()

    try:
        await asyncio.gather(
            *(batch(app.state.runtime.db, "node-1", n) for n in range(15)),
            *(batch(second_node, "node-2", n) for n in range(15)),
        )
    finally:
        await second_node.dispose()
    result = await verify_chain(app)
    assert result.ok and result.rows == 60, result
    roles = [r.actor_role for r in await audit_rows(app)]
    assert roles.count("node-1") == roles.count("node-2") == 30
