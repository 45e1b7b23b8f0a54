"""A person's language: set on their own account (``PATCH /api/me``), and the e-mails identity
sends them written in it (kernel/locales catalogues)."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from tests.conftest import login
from tests.mailbox import running_inbox, smtp_settings

EMAIL, PASSWORD = "leila.haddad@example.org", "blue-Kettle-morning-42"


def registration(**overrides) -> dict:
    body = {
        "email": EMAIL, "password": PASSWORD, "display_name": "Leila Haddad", "role": "patient",
        "preferred_language": "ar",
    }  # fmt: skip
    body.update(overrides)
    return body


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def test_a_person_sets_and_clears_their_language(client):
    assert (await client.post("/api/auth/register", json=registration())).status_code == 202
    headers = await login(client, EMAIL, PASSWORD)
    assert (await client.get("/api/me", headers=headers)).json()["preferred_language"] == "ar"

    changed = await client.patch("/api/me", json={"preferred_language": "zh-Hans"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["preferred_language"] == "zh-Hans"
    assert (await client.get("/api/me", headers=headers)).json()["preferred_language"] == "zh-Hans"

    cleared = await client.patch("/api/me", json={"preferred_language": None}, headers=headers)
    assert cleared.json()["preferred_language"] is None


@pytest.mark.parametrize(
    "body",
    [{"preferred_language": "not a tag!"}, {"preferred_language": "x" * 40}, {"role": "admin"}],
)
async def test_a_bad_language_is_refused_and_changes_nothing(client, body):
    await client.post("/api/auth/register", json=registration())
    headers = await login(client, EMAIL, PASSWORD)
    refused = await client.patch("/api/me", json=body, headers=headers)
    assert refused.status_code == 422
    assert (await client.get("/api/me", headers=headers)).json()["preferred_language"] == "ar"


async def test_signed_out_no_one_sets_a_language(client):
    assert (await client.patch("/api/me", json={"preferred_language": "fr"})).status_code == 401


class TestE_mailsAreInTheRecipientsLanguage:
    @pytest.fixture
    def inbox(self):
        with running_inbox() as box:
            yield box

    @pytest.fixture
    def settings_overrides(self, inbox) -> dict:
        return smtp_settings(inbox)

    async def test_sign_up_and_reset_mails_follow_the_account_s_language(self, client, inbox):
        handler, _ = inbox
        await client.post("/api/auth/register", json=registration())
        # Someone else signs up with her address, in English: she is told in Arabic.
        await client.post("/api/auth/register", json=registration(preferred_language="en"))
        assert subject(handler.messages[-1]) == "حاول أحدهم التسجيل في Careverse باستخدام عنوانك"
        assert "لم يُنشأ أي حساب جديد" in handler.bodies()[-1]

        headers = await login(client, EMAIL, PASSWORD)
        await client.patch("/api/me", json={"preferred_language": "es-MX"}, headers=headers)
        asked = await client.post("/api/auth/password-reset", json={"email": EMAIL})
        assert asked.status_code == 202, asked.text
        assert subject(handler.messages[-1]) == "Restablezca su contraseña de Careverse"
        body = handler.bodies()[-1]
        assert "abra este enlace en un plazo de" in body
        assert "https://clinic.example.org/" in body

        await client.patch("/api/me", json={"preferred_language": "tlh"}, headers=headers)
        await client.post("/api/auth/password-reset", json={"email": EMAIL})
        # A language with no catalogue: English.
        assert subject(handler.messages[-1]) == "Reset your Careverse password"
