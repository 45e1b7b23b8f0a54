"""TOTP two-step sign-in: enrolment, sign-in with a code, replay refusal, and the mandatory mode."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from careverse.kernel import clock
from tests.conftest import PASSWORD, login


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now())


async def enrol(client, headers) -> str:
    started = await client.post("/api/me/mfa/totp", headers=headers)
    assert started.status_code == 201
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/Careverse")
    confirmed = await client.post(
        "/api/me/mfa/totp/confirm", json={"code": code_for(body["secret"])}, headers=headers
    )
    assert confirmed.status_code == 204, confirmed.text
    return body["secret"]


async def test_clinician_enrols_and_then_needs_a_code(client, signed_in, fake_clock):
    account, headers = await signed_in("clinician")
    secret = await enrol(client, headers)
    assert (await client.get("/api/me", headers=headers)).json()["mfa_enabled"] is True
    again = await client.post("/api/me/mfa/totp", headers=headers)
    assert again.status_code == 409
    assert again.json() == {
        "detail": "Two-step sign-in is already on.",
        "code": "mfa_already_enabled",
    }

    fake_clock.advance(seconds=30)
    no_code = await client.post(
        "/api/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert no_code.status_code == 401
    assert no_code.json()["code"] == "mfa_required"
    wrong = await client.post(
        "/api/auth/token", data={"username": account.email, "password": PASSWORD, "otp": "000000"}
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "mfa_invalid"
    code = code_for(secret)
    await login(client, account.email, otp=code)
    replay = await client.post(
        "/api/auth/token", data={"username": account.email, "password": PASSWORD, "otp": code}
    )
    assert replay.status_code == 401 and replay.json()["code"] == "mfa_invalid"
    fake_clock.advance(seconds=30)
    await login(client, account.email, otp=code_for(secret))


async def test_one_persons_code_uses_up_a_step_for_them_only(client, signed_in, fake_clock):
    first, first_headers = await signed_in("clinician")
    second, second_headers = await signed_in("clinician")
    await signed_in("patient")  # someone without two-step sign-in
    secrets = [await enrol(client, first_headers), await enrol(client, second_headers)]
    fake_clock.advance(seconds=30)
    # Both sign in with their codes of the same step: one's claim does not spend the other's.
    for account, secret in zip((first, second), secrets, strict=True):
        await login(client, account.email, otp=code_for(secret))


async def test_confirming_with_a_wrong_code_keeps_mfa_off(client, signed_in):
    _, headers = await signed_in("admin")
    await client.post("/api/me/mfa/totp", headers=headers)
    bad = await client.post("/api/me/mfa/totp/confirm", json={"code": "123456"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "That code is not right; check your device's clock.",
                "type": "mfa_invalid",
            }
        ],
        "code": "mfa_invalid",
    }
    malformed = await client.post(
        "/api/me/mfa/totp/confirm", json={"code": "12ab"}, headers=headers
    )
    assert malformed.status_code == 422
    assert (await client.get("/api/me", headers=headers)).json()["mfa_enabled"] is False


async def test_disable_needs_a_current_code(client, signed_in, fake_clock):
    _, headers = await signed_in("patient")
    secret = await enrol(client, headers)
    fake_clock.advance(seconds=30)
    wrong = await client.post("/api/me/mfa/totp/disable", json={"code": "000000"}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json() == {
        "detail": [
            {"loc": ["body", "code"], "msg": "That code is not right.", "type": "mfa_invalid"}
        ],
        "code": "mfa_invalid",
    }
    ok = await client.post(
        "/api/me/mfa/totp/disable", json={"code": code_for(secret)}, headers=headers
    )
    assert ok.status_code == 204
    assert (await client.get("/api/me", headers=headers)).json()["mfa_enabled"] is False
    again = await client.post("/api/me/mfa/totp/disable", json={"code": "000000"}, headers=headers)
    assert again.status_code == 409
    assert again.json() == {"detail": "Two-step sign-in is not on.", "code": "mfa_not_enabled"}


async def test_a_clinician_may_turn_it_off_where_it_is_not_required(client, signed_in, fake_clock):
    # mfa_required is off (the default): the role alone does not make it mandatory.
    _, headers = await signed_in("clinician")
    secret = await enrol(client, headers)
    fake_clock.advance(seconds=30)
    ok = await client.post(
        "/api/me/mfa/totp/disable", json={"code": code_for(secret)}, headers=headers
    )
    assert ok.status_code == 204


class TestMandatory:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"mfa_required": True}

    async def test_admin_without_mfa_can_only_enrol(self, client, signed_in, fake_clock):
        _, headers = await signed_in("admin")
        me = (await client.get("/api/me", headers=headers)).json()
        assert me["mfa_enrolment_required"] is True
        blocked = await client.get("/api/admin/accounts", headers=headers)
        assert blocked.status_code == 403
        assert blocked.json()["code"] == "mfa_enrolment_required"
        secret = await enrol(client, headers)
        assert (await client.get("/api/admin/accounts", headers=headers)).status_code == 200
        fake_clock.advance(seconds=30)
        refused = await client.post(
            "/api/me/mfa/totp/disable", json={"code": code_for(secret)}, headers=headers
        )
        assert refused.status_code == 403 and refused.json() == {
            "detail": "Two-step sign-in is required for your role.",
            "code": "mfa_mandatory",
        }

    async def test_patients_are_not_forced(self, client, signed_in):
        _, headers = await signed_in("patient")
        assert (await client.get("/api/me", headers=headers)).json()[
            "mfa_enrolment_required"
        ] is False


async def test_the_enrolment_uri_names_the_account_the_issuer_and_the_secret(client, signed_in):
    account, headers = await signed_in("patient")
    started = (await client.post("/api/me/mfa/totp", headers=headers)).json()
    uri = urlsplit(started["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/Careverse:{account.email}"
    query = parse_qs(uri.query)
    assert query["secret"] == [started["secret"]] and query["issuer"] == ["Careverse"]
    assert len(started["secret"]) == 32  # base32, 160 bits


async def test_confirming_before_starting_is_refused(client, signed_in):
    _, headers = await signed_in("patient")
    early = await client.post("/api/me/mfa/totp/confirm", json={"code": "123456"}, headers=headers)
    assert early.status_code == 409
    assert early.json() == {"detail": "Start enrolment first.", "code": "mfa_not_started"}
    assert (await client.get("/api/me", headers=headers)).json()["mfa_enabled"] is False
