"""Admin account management and role checks."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, login


@pytest.mark.parametrize("role", ["patient", "caregiver", "clinician", "moderator", "researcher"])
async def test_only_admins_manage_accounts(client, signed_in, role):
    _, headers = await signed_in(role)
    assert (await client.get("/api/admin/accounts", headers=headers)).status_code == 403
    created = await client.post(
        "/api/admin/accounts",
        json={"email": "new@example.org", "role": "admin", "display_name": "Mallory"},
        headers=headers,
    )
    assert created.status_code == 403


async def test_admin_invites_a_clinician_who_sets_a_password(client, signed_in):
    _, admin = await signed_in("admin")
    created = await client.post(
        "/api/admin/accounts",
        json={"email": "dr.who@example.org", "role": "clinician", "display_name": "Dr. Who"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["account"]["role"] == "clinician"
    token = body["reset_url"].split("#token=", 1)[1]
    new_password = "tardis-Blue-box-1963"
    done = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": new_password}
    )
    assert done.status_code == 204
    await login(client, "dr.who@example.org", new_password)
    again = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": token, "new_password": "other-Pass-phrase-77"},
    )
    assert again.status_code == 422 and again.json()["code"] == "invalid_reset_token"
    listed = (await client.get("/api/admin/accounts?role=clinician", headers=admin)).json()
    assert [a["email"] for a in listed] == ["dr.who@example.org"]


async def test_deactivation_ends_sessions_at_once(client, signed_in, make_account):
    _, admin = await signed_in("admin")
    patient = await make_account()
    headers = await login(client, patient.email)
    response = await client.patch(
        f"/api/admin/accounts/{patient.id}", json={"is_active": False}, headers=admin
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get("/api/me", headers=headers)).status_code == 401
    refused = await client.post(
        "/api/auth/token", data={"username": patient.email, "password": PASSWORD}
    )
    assert refused.status_code == 401


async def test_admin_cannot_deactivate_self_and_unknown_ids_are_404(client, signed_in):
    account, admin = await signed_in("admin")
    self_off = await client.patch(
        f"/api/admin/accounts/{account.id}", json={"is_active": False}, headers=admin
    )
    assert self_off.status_code == 409
    missing = await client.get(
        "/api/admin/accounts/00000000-0000-0000-0000-000000000000", headers=admin
    )
    assert missing.status_code == 404
    bad_id = await client.get("/api/admin/accounts/not-a-uuid", headers=admin)
    assert bad_id.status_code == 422
    bad_role = await client.post(
        "/api/admin/accounts",
        json={"email": "x@example.org", "role": "superuser", "display_name": "X"},
        headers=admin,
    )
    assert bad_role.status_code == 422


async def test_admin_reset_without_email_is_refused_and_changes_nothing(
    client, signed_in, make_account
):
    """The reset link goes only to the person's e-mail (tests/security); with no mail set up,
    the admin is told so and the person's sessions stay."""
    _, admin = await signed_in("admin")
    patient = await make_account()
    headers = await login(client, patient.email)
    answer = await client.post(f"/api/admin/accounts/{patient.id}/password-reset", headers=admin)
    assert answer.status_code == 409
    assert answer.json()["code"] == "email_not_configured"
    assert "#token=" not in answer.text
    assert (await client.get("/api/me", headers=headers)).status_code == 200
