"""Sign-up: who may register, the password policy, bad input that changes nothing, and an
answer that does not say whether an address already has an account."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careverse.identity.models import Account, Patient
from tests.conftest import login
from tests.mailbox import running_inbox, smtp_settings


async def count_accounts(app) -> int:
    async with app.state.runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Account))


def registration(**overrides) -> dict:
    body = {
        "email": "amara.nwosu@example.org",
        "password": "blue-Kettle-morning-42",
        "display_name": "Amara Nwosu",
        "role": "patient",
        "birth_date": "1958-03-14",
        "preferred_language": "en",
    }
    body.update(overrides)
    return body


async def test_patient_registers_and_gets_a_patient_record(client, app):
    response = await client.post("/api/auth/register", json=registration())
    assert response.status_code == 202, response.text
    headers = await login(client, "amara.nwosu@example.org", "blue-Kettle-morning-42")
    me = (await client.get("/api/me", headers=headers)).json()
    assert me["patient_id"]
    async with app.state.runtime.db.session() as session:
        patient = await session.get(Patient, __import__("uuid").UUID(me["patient_id"]))
        assert patient.name == "Amara Nwosu"
        assert patient.birth_date == "1958-03-14"
        assert str(patient.account_id) == me["id"]


async def test_caregiver_registers_without_a_patient_record(client):
    response = await client.post(
        "/api/auth/register", json=registration(role="caregiver", birth_date=None)
    )
    assert response.status_code == 202
    headers = await login(client, "amara.nwosu@example.org", "blue-Kettle-morning-42")
    assert (await client.get("/api/me", headers=headers)).json()["patient_id"] is None


@pytest.mark.parametrize("role", ["clinician", "admin", "moderator", "researcher"])
async def test_privileged_roles_cannot_self_register(client, app, role):
    response = await client.post("/api/auth/register", json=registration(role=role))
    assert response.status_code == 422
    assert await count_accounts(app) == 0


async def test_email_is_unique_ignoring_case(client, app):
    assert (await client.post("/api/auth/register", json=registration())).status_code == 202
    again = await client.post(
        "/api/auth/register",
        json=registration(
            email="Amara.NWOSU@Example.org", display_name="Someone Else", password="other-Pw-77x"
        ),
    )
    assert again.status_code == 202
    assert await count_accounts(app) == 1
    # The first account is untouched: its password still works, the second one does not.
    await login(client, "amara.nwosu@example.org", "blue-Kettle-morning-42")
    refused = await client.post(
        "/api/auth/token", data={"username": "amara.nwosu@example.org", "password": "other-Pw-77x"}
    )
    assert refused.status_code == 401


class TestSignUpDoesNotTellWhoHasAnAccount:
    @pytest.fixture
    def inbox(self):
        with running_inbox() as box:
            yield box

    @pytest.fixture
    def settings_overrides(self, inbox) -> dict:
        return smtp_settings(inbox)

    async def test_a_known_address_answers_like_a_new_one_and_its_owner_is_told(
        self, client, app, inbox
    ):
        handler, _ = inbox
        new = await client.post("/api/auth/register", json=registration())
        known = await client.post(
            "/api/auth/register",
            json=registration(email="AMARA.nwosu@example.org", display_name="Mallory"),
        )
        assert (known.status_code, known.json()) == (new.status_code, new.json())
        assert known.status_code == 202
        assert set(new.json()) == {"detail"}  # no id: nothing to tell the two apart
        assert await count_accounts(app) == 1
        assert [m["To"] for m in handler.messages] == ["amara.nwosu@example.org"]
        assert "tried to make a new Careverse account" in handler.bodies()[0]
        assert "Mallory" not in handler.bodies()[0]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw1", "at least 12 characters"),
        ("amara.nwosu-1234", "must not contain your e-mail"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaa", "too common or too simple"),
        ("x" * 300, "at most"),
    ],
)
async def test_weak_passwords_are_refused_with_a_reason(client, app, password, reason):
    response = await client.post("/api/auth/register", json=registration(password=password))
    assert response.status_code == 422
    assert reason in str(response.json()["detail"])
    assert await count_accounts(app) == 0


@pytest.mark.parametrize(
    "body",
    [
        registration(email="not-an-email"),
        registration(birth_date="1858-01-01"),
        registration(birth_date="2999-01-01"),
        registration(birth_date="14/03/1958"),
        registration(display_name=""),
        registration(preferred_language="english please"),
        registration(extra_field="x"),
        {"email": "a@example.org"},
    ],
)
async def test_bad_input_answers_422_and_stores_nothing(client, app, body):
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and all("msg" in d and "loc" in d for d in detail)
    assert await count_accounts(app) == 0


async def test_validation_errors_do_not_echo_what_was_sent(client):
    secret = "Diagnosis-HIV-positive-2024"
    response = await client.post(
        "/api/auth/register", json=registration(birth_date=secret, display_name="x" * 500)
    )
    assert response.status_code == 422
    assert secret not in response.text
    assert "input" not in response.json()["detail"][0]


async def test_malformed_json_is_a_clear_4xx(client):
    response = await client.post(
        "/api/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
