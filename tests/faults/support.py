"""Helpers of the fault tests: nodes of one clinic, the world client's view, readiness."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx

from careverse.app import create_app
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.conftest import PASSWORD, TEST_KEYS


def node_app(database_url: str, data_dir: Path, **overrides):
    """An app of one node of the clinic (tests/support.py serve_in_thread serves it)."""
    settings = Settings(
        data_dir=data_dir, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, world_tick_hz=20, world_grace_seconds=1.0,
        **overrides,
    )  # fmt: skip
    return create_app(settings)


async def status(url: str, path: str, headers: dict | None = None) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return (await http.get(path, headers=headers)).status_code


async def ready(url: str) -> bool:
    return await status(url, "/readyz") == 200


async def present(url: str, token: str, space_id: str) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        r = await http.get(f"/api/spaces/{space_id}", headers={"Authorization": f"Bearer {token}"})
        r.raise_for_status()
        return r.json()["present"]


async def sees(client: WorldClient, predicate, timeout: float = 30) -> None:
    """Until ``predicate()`` holds of the client's view (its avatars), reading what comes."""
    deadline = time.monotonic() + timeout
    while not predicate():
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the client's view never got there")
        try:
            await client.receive(timeout=min(left, 1.0))
        except TimeoutError:
            continue


async def drain(client: WorldClient, seconds: float) -> list[proto.ServerMessage]:
    """Everything the client receives during ``seconds``."""
    got: list[proto.ServerMessage] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            got.append(await client.receive(timeout=left))
        except TimeoutError:
            break
    return got


async def chats(client: WorldClient, text: str, seconds: float) -> int:
    """How many times ``text`` arrives as chat during ``seconds``."""
    return sum(
        1 for m in await drain(client, seconds) if isinstance(m, proto.ChatOut) and m.text == text
    )


async def until_chat_crosses(sender: WorldClient, receiver: WorldClient, timeout: float = 60):
    """Send probes until one crosses (the bus may need a moment to resubscribe)."""
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n += 1
        await sender.chat(f"probe {n}")
        for m in await drain(receiver, 1.0):
            if isinstance(m, proto.ChatOut) and m.text.startswith("probe"):
                return
        await asyncio.sleep(0)
    raise AssertionError("chat never crossed the nodes again")


async def sign_up(url: str, database_url: str, role: str, name: str) -> tuple[str, str]:
    """An account made through the identity service, signed in at ``url``: (id, token)."""
    settings = Settings(database_url=database_url, encryption_keys=TEST_KEYS)
    crypto.install_keyring(crypto.load_keyring(settings))
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    db = Database(database_url)
    try:
        async with db.session() as session:
            account = await IdentityService(session, settings).create_account(
                None,
                NewAccount(email=email, role=Role(role), display_name=name, password=PASSWORD),
            )
    finally:
        await db.dispose()
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    r.raise_for_status()
    return str(account.id), r.json()["access_token"]


async def new_space(url: str, token: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        r = await http.post(
            "/api/spaces",
            json={"name": "Fault circle", "template": "support-circle", "access": "members"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 201, r.text
    return r.json()["id"]
