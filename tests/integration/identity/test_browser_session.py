"""Browser sessions: HttpOnly SameSite cookies, CSRF double-submit, refresh and sign-out."""

from __future__ import annotations

import asyncio

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


# ---- a refresh answer lost to a navigation, or two tabs at once ---------------------------


def csrf(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["cv_csrf"]}


async def refresh_with(client, refresh_cookie: str):
    """A refresh that presents ``refresh_cookie`` (the browser's jar as it was before)."""
    client.cookies.set("cv_refresh", refresh_cookie, path="/api/auth/session")
    return await client.post("/api/auth/session/refresh", headers=csrf(client))


async def test_a_lost_refresh_answer_is_forgiven_within_the_grace(client, make_account, fake_clock):
    account = await make_account()
    await sign_in(client, account.email)
    before = client.cookies["cv_refresh"]
    # The browser sent a refresh and navigated away: the server rotated, the answer was lost.
    lost = await client.post("/api/auth/session/refresh", headers=csrf(client))
    assert lost.status_code == 200
    fake_clock.advance(seconds=20)
    # The new page refreshes with the cookie it still has: a second rotation, not a theft.
    again = await refresh_with(client, before)
    assert again.status_code == 200, again.text
    assert (await client.get("/api/me")).status_code == 200
    # The grace was for that one rotation: the older token is now two rotations back.
    fake_clock.advance(seconds=1)
    assert (await refresh_with(client, before)).status_code == 401
    assert (await client.get("/api/me")).status_code == 401  # and the session is over


async def test_after_the_grace_a_rotated_cookie_ends_the_session(
    client, app, make_account, fake_clock
):
    account = await make_account()
    await sign_in(client, account.email)
    before = client.cookies["cv_refresh"]
    assert (await client.post("/api/auth/session/refresh", headers=csrf(client))).status_code == 200
    newest = client.cookies["cv_refresh"]
    fake_clock.advance(seconds=app.state.runtime.settings.refresh_reuse_grace_seconds + 1)
    late = await refresh_with(client, before)
    assert late.status_code == 401 and late.json()["code"] == "invalid_grant"
    assert (await refresh_with(client, newest)).status_code == 401


async def test_the_grace_still_needs_the_sessions_csrf_secret(client, make_account, fake_clock):
    account = await make_account()
    await sign_in(client, account.email)
    before = client.cookies["cv_refresh"]
    assert (await client.post("/api/auth/session/refresh", headers=csrf(client))).status_code == 200
    client.cookies.set("cv_refresh", before, path="/api/auth/session")
    forged = await client.post("/api/auth/session/refresh", headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403 and forged.json()["code"] == "csrf"


async def test_two_tabs_refreshing_with_one_cookie_both_stay_signed_in(client, make_account):
    account = await make_account()
    await sign_in(client, account.email)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()), **csrf(client)}
    answers = await asyncio.gather(
        *(client.post("/api/auth/session/refresh", headers=headers) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [200, 200], [a.text for a in answers]
    # The later rotation's access cookie is the session's; the earlier one's is replaced.
    works = {}
    for answer in answers:
        cookie = f"cv_session={answer.cookies['cv_session']}"
        works[answer] = (await client.get("/api/me", headers={"Cookie": cookie})).status_code
    assert sorted(works.values()) == [200, 401]
    # A jar that kept the earlier answer still refreshes (within the grace) and is signed in.
    earlier = next(a for a, status in works.items() if status == 401)
    client.cookies.clear()
    client.cookies.set("cv_csrf", headers["X-CSRF-Token"])
    again = await refresh_with(client, earlier.cookies["cv_refresh"])
    assert again.status_code == 200, again.text
    assert (await client.get("/api/me")).status_code == 200
