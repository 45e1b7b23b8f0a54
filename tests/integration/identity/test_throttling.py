"""Login throttling: per account and per address, with Retry-After, and relief after the window."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "login_window_seconds": 600,
        "login_max_failures_per_account": 3,
        "login_max_failures_per_address": 5,
    }


async def attempt(client, email: str, password: str):
    return await client.post("/api/auth/token", data={"username": email, "password": password})


async def test_repeated_failures_for_one_account_answer_429(client, make_account, fake_clock):
    account = await make_account()
    for _ in range(3):
        assert (await attempt(client, account.email, "wrong-password-x")).status_code == 401
    blocked = await attempt(client, account.email, PASSWORD)  # even the right password
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_attempts"
    retry_after = int(blocked.headers["Retry-After"])
    assert 1 <= retry_after <= 601
    fake_clock.advance(seconds=retry_after)
    assert (await attempt(client, account.email, PASSWORD)).status_code == 200


async def test_success_clears_the_account_counter(client, make_account):
    account = await make_account()
    for _ in range(2):
        await attempt(client, account.email, "wrong-password-x")
    assert (await attempt(client, account.email, PASSWORD)).status_code == 200
    for _ in range(2):
        assert (await attempt(client, account.email, "wrong-password-x")).status_code == 401
    assert (await attempt(client, account.email, PASSWORD)).status_code == 200


async def test_one_address_guessing_many_accounts_is_throttled(client, make_account):
    victim = await make_account()
    for i in range(5):
        await attempt(client, f"guess{i}@example.org", "wrong-password-x")
    blocked = await attempt(client, victim.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


async def test_unknown_accounts_are_throttled_like_known_ones(client):
    for _ in range(3):
        await attempt(client, "nobody@example.org", "wrong-password-x")
    assert (await attempt(client, "nobody@example.org", "wrong-password-x")).status_code == 429
