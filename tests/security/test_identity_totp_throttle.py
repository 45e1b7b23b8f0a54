"""Wrong second-factor codes count towards the sign-in throttle: a TOTP brute force meets 429.

Someone who has the password guesses the 6-digit code. Each wrong code is a failed sign-in; after
the limit, even the right code is refused until the wait has passed.
"""

from __future__ import annotations

import pyotp
import pytest

from careverse.kernel import clock
from tests.conftest import PASSWORD

LIMIT = 4


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "login_window_seconds": 900,
        "login_max_failures_per_account": LIMIT,
        "login_lockout_seconds": 60,
        "login_max_failures_per_address": 100,
    }


async def test_identity_totp_brute_force_is_throttled(client, signed_in, fake_clock):
    account, headers = await signed_in("clinician")
    secret = (await client.post("/api/me/mfa/totp", headers=headers)).json()["secret"]
    totp = pyotp.TOTP(secret)
    confirmed = await client.post(
        "/api/me/mfa/totp/confirm", json={"code": totp.at(clock.now())}, headers=headers
    )
    assert confirmed.status_code == 204
    fake_clock.advance(seconds=60)  # a fresh step, so the right code below is unused
    right = totp.at(clock.now())
    wrong_codes = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != right][: LIMIT + 5]

    def sign_in(code: str):
        return client.post(
            "/api/auth/token", data={"username": account.email, "password": PASSWORD, "otp": code}
        )

    answers = [await sign_in(code) for code in wrong_codes]
    statuses = [a.status_code for a in answers]
    assert statuses[:LIMIT] == [401] * LIMIT, statuses
    assert {a.json()["code"] for a in answers[:LIMIT]} == {"mfa_invalid"}
    assert set(statuses[LIMIT:]) == {429}, statuses
    # The right code is refused too while the wait lasts: the guesser cannot tell it was right.
    assert (await sign_in(right)).status_code == 429


async def test_identity_asking_for_the_code_neither_counts_nor_clears_failures(
    client, signed_in, fake_clock
):
    account, headers = await signed_in("clinician")
    secret = (await client.post("/api/me/mfa/totp", headers=headers)).json()["secret"]
    code = pyotp.TOTP(secret).at(clock.now())
    confirm = await client.post("/api/me/mfa/totp/confirm", json={"code": code}, headers=headers)
    assert confirm.status_code == 204

    def sign_in(password: str):
        return client.post(
            "/api/auth/token", data={"username": account.email, "password": password}
        )

    # The right password without its code is not a failure: however often, never throttled.
    for _ in range(LIMIT + 1):
        answer = await sign_in(PASSWORD)
        assert (answer.status_code, answer.json()["code"]) == (401, "mfa_required")
    # Nor does it forget the failures recorded before it (this account's, or anyone's).
    for _ in range(LIMIT - 1):
        assert (await sign_in("wrong-password-x")).json()["code"] == "invalid_credentials"
    assert (await sign_in(PASSWORD)).json()["code"] == "mfa_required"
    assert (await sign_in("wrong-password-x")).json()["code"] == "invalid_credentials"
    assert (await sign_in(PASSWORD)).status_code == 429
