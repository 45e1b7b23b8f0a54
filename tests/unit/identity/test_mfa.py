"""TOTP codes: the current step or a neighbour, never the same step twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from careverse.identity.mfa import accept_otp
from careverse.identity.models import Account
from careverse.kernel import clock

NOW = datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def test_current_and_neighbouring_steps_are_accepted_once():
    secret = pyotp.random_base32()
    account = Account(totp_last_counter=None)
    assert accept_otp(account, secret, code_at(secret, NOW - timedelta(seconds=30)))
    assert accept_otp(account, secret, code_at(secret, NOW))
    assert not accept_otp(account, secret, code_at(secret, NOW))  # replayed
    assert not accept_otp(account, secret, code_at(secret, NOW - timedelta(seconds=30)))
    assert accept_otp(account, secret, code_at(secret, NOW + timedelta(seconds=30)))
    assert account.totp_last_counter == pyotp.TOTP(secret).timecode(NOW) + 1


def test_far_codes_and_missing_secrets_are_refused():
    secret = pyotp.random_base32()
    account = Account(totp_last_counter=None)
    assert not accept_otp(account, secret, code_at(secret, NOW + timedelta(minutes=5)))
    assert not accept_otp(account, None, code_at(secret, NOW))
    assert account.totp_last_counter is None
