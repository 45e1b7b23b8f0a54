"""Fixtures: every storage test runs on SQLite and on PostgreSQL, each test on a clean database."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis.asyncio as aioredis
from argon2 import PasswordHasher
from fastapi import routing
from fastapi.dependencies import utils
from sqlalchemy import text
from sqlalchemy.engine import make_url

from careverse.app import create_app
from careverse.identity import passwords
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import clock, crypto
from careverse.kernel.audit import GENESIS
from careverse.kernel.config import Settings
from careverse.kernel.db import Base, Database
from careverse.kernel.logging import configure_logging
from careverse.kernel.policy import Role

REQUIRE_SERVICES = os.environ.get("CAREVERSE_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get(
    "CAREVERSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

# Parallel runs (pytest-xdist, docs/testing.md): each worker process (``gw0``, ``gw1``…) gets a
# Redis database of its own, counted down from the configured one (15, 14…: Redis has 16,
# numbered 0 to 15, and 0 is the production default). Serial runs use the configured one.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER.startswith("gw") else 0


def _worker_redis_url(url: str, index: int) -> str:
    """``url`` with its database number moved down by ``index``."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base - index < 0:
        raise pytest.UsageError(
            f"CAREVERSE_TEST_REDIS_URL={url}: no Redis database {base - index} for xdist worker "
            f"{index}; start from a higher database number (each worker counts down from it)"
        )
    return urlunsplit(parts._replace(path=f"/{base - index}"))


REDIS_URL = _worker_redis_url(
    os.environ.get("CAREVERSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), WORKER_INDEX
)
PASSWORD = "correct-Horse-battery-9"
# One fixed key ring for the whole run, so the shared PostgreSQL database stays readable.
TEST_KEYRING = crypto.KeyRing.generate()
TEST_KEYS = ",".join(
    [f"{kid}:{crypto._b64e(key)}" for kid, key in TEST_KEYRING.keys.items()]
    + [f"index:{crypto._b64e(TEST_KEYRING.index_key)}"]
)


# Argon2 at the cheapest parameters for the whole run: the production ones (RFC 9106 low-memory,
# 64 MiB) cost 0.1 s a hash on a quiet machine and over a second on a loaded 2-core one, and every
# account created or signed in pays it (fixtures, fuzzed sign-ins, the browser tests' server, see
# tests/e2e/support.py). The code path stays the real one; tests of the hashing itself ask for
# ``production_password_hashing``.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_PRODUCTION_HASHING = (passwords._hasher, passwords._DUMMY_HASH)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing_for_the_run() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP_HASHER)
        patch.setattr(passwords, "_DUMMY_HASH", CHEAP_HASHER.hash("careverse-dummy-password"))
        yield


@pytest.fixture
def production_password_hashing(monkeypatch) -> None:
    """The production hasher and its timing dummy, for the tests of password hashing."""
    monkeypatch.setattr(passwords, "_hasher", _PRODUCTION_HASHING[0])
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _PRODUCTION_HASHING[1])


# Every test that uses ``app`` builds a node, and FastAPI analyses each of its ~320 routes again
# when it is included (the signature of every endpoint and dependency, string annotations
# evaluated): most of ``create_app``'s 0.2 to 0.6 s. The routers and their functions are the same
# module-level objects in every node of the run, and a signature (immutable) is a function of the
# function alone, so the run remembers each one: the analysis FastAPI does with it is unchanged.
def _memoize_route_analysis() -> None:
    for module, name in (
        (utils, "_get_signature"),
        (utils, "get_typed_signature"),
        (routing, "get_typed_return_annotation"),
    ):
        original = getattr(module, name)
        if getattr(original, "careverse_memo", False):
            continue
        known: dict = {}

        def remembered(call, _original=original, _known=known):
            try:
                return _known[call]
            except KeyError:
                _known[call] = answer = _original(call)
                return answer
            except TypeError:  # an unhashable callable (an instance with __eq__): not kept
                return _original(call)

        remembered.careverse_memo = True  # type: ignore[attr-defined]
        setattr(module, name, remembered)


_memoize_route_analysis()


def service_unavailable(what: str, exc: BaseException) -> None:
    """Skip when a service is missing, or fail when CAREVERSE_REQUIRE_SERVICES=1 (CI)."""
    message = f"{what} is unreachable: {type(exc).__name__}: {exc}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (CAREVERSE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the PostgreSQL server, migrated once, dropped at the end (one per
    xdist worker: the session fixtures run in each worker process)."""
    name = f"careverse_test_{WORKER or 'serial'}_{uuid.uuid4().hex[:10]}"
    admin_url = POSTGRES_URL

    async def admin(sql: str) -> None:
        import asyncpg

        url = make_url(admin_url)
        conn = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            database=url.database,
            password=url.password,
            timeout=5,
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        service_unavailable("PostgreSQL", exc)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        db = Database(url)
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    asyncio.run(_install_reset(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# Truncating every table costs about as much as the test itself (67 tables: ~0.3 s quiet, more
# under load), and most tests touch a handful: the function truncates only those with rows.
_RESET_FUNCTION = """
CREATE OR REPLACE FUNCTION careverse_test_reset(tables text[]) RETURNS void AS $$
DECLARE t text; dirty text[] := '{}'; has boolean;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO has;
    IF has THEN dirty := dirty || format('%I', t); END IF;
  END LOOP;
  IF array_length(dirty, 1) > 0 THEN
    EXECUTE 'TRUNCATE ' || array_to_string(dirty, ', ') || ' RESTART IDENTITY CASCADE';
  END IF;
END $$ LANGUAGE plpgsql
"""


async def _install_reset(url: str) -> None:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.execute(text(_RESET_FUNCTION))
    await db.dispose()


async def _asyncpg_connect(url: str):
    import asyncpg

    parts = make_url(url)
    return await asyncpg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        database=parts.database,
        password=parts.password,
        timeout=30,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "careverse.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database: a copy of the SQLite template, or truncated PostgreSQL tables."""
    if request.param == "sqlite":
        target = tmp_path / "careverse.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite+aiosqlite:///{target}"
    url = request.getfixturevalue("postgres_url")

    async def truncate() -> None:
        # asyncpg itself, not an engine: SQLAlchemy's first connection asks the server a few
        # questions (version, settings) before the reset's two statements.
        tables = [t.name for t in Base.metadata.sorted_tables]
        conn = await _asyncpg_connect(url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT careverse_test_reset($1::text[])", tables)
                # What the migrations seed, the truncation must restore: the audit chain's genesis.
                await conn.execute(
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1)", GENESIS
                )
        finally:
            await conn.close()

    asyncio.run(truncate())
    return url


@pytest.fixture
def json_logs(capfd):
    """The production log pipeline (JSON on stderr) for one test; call the answer to read it."""
    configure_logging("INFO", json=True)
    capfd.readouterr()
    yield lambda: capfd.readouterr().err
    logging.getLogger().handlers.clear()


class FakeClock:
    """A clock the test moves by hand (and, once installed with ``clock.set_sleep(fake.sleep)``,
    the background loops' waits too: see the ``fake_schedule`` fixture)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.naps = 0  # how many waits background loops have begun on this clock

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        """A loop's wait: until the test has moved the clock ``seconds`` past its start."""
        self.naps += 1
        until = self.now + timedelta(seconds=seconds)
        # Polled, not an Event: the test may move the clock from another thread's loop.
        while self.now < until:  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    async def settle(self, naps: int, timeout: float = 30.0) -> None:
        """Until background loops have begun ``naps`` waits in all: ``fake.naps + n`` taken
        before a move means n rounds of the loops' work have finished since."""
        async with asyncio.timeout(timeout):
            while self.naps < naps:  # noqa: ASYNC110
                await asyncio.sleep(0.005)


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    fake = FakeClock()
    clock.set_clock(fake)
    yield fake
    clock.set_clock(None)


@pytest.fixture
def fake_schedule(fake_clock) -> Iterator[FakeClock]:
    """The fake clock paces the background loops too: they wake when the test moves it."""
    clock.set_sleep(fake_clock.sleep)
    yield fake_clock
    clock.set_sleep(None)


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module (or parametrize) to change settings for its app."""
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_overrides: dict) -> Settings:
    values = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "encryption_keys": TEST_KEYS,
        "migrate_on_start": False,
        "log_json": False,
        **settings_overrides,
    }
    return Settings(**values)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make_account(app):
    """Create an account of any role directly through the service; answers the account."""

    async def make(
        role: Role | str = Role.PATIENT,
        email: str | None = None,
        name: str = "Test Person",
        password: str = PASSWORD,
    ):
        async with app.state.runtime.db.session() as session:
            service = IdentityService(session, app.state.runtime.settings)
            return await service.create_account(
                None,
                NewAccount(
                    email=email or f"{uuid.uuid4().hex[:8]}@example.org",
                    role=Role(role),
                    display_name=name,
                    password=password,
                ),
            )

    return make


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra) -> dict:
    """Sign in with the OAuth2 password grant; answers the Authorization header."""
    response = await client.post(
        "/api/auth/token", data={"username": email, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def signed_in(client, make_account):
    """Create an account of a role and sign it in: answers (account, headers)."""

    async def sign_in(role: Role | str = Role.PATIENT, **kw):
        account = await make_account(role, **kw)
        return account, await login(client, account.email)

    return sign_in


@pytest.fixture
def redis_url() -> str:
    """The test Redis (``CAREVERSE_TEST_REDIS_URL``), checked to answer: for tests that run two
    nodes sharing it; skips, or fails under ``CAREVERSE_REQUIRE_SERVICES=1``, when it is away."""

    async def ping() -> None:
        client = aioredis.from_url(REDIS_URL)
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        service_unavailable("Redis", exc)
    return REDIS_URL


# `make test` runs the suite in two passes (docs/testing.md): everything but the browser tests on
# pytest-xdist workers, then the browser tests (tests/e2e) serially. They cannot share a process
# with the others: Playwright's sync API keeps an event loop running in the main thread, after
# which no async test (nor ``asyncio.run``) works; and each drives a server subprocess and
# Chromium, too heavy beside two busy workers on two cores.
E2E_DIR = Path(__file__).resolve().parent / "e2e"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--browser-tests",
        choices=("with", "without", "only"),
        default="with",
        help="with (default): every selected test; without: leave out the browser tests "
        "(tests/e2e, marker e2e), the parallel pass of `make test`; only: the browser tests "
        "alone, its serial pass. A pass that selects nothing succeeds.",
    )


def _in_e2e(path: Path) -> bool:
    return path == E2E_DIR or E2E_DIR in path.parents


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Not even collected (imported) when the pass leaves them out: it saves each worker the
    browser tests' imports, and the browser pass everyone else's (minutes on a busy machine)."""
    mode = config.getoption("browser_tests")
    path = collection_path.resolve()
    if mode == "without" and _in_e2e(path):
        return True
    if mode == "only" and not _in_e2e(path) and path not in E2E_DIR.parents:
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The same split by marker, for paths given on the command line."""
    mode = config.getoption("browser_tests")
    if mode == "with":
        return
    keep, drop = [], []
    for item in items:
        browser = item.get_closest_marker("e2e") is not None
        (keep if browser == (mode == "only") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A pass with nothing to run (``make test PYTEST_ARGS=tests/unit`` has no browser tests)
    succeeds rather than failing with "no tests collected"."""
    if (
        session.config.getoption("browser_tests") != "with"
        and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        session.exitstatus = pytest.ExitCode.OK
