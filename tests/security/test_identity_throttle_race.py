"""The sign-in throttle holds under concurrency: at most the limit reach the password check."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "login_window_seconds": 600,
        "login_max_failures_per_account": 5,
        "login_max_failures_per_address": 1000,
    }


async def test_identity_concurrent_wrong_guesses_are_throttled_at_the_limit(client, make_account):
    account = await make_account()

    async def guess(i: int):
        return await client.post(
            "/api/auth/token", data={"username": account.email, "password": f"wrong-guess-{i}"}
        )

    answers = await asyncio.gather(*(guess(i) for i in range(40)))
    statuses = [a.status_code for a in answers]
    checked, throttled = statuses.count(401), statuses.count(429)
    assert checked + throttled == 40, statuses
    assert 1 <= checked <= 5, f"{checked} guesses reached the password check"
    # And afterwards the account stays throttled, even for the right password.
    assert (await guess(99)).status_code == 429
