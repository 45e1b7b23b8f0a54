"""Refresh-token reuse tells the account holder by e-mail, once, with no secret in the message."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.mailbox import running_inbox, smtp_settings


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return smtp_settings(inbox)


async def grant(client, **data):
    return await client.post("/api/auth/token", data=data)


async def test_identity_refresh_reuse_mails_the_account_holder(client, make_account, inbox):
    handler, _ = inbox
    account = await make_account(email="lena@example.org")
    first = (await grant(client, username=account.email, password=PASSWORD)).json()
    holder = (
        await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    ).json()
    assert handler.messages == []  # an ordinary rotation sends nothing

    reuse = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 401
    assert len(handler.messages) == 1
    message = handler.messages[0]
    assert message["To"] == "lena@example.org"
    body = handler.bodies()[0]
    assert "ended" in body and "used again" in body
    for secret in (
        first["refresh_token"],
        first["access_token"],
        holder["refresh_token"],
        holder["access_token"],
    ):
        assert secret not in body and secret not in message["Subject"]
        assert secret.split("_", 1)[1][:16] not in body
    assert "token=" not in body and "http" not in body

    # Replaying the stolen token again does not flood the mailbox.
    again = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 401
    assert len(handler.messages) == 1
