"""Password reset by e-mail, against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, login
from tests.mailbox import running_inbox, smtp_settings


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return smtp_settings(inbox)


async def test_reset_by_email_is_single_use_and_expires(client, make_account, inbox, fake_clock):
    handler, _ = inbox
    account = await make_account(email="rosa@example.org")
    asked = await client.post("/api/auth/password-reset", json={"email": "Rosa@example.org"})
    assert asked.status_code == 202
    assert len(handler.messages) == 1
    body = handler.messages[0].get_payload(decode=True).decode()
    assert handler.messages[0]["To"] == "rosa@example.org"
    token = re.search(r"https://clinic\.example\.org/reset-password#token=(\S+)", body).group(1)

    weak = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
    )
    assert weak.status_code == 422
    new_password = "quiet-River-stone-88"
    done = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": new_password}
    )
    assert done.status_code == 204
    refused = await client.post(
        "/api/auth/token", data={"username": account.email, "password": PASSWORD}
    )
    assert refused.status_code == 401
    await login(client, account.email, new_password)

    await client.post("/api/auth/password-reset", json={"email": "rosa@example.org"})
    body = handler.messages[1].get_payload(decode=True).decode()
    late = re.search(r"#token=(\S+)", body).group(1)
    fake_clock.advance(hours=2)
    expired = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": late, "new_password": "another-Good-one-55"},
    )
    assert expired.status_code == 422


async def test_unknown_address_answers_the_same_and_sends_nothing(client, inbox):
    handler, _ = inbox
    response = await client.post("/api/auth/password-reset", json={"email": "ghost@example.org"})
    assert response.status_code == 202
    assert handler.messages == []


class TestWithoutSmtp:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {}

    async def test_explains_that_email_is_not_set_up(self, client):
        response = await client.post("/api/auth/password-reset", json={"email": "a@example.org"})
        assert response.status_code == 409
        assert response.json()["code"] == "email_not_configured"
