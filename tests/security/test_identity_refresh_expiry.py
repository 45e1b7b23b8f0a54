"""An expired refresh token is refused, even though its session was never revoked."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

REFRESH_TTL = 3600


@pytest.fixture
def settings_overrides() -> dict:
    return {"refresh_token_ttl_seconds": REFRESH_TTL, "access_token_ttl_seconds": 60}


async def refresh(client, token: str):
    return await client.post(
        "/api/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


async def test_identity_expired_refresh_token_is_refused(client, make_account, fake_clock):
    account = await make_account()
    first = await client.post(
        "/api/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert first.status_code == 200
    # Within its lifetime, the refresh token works (and rotates).
    fake_clock.advance(seconds=REFRESH_TTL - 5)
    rotated = await refresh(client, first.json()["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    # The rotated token lives REFRESH_TTL from its own issue; one second past it, it is refused.
    fake_clock.advance(seconds=REFRESH_TTL + 1)
    late = await refresh(client, rotated.json()["refresh_token"])
    assert late.status_code == 401
    assert late.json()["code"] == "invalid_grant"
    assert "access_token" not in late.json()
