"""An admin cannot become a patient: a reset sends the link to the person, and every admin action on
a patient's account shows in that patient's access log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from careverse.identity.models import PasswordResetToken
from tests.conftest import PASSWORD, login
from tests.mailbox import running_inbox, smtp_settings

LINK = re.compile(r"https://clinic\.example\.org/reset-password#token=(\S+)")


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings_overrides(inbox) -> dict:
    return smtp_settings(inbox)


async def reset_links(app, account_id) -> int:
    async with app.state.runtime.db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(PasswordResetToken.account_id == account_id)
        )


async def test_identity_admin_reset_hands_the_admin_no_secret(
    client, signed_in, make_account, inbox
):
    handler, _ = inbox
    _, admin = await signed_in("admin", name="Ada Admin")
    patient = await make_account(email="mira@example.org")
    patient_headers = await login(client, patient.email)

    answer = await client.post(f"/api/admin/accounts/{patient.id}/password-reset", headers=admin)
    assert answer.status_code == 202, answer.text
    body = answer.text
    assert "token" not in body and "reset-password" not in body and "cvp_" not in body
    assert set(answer.json()) == {"detail", "expires_in"}
    # The person's sessions ended; the link went to the account's own address only.
    assert (await client.get("/api/me", headers=patient_headers)).status_code == 401
    assert [m["To"] for m in handler.messages] == ["mira@example.org"]
    mailed = LINK.search(handler.bodies()[0])
    assert mailed is not None
    token = mailed.group(1)
    assert token not in body
    # Nothing the admin can reach reveals it either: the account's view holds no link.
    viewed = await client.get(f"/api/admin/accounts/{patient.id}", headers=admin)
    assert token not in viewed.text and "reset" not in viewed.text

    # The person uses the mailed link.
    new_password = "harbour-Lights-owl-42"
    done = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": new_password}
    )
    assert done.status_code == 204
    await login(client, patient.email, new_password)


async def test_identity_a_kept_link_dies_when_the_person_sets_a_password(client, signed_in, inbox):
    """An invitation link (or any earlier one) stops working once the person chose a password."""
    handler, _ = inbox
    _, admin = await signed_in("admin")
    created = await client.post(
        "/api/admin/accounts",
        json={"email": "noor@example.org", "role": "patient", "display_name": "Noor"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["reset_url"] is None
    assert created.json()["invitation_sent"] is True
    assert [m["To"] for m in handler.messages] == ["noor@example.org"]
    invitation = LINK.search(handler.bodies()[0]).group(1)
    assert invitation not in created.text

    await client.post("/api/auth/password-reset", json={"email": "noor@example.org"})
    requested = LINK.search(handler.bodies()[1]).group(1)
    done = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": requested, "new_password": "sea-Glass-morning-17"},
    )
    assert done.status_code == 204
    late = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": invitation, "new_password": "someone-Else-was-here-9"},
    )
    assert late.status_code == 422
    assert late.json()["code"] == "invalid_reset_token"
    await login(client, "noor@example.org", "sea-Glass-morning-17")


async def test_identity_admin_actions_appear_in_the_patients_access_log(
    client, signed_in, make_account
):
    _, admin = await signed_in("admin", name="Ada Admin")
    clinician = await make_account("clinician", name="Dr Chen")
    patient_account = await make_account(email="sol@example.org")
    patient_id = patient_account.patient.id
    base = f"/api/admin/accounts/{patient_account.id}"

    assert (await client.get(base, headers=admin)).status_code == 200
    assert (await client.post(f"{base}/password-reset", headers=admin)).status_code == 202
    for change in ({"is_active": False}, {"is_active": True}, {"display_name": "Sol R."}):
        assert (await client.patch(base, json=change, headers=admin)).status_code == 200
    assigned = await client.post(
        "/api/admin/care-relationships",
        json={"clinician_id": str(clinician.id), "patient_id": str(patient_id)},
        headers=admin,
    )
    assert assigned.status_code == 201
    ended = await client.delete(
        f"/api/admin/care-relationships/{assigned.json()['id']}", headers=admin
    )
    assert ended.status_code == 204

    # The reset ended the patient's sessions but left the password: they sign in as before.
    patient = await login(client, "sol@example.org", PASSWORD)

    log = await client.get("/api/me/access-log", headers=patient)
    assert log.status_code == 200
    by_admin = [e for e in log.json() if e["actor_name"] == "Ada Admin"]
    assert [e["action"] for e in reversed(by_admin)] == [
        "account.read",
        "account.password-reset",
        "account.deactivate",
        "account.reactivate",
        "account.rename",
        "care-relationship.create",
        "care-relationship.end",
    ]
    assert {e["actor_role"] for e in by_admin} == {"admin"}
    assert {e["outcome"] for e in by_admin} == {"success"}


class TestWithoutEmail:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {}

    async def test_identity_admin_reset_without_email_hands_over_nothing(
        self, client, app, signed_in, make_account
    ):
        _, admin = await signed_in("admin")
        patient = await make_account()
        patient_headers = await login(client, patient.email, PASSWORD)
        answer = await client.post(
            f"/api/admin/accounts/{patient.id}/password-reset", headers=admin
        )
        assert answer.status_code == 409
        assert answer.json()["code"] == "email_not_configured"
        assert "token" not in answer.text and "reset-password#" not in answer.text
        assert await reset_links(app, patient.id) == 0
        assert (await client.get("/api/me", headers=patient_headers)).status_code == 200
