"""A live server (uvicorn on loopback) for the realtime tests, with helpers to sign people in."""

from __future__ import annotations

import uuid

import httpx
import pytest

from careverse.app import create_app
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from tests.conftest import PASSWORD, TEST_KEYS
from tests.support import serve_in_thread


@pytest.fixture
def world_overrides() -> dict:
    return {"world_tick_hz": 20, "world_grace_seconds": 1.0}


@pytest.fixture
def live(database_url, tmp_path, world_overrides):
    """A real server on the test database; answers (base_url, app)."""
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, **world_overrides,
    )  # fmt: skip
    app = create_app(settings)
    with serve_in_thread(app) as url:
        yield url, app


@pytest.fixture
def person(live):
    """Create an account of a role and sign it in: answers (account_id, token)."""
    url, app = live

    async def make(role: str = "patient", name: str | None = None) -> tuple[str, str]:
        email = f"{uuid.uuid4().hex[:8]}@example.org"
        db = Database(app.state.runtime.settings.effective_database_url)
        try:
            async with db.session() as session:
                account = await IdentityService(session, app.state.runtime.settings).create_account(
                    None,
                    NewAccount(
                        email=email, role=Role(role), display_name=name or role.title(),
                        password=PASSWORD,
                    ),
                )  # fmt: skip
        finally:
            await db.dispose()
        async with httpx.AsyncClient(base_url=url) as http:
            token = await http.post(
                "/api/auth/token", data={"username": email, "password": PASSWORD}
            )
        token.raise_for_status()
        return str(account.id), token.json()["access_token"]

    return make


@pytest.fixture
def space(live):
    """Create a space as someone: answers its id."""
    url, _ = live

    async def make(
        token: str, template: str = "support-circle", access: str = "members", **extra
    ) -> str:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post(
                "/api/spaces",
                json={"name": f"{template} test", "template": template, "access": access, **extra},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    return make
