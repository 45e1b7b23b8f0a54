"""A bounded schemathesis run over the OpenAPI schema: no 5xx, no response off the schema.

The server is real (uvicorn on loopback, SQLite). Calls carry an admin's token, so the admin
endpoints are explored beyond their 401s; logout gets a token of its own so the rest keep working.
"""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from careverse.app import create_app
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from tests.conftest import PASSWORD, TEST_KEYS
from tests.support import serve_in_thread

ADMIN = "schema.admin@example.org"
# 12 examples an operation: about 3,300 calls over 273 operations (and the four roles' run,
# tests/security/test_schema_four_roles.py, sends 3 more as each role). It was 25, at twice the
# time: set CAREVERSE_SCHEMATHESIS_EXAMPLES=25 (or more) for a deeper run.
MAX_EXAMPLES = int(os.environ.get("CAREVERSE_SCHEMATHESIS_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> str:
    data_dir = tmp_path_factory.mktemp("schema")
    # Fuzzed sign-ins all come from one address; throttle per account only, as a clinic NAT would.
    cfg = Settings(
        data_dir=data_dir,
        encryption_keys=TEST_KEYS,
        log_json=False,
        login_max_failures_per_address=1_000_000,
    )
    crypto.install_keyring(crypto.load_keyring(cfg))

    async def seed() -> None:
        db = Database(cfg.effective_database_url)
        await db.migrate()
        async with db.session() as session:
            await IdentityService(session, cfg).create_account(
                None,
                NewAccount(email=ADMIN, role=Role.ADMIN, display_name="Admin", password=PASSWORD),
            )
        await db.dispose()

    asyncio.run(seed())
    with serve_in_thread(create_app(cfg)) as url:
        yield url


def bearer(base_url: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/auth/token", data={"username": ADMIN, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def admin_headers(live_api) -> dict[str, str]:
    return bearer(live_api)


def _operations() -> list:
    # The schema comes from the app's own routes; no server is needed to enumerate them.
    app = create_app(Settings(encryption_keys=TEST_KEYS, log_json=False))
    schema = schemathesis.openapi.from_dict(app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api_conforms_to_its_schema(operation, live_api, admin_headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
    )
    def call(case) -> None:
        headers = bearer(live_api) if case.path == "/api/auth/logout" else admin_headers
        if case.path == "/api/auth/session" and case.method == "DELETE":
            headers = bearer(live_api)
        case.call_and_validate(base_url=live_api, headers=headers, checks=CHECKS)

    call()
