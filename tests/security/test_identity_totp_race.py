"""A TOTP code is accepted once, even when the same code arrives in many concurrent sign-ins."""

from __future__ import annotations

import asyncio

import pyotp
import pytest

from careverse.kernel import clock
from tests.conftest import PASSWORD


@pytest.fixture
def settings_overrides() -> dict:
    # Room for all ten sign-ins in the throttle, so only the one-time code decides.
    return {"login_max_failures_per_account": 50, "login_max_failures_per_address": 50}


async def test_identity_concurrent_sign_ins_with_one_code_succeed_once(client, signed_in):
    account, headers = await signed_in("clinician")
    started = (await client.post("/api/me/mfa/totp", headers=headers)).json()
    secret = started["secret"]
    totp = pyotp.TOTP(secret)
    confirm_code = totp.at(clock.now())
    confirmed = await client.post(
        "/api/me/mfa/totp/confirm", json={"code": confirm_code}, headers=headers
    )
    assert confirmed.status_code == 204
    # A code of the next step: not yet used, valid now as a neighbour.
    code = totp.generate_otp(totp.timecode(clock.now()) + 1)

    async def sign_in():
        return await client.post(
            "/api/auth/token", data={"username": account.email, "password": PASSWORD, "otp": code}
        )

    answers = await asyncio.gather(*(sign_in() for _ in range(10)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 1, statuses
    refused = [a.json()["code"] for a in answers if a.status_code != 200]
    assert set(refused) == {"mfa_invalid"}, refused
