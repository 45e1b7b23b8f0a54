"""A browser's socket signs in with the session cookie, and only from our own pages: a page on
another site cannot open a socket in the person's name (cross-site WebSocket hijacking)."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit

import httpx
import websockets

from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from careverse.world import protocol as proto
from careverse.world.connection import same_origin
from tests.conftest import PASSWORD


async def browser_session(live) -> tuple[str, dict[str, str]]:
    """A clinician signed in the way the browser does; answers (session cookie, bearer headers)."""
    url, app = live
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    db = Database(app.state.runtime.settings.effective_database_url)
    try:
        async with db.session() as session:
            await IdentityService(session, app.state.runtime.settings).create_account(
                None,
                NewAccount(email=email, role=Role.CLINICIAN, display_name="Dr Cookie",
                           password=PASSWORD),
            )  # fmt: skip
    finally:
        await db.dispose()
    async with httpx.AsyncClient(base_url=url) as http:
        signed_in = await http.post(
            "/api/auth/session", json={"email": email, "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = http.cookies["cv_session"]
    return cookie, {"Authorization": f"Bearer {cookie}"}


async def first_answer(url: str, room: str, headers: dict[str, str]):
    """Say hello without a token (the cookie must do); answers the welcome or the close code."""
    ws_url = url.replace("http://", "ws://") + "/ws/world"
    async with websockets.connect(ws_url, additional_headers=headers, open_timeout=10) as ws:
        await ws.send(proto.encode(proto.Hello(space=room)).decode())
        try:
            return proto.server_decoder.decode(await asyncio.wait_for(ws.recv(), 10))
        except websockets.ConnectionClosed as exc:
            assert exc.rcvd is not None
            return exc.rcvd.code


async def test_a_cookie_socket_from_our_own_page_is_admitted(live, space):
    url, _ = live
    cookie, bearer = await browser_session(live)
    room = await space(bearer["Authorization"].removeprefix("Bearer "))
    answer = await first_answer(url, room, {"Cookie": f"cv_session={cookie}", "Origin": url})
    assert isinstance(answer, proto.Welcome)


FOREIGN = [
    "http://evil.example",
    "http://evil.example:{port}",  # another host on the same port
    "http://127.0.0.1:{port}.evil.example",  # our host as a prefix of theirs
    "http://127.0.0.1:1",  # our host, another port: another origin
    "null",  # a sandboxed frame or a file: page
    None,  # no Origin at all
]


async def test_a_cookie_socket_from_a_foreign_origin_is_refused(live, space):
    url, _ = live
    port = urlsplit(url).port
    cookie, bearer = await browser_session(live)
    room = await space(bearer["Authorization"].removeprefix("Bearer "))
    for origin in FOREIGN:
        headers = {"Cookie": f"cv_session={cookie}"}
        if origin is not None:
            headers["Origin"] = origin.format(port=port)
        assert await first_answer(url, room, headers) == proto.CLOSE_UNAUTHENTICATED, origin
    # The same person, from our own page, is let in: only the origin was wrong.
    answer = await first_answer(url, room, {"Cookie": f"cv_session={cookie}", "Origin": url})
    assert isinstance(answer, proto.Welcome)


def test_same_origin_compares_the_whole_host_and_port():
    assert same_origin("https://clinic.example.org", "clinic.example.org")
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:8000", "127.0.0.1:8001")
    assert not same_origin("https://clinic.example.org.evil.example", "clinic.example.org")
    assert not same_origin("https://evil.example", "clinic.example.org")
    assert not same_origin(None, "clinic.example.org")
    assert not same_origin("https://clinic.example.org", None)
    assert not same_origin("null", "clinic.example.org")
