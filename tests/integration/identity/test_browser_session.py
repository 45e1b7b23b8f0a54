"""Browser sessions: HttpOnly SameSite cookies, CSRF double-submit, refresh and sign-out."""

from __future__ import annotations

from tests.conftest import PASSWORD


def cookie_headers(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def sign_in(client, email):
    response = await client.post("/api/auth/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


async def test_session_cookies_are_httponly_and_strict(client, make_account):
    account = await make_account(name="Li Wei")
    response = await sign_in(client, account.email)
    assert response.json()["account"]["display_name"] == "Li Wei"
    assert "access_token" not in response.text
    cookies = cookie_headers(response)
    for name in ("cv_session", "cv_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=strict" in cookies[name]
    assert "HttpOnly" not in cookies["cv_csrf"]
    assert "Path=/api/auth/session" in cookies["cv_refresh"]
    assert (await client.get("/api/me")).status_code == 200


async def test_unsafe_requests_need_the_csrf_header(client, make_account):
    account = await make_account()
    await sign_in(client, account.email)
    no_header = await client.post("/api/me/mfa/totp")
    assert no_header.status_code == 403 and no_header.json() == {
        "detail": "This request is missing its security token; reload the page.",
        "code": "csrf",
    }
    forged = await client.post("/api/me/mfa/totp", headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    ok = await client.post("/api/me/mfa/totp", headers={"X-CSRF-Token": client.cookies["cv_csrf"]})
    assert ok.status_code == 201


async def test_refresh_and_sign_out(client, make_account):
    account = await make_account()
    await sign_in(client, account.email)
    old_session = client.cookies["cv_session"]
    forged = await client.post("/api/auth/session/refresh")
    assert forged.status_code == 403 and forged.json()["code"] == "csrf"
    refreshed = await client.post(
        "/api/auth/session/refresh", headers={"X-CSRF-Token": client.cookies["cv_csrf"]}
    )
    assert refreshed.status_code == 200
    assert client.cookies["cv_session"] != old_session
    out = await client.delete(
        "/api/auth/session", headers={"X-CSRF-Token": client.cookies["cv_csrf"]}
    )
    assert out.status_code == 204
    assert "cv_session" not in client.cookies
    assert (await client.get("/api/me")).status_code == 401
    # The old cookie value is revoked too, not only forgotten by this browser.
    replay = await client.get("/api/me", headers={"Cookie": f"cv_session={old_session}"})
    assert replay.status_code == 401


async def test_bad_sign_in_body_is_a_clear_422(client):
    response = await client.post("/api/auth/session", json={"email": "x", "password": ""})
    assert response.status_code == 422
    response = await client.post(
        "/api/auth/session", json={"email": "a@example.org", "password": "p", "otp": "abc"}
    )
    assert response.status_code == 422


async def test_the_csrf_token_is_bound_to_its_session(client, make_account):
    account = await make_account()
    await sign_in(client, account.email)
    first = client.cookies["cv_csrf"]
    await sign_in(client, account.email)  # a new session: new cookies
    second = client.cookies["cv_csrf"]
    assert first != second
    stale = await client.post("/api/me/mfa/totp", headers={"X-CSRF-Token": first})
    assert stale.status_code == 403 and stale.json()["code"] == "csrf"
    assert (
        await client.post("/api/me/mfa/totp", headers={"X-CSRF-Token": second})
    ).status_code == 201
