"""An attacker guessing from one address cannot lock the owner out from another.

Failures are counted per account-and-address (a wait that doubles with each further failure),
per address, and per account across all addresses (a much higher ceiling). Throttled attempts
are audited.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from careverse.kernel.audit import AuditEvent
from tests.conftest import PASSWORD

LIMIT, FIRST_WAIT, WINDOW, CEILING = 3, 60, 900, 7


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "login_window_seconds": WINDOW,
        "login_max_failures_per_account": LIMIT,
        "login_lockout_seconds": FIRST_WAIT,
        "login_max_failures_per_account_all_addresses": CEILING,
        "login_max_failures_per_address": 50,
    }


@pytest.fixture
def from_address(app):
    """A client whose requests come from ``address``."""

    @contextlib.asynccontextmanager
    async def open_client(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return open_client


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": email, "password": password})


async def test_identity_guesses_from_one_address_do_not_lock_out_another(
    client, from_address, make_account
):
    owner = await make_account()
    for _ in range(LIMIT):
        assert (await attempt(client, owner.email, "wrong-password-x")).status_code == 401
    assert (await attempt(client, owner.email, PASSWORD)).status_code == 429
    async with from_address("198.51.100.20") as home:
        assert (await attempt(home, owner.email, PASSWORD)).status_code == 200
    # The owner's success elsewhere does not lift the attacker's wait.
    assert (await attempt(client, owner.email, "wrong-password-x")).status_code == 429


async def test_identity_the_wait_grows_with_each_further_failure(client, make_account, fake_clock):
    account = await make_account()
    for _ in range(LIMIT):
        await attempt(client, account.email, "wrong-password-x")
    waits = []
    for _ in range(6):
        blocked = await attempt(client, account.email, "wrong-password-x")
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "too_many_attempts"
        waits.append(int(blocked.headers["Retry-After"]))
        fake_clock.advance(seconds=waits[-1])
        assert (await attempt(client, account.email, "wrong-password-x")).status_code == 401
    assert waits[:4] == [FIRST_WAIT + 1, 2 * FIRST_WAIT + 1, 4 * FIRST_WAIT + 1, 8 * FIRST_WAIT + 1]
    assert all(w <= WINDOW + 1 for w in waits), waits  # never longer than the window
    # Once the wait has passed, the right password works.
    blocked = await attempt(client, account.email, PASSWORD)
    fake_clock.advance(seconds=int(blocked.headers["Retry-After"]))
    assert (await attempt(client, account.email, PASSWORD)).status_code == 200


async def test_identity_many_addresses_meet_the_account_ceiling(client, from_address, make_account):
    account = await make_account()
    for n in range(CEILING):
        async with from_address(f"198.51.100.{n + 1}") as other:
            assert (await attempt(other, account.email, "wrong-password-x")).status_code == 401
    async with from_address("192.0.2.200") as fresh:
        blocked = await attempt(fresh, account.email, PASSWORD)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= WINDOW + 1


async def test_identity_throttled_sign_ins_are_audited(client, app, make_account):
    account = await make_account()
    for _ in range(LIMIT):
        await attempt(client, account.email, "wrong-password-x")
    assert (await attempt(client, account.email, PASSWORD)).status_code == 429
    assert (await attempt(client, "nobody@example.org", "x-wrong")).status_code == 401
    async with app.state.runtime.db.session() as session:
        events = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "login.throttled"))
        ).all()
    assert len(events) == 1
    event = events[0]
    assert event.outcome == "denied"
    assert event.actor_id == account.id
    assert event.address == "203.0.113.7"
    assert PASSWORD not in (event.detail or "")
