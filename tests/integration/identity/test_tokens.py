"""Tokens: the password grant, the caller's account, refresh rotation and logout."""

from __future__ import annotations

from careverse.identity.service import IdentityService
from tests.conftest import PASSWORD, login


async def test_password_grant_and_me(client, make_account):
    account = await make_account("patient", email="jonas@example.org", name="Jonas Berg")
    response = await client.post(
        "/api/auth/token", data={"username": "Jonas@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["access_token"].startswith("cva_") and body["refresh_token"].startswith("cvr_")
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    data = me.json()
    assert data["id"] == str(account.id)
    assert data["email"] == "jonas@example.org"
    assert data["role"] == "patient"
    assert data["display_name"] == "Jonas Berg"
    assert data["patient_id"] == str(account.patient.id)


async def test_clinician_me_has_no_patient_id(client, signed_in):
    _, headers = await signed_in("clinician")
    me = (await client.get("/api/me", headers=headers)).json()
    assert me["role"] == "clinician" and me["patient_id"] is None


async def test_wrong_password_and_unknown_email_answer_alike(client, make_account):
    await make_account(email="known@example.org")
    wrong = await client.post(
        "/api/auth/token", data={"username": "known@example.org", "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        "/api/auth/token", data={"username": "ghost@example.org", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


async def test_me_requires_a_valid_token(client):
    assert (await client.get("/api/me")).status_code == 401
    bad = await client.get("/api/me", headers={"Authorization": "Bearer cva_forged"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_token"


async def test_missing_fields_are_explained(client):
    response = await client.post("/api/auth/token", data={"username": "a@example.org"})
    assert response.status_code == 422
    assert "username and password" in response.json()["detail"][0]["msg"]
    response = await client.post("/api/auth/token", data={"grant_type": "client_credentials"})
    assert response.status_code == 422


async def test_refresh_rotates_both_tokens(client, make_account):
    account = await make_account()
    first = (
        await client.post("/api/auth/token", data={"username": account.email, "password": PASSWORD})
    ).json()
    second = await client.post(
        "/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert second.status_code == 200
    new = second.json()
    assert new["access_token"] != first["access_token"]
    ok = await client.get("/api/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert ok.status_code == 200
    old = await client.get("/api/me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert old.status_code == 401
    replay = await client.post(
        "/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid_grant"


async def test_access_token_expires(client, make_account, fake_clock):
    account = await make_account()
    headers = await login(client, account.email)
    assert (await client.get("/api/me", headers=headers)).status_code == 200
    fake_clock.advance(seconds=901)
    expired = await client.get("/api/me", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"


async def test_logout_revokes_on_the_next_request(client, make_account):
    account = await make_account()
    tokens = (
        await client.post("/api/auth/token", data={"username": account.email, "password": PASSWORD})
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    other = await login(client, account.email)
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/me", headers=headers)).status_code == 401
    refresh = await client.post(
        "/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.status_code == 401
    # Only that session ended; another sign-in of the same account still works.
    assert (await client.get("/api/me", headers=other)).status_code == 200


async def test_signing_out_with_a_refresh_token_revokes_that_session_only(
    app, client, make_account
):
    account = await make_account()
    grant = {"username": account.email, "password": PASSWORD}
    ended = (await client.post("/api/auth/token", data=grant)).json()
    kept = (await client.post("/api/auth/token", data=grant)).json()
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        service = IdentityService(session, runtime.settings)
        await service.logout_refresh(ended["refresh_token"])
        await service.logout_refresh("cvr_not-a-token")  # nothing to revoke, no error
    bearer = {"Authorization": f"Bearer {ended['access_token']}"}
    assert (await client.get("/api/me", headers=bearer)).status_code == 401
    again = await client.post(
        "/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": ended["refresh_token"]},
    )
    assert again.status_code == 401 and again.json()["code"] == "invalid_grant"
    # The same account's other session is untouched, its refresh token still rotates.
    other = {"Authorization": f"Bearer {kept['access_token']}"}
    assert (await client.get("/api/me", headers=other)).status_code == 200
    rotated = await client.post(
        "/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": kept["refresh_token"]},
    )
    assert rotated.status_code == 200
