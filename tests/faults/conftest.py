"""Fixtures of the fault tests: private service instances the tests may stop, kill and restart."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from careverse.kernel.db import Database
from tests.conftest import service_unavailable
from tests.faults.services import PrivateMosquitto, PrivatePostgres, PrivateRedis, missing
from tests.integration.privacy.support import cheap_password_hashing

__all__ = ["cheap_password_hashing"]


def _require_binaries() -> None:
    """Skip without the servers' binaries (fail under CAREVERSE_REQUIRE_SERVICES=1, as in CI)."""
    why = missing()
    if why:
        service_unavailable("A private service", FileNotFoundError(why))


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of the fault tests alone (made once per session)."""
    _require_binaries()
    cluster = PrivatePostgres()
    cluster.start()
    yield cluster
    cluster.remove()


TEMPLATE = "faults_template"


@pytest.fixture(scope="session")
def _migrated_template(private_postgres: PrivatePostgres) -> str:
    """A database migrated once on the private cluster, copied for each test (``CREATE DATABASE
    ... TEMPLATE``): the migrations ran per test before, the group's longest step."""
    private_postgres.ensure_running()

    async def create() -> None:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=private_postgres.port, user="postgres", database="postgres"
        )
        try:
            await conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
        finally:
            await conn.close()
        db = Database(private_postgres.url(TEMPLATE))
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(create())
    return TEMPLATE


@pytest.fixture
def private_postgres_url(private_postgres: PrivatePostgres, _migrated_template: str) -> str:
    """A fresh, migrated database on the private cluster (which is started if a test left it
    stopped)."""
    private_postgres.ensure_running()
    name = f"faults_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=private_postgres.port, user="postgres", database="postgres"
        )
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated_template}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return private_postgres.url(name)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    _require_binaries()
    server = PrivateRedis()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def private_mosquitto() -> Iterator[PrivateMosquitto]:
    _require_binaries()
    broker = PrivateMosquitto()
    broker.start()
    yield broker
    broker.remove()
