"""Issue 11 ("Also"): a bounded schemathesis run as a patient, a clinician, a caregiver and an
admin — no 5xx and no response off the schema, whoever calls.

The server is real (uvicorn on loopback, SQLite). The patient has delegated to the caregiver and
is in the clinician's care, so each role reaches past the 401s and 404s into its own answers.
Every operation runs a few examples (``CAREVERSE_SCHEMATHESIS_ROLE_EXAMPLES``, default 3), each
sent as every role in turn: one test per operation, so each example is generated once rather than
once per role (the roles always got the same examples: the run is derandomized).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, note, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from careverse.app import create_app
from careverse.identity.relationships import SCOPES
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from tests.conftest import PASSWORD, TEST_KEYS
from tests.support import serve_in_thread

ROLES = ("patient", "clinician", "caregiver", "admin")
EMAILS = {role: f"four.{role}@example.org" for role in ROLES}
MAX_EXAMPLES = int(os.environ.get("CAREVERSE_SCHEMATHESIS_ROLE_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance]
# Calls that end the caller's session get a token of their own, so the rest keep working.
OWN_TOKEN = {("POST", "/api/auth/logout"), ("DELETE", "/api/auth/session")}


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> str:
    cfg = Settings(
        data_dir=tmp_path_factory.mktemp("four-roles"),
        encryption_keys=TEST_KEYS,
        log_json=False,
        login_max_failures_per_address=1_000_000,  # fuzzed sign-ins all come from loopback
    )
    crypto.install_keyring(crypto.load_keyring(cfg))

    async def seed() -> None:
        db = Database(cfg.effective_database_url)
        await db.migrate()
        async with db.session() as session:
            service = IdentityService(session, cfg)
            for role in ROLES:
                await service.create_account(
                    None,
                    NewAccount(
                        email=EMAILS[role],
                        role=Role(role),
                        display_name=f"Four {role.title()}",
                        password=PASSWORD,
                    ),
                )
        await db.dispose()

    asyncio.run(seed())
    with serve_in_thread(create_app(cfg)) as url:
        _relate(url)
        yield url


def bearer(base_url: str, role: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/auth/token", data={"username": EMAILS[role], "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _relate(url: str) -> None:
    """The patient delegates to the caregiver and is put in the clinician's care."""
    patient, admin = bearer(url, "patient"), bearer(url, "admin")
    me = httpx.get(f"{url}/api/me", headers=patient).json()
    clinician = httpx.get(f"{url}/api/me", headers=bearer(url, "clinician")).json()
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    delegation = {
        "caregiver_email": EMAILS["caregiver"],
        "scopes": sorted(SCOPES)[:10],
        "expires_at": expires,
    }
    r = httpx.post(f"{url}/api/me/delegations", json=delegation, headers=patient)
    assert r.status_code == 201, r.text
    relationship = {"clinician_id": clinician["id"], "patient_id": me["patient_id"]}
    r = httpx.post(f"{url}/api/admin/care-relationships", json=relationship, headers=admin)
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def role_headers(live_api) -> dict[str, dict[str, str]]:
    return {role: bearer(live_api, role) for role in ROLES}


def _operations() -> list:
    app = create_app(Settings(encryption_keys=TEST_KEYS, log_json=False))
    schema = schemathesis.openapi.from_dict(app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_schema_as_each_role(operation, live_api, role_headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
    )
    def call(case) -> None:
        own = (case.method.upper(), case.path) in OWN_TOKEN
        for role in ROLES:
            note(f"as the {role}")
            headers = bearer(live_api, role) if own else role_headers[role]
            case.call_and_validate(base_url=live_api, headers=headers, checks=CHECKS)

    call()
