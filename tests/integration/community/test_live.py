"""Live updates: an open thread page hears of a new post within a second, also when the post
is written on another node (the EVERYWHERE event crosses the real Redis bus)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

import httpx
import pytest

from careverse.app import create_app
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role
from tests.conftest import PASSWORD, TEST_KEYS
from tests.support import serve_in_thread

pytestmark = pytest.mark.services
API = "/api/community"


async def _people(database_url: str, settings: Settings) -> dict:
    db = Database(database_url)
    try:
        out = {}
        async with db.session() as session:
            service = IdentityService(session, settings)
            for role in (Role.ADMIN, Role.CAREGIVER, Role.CAREGIVER, Role.PATIENT):
                account = await service.create_account(None, NewAccount(
                    email=f"{uuid.uuid4().hex[:8]}@example.org", role=role,
                    display_name=f"{role.value} person", password=PASSWORD,
                ))  # fmt: skip
                out.setdefault(role.value, []).append(account)
        return out
    finally:
        await db.dispose()


async def _headers(http: httpx.AsyncClient, email: str) -> dict:
    r = await http.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _listen(http: httpx.AsyncClient, url: str, headers: dict, lines: list, ready):
    async with http.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            lines.append(line)


async def test_a_reply_on_another_node_reaches_the_open_page(database_url, tmp_path, redis_url):
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, redis_url=redis_url,
    )  # fmt: skip
    first, second = create_app(settings), create_app(settings)
    people = await _people(database_url, settings)
    (admin,), (writer, helper), (outsider,) = (people["admin"], people["caregiver"],
                                               people["patient"])  # fmt: skip
    with serve_in_thread(first) as url_a, serve_in_thread(second) as url_b:
        async with (
            httpx.AsyncClient(base_url=url_a, timeout=30) as a,
            httpx.AsyncClient(base_url=url_b, timeout=30) as b,
        ):
            h_admin, h_writer = await _headers(a, admin.email), await _headers(a, writer.email)
            h_helper, h_outsider = (
                await _headers(b, helper.email),
                await _headers(b, outsider.email),
            )
            made = await a.post(f"{API}/communities", headers=h_admin, json={
                "slug": "carers-live", "name": "Carers", "kind": "caregiver",
                "visibility": "request", "guidelines": "Be kind."})  # fmt: skip
            assert made.status_code == 201, made.text
            join = {"accept_guidelines": True, "guidelines_version": 1}
            for http, h in ((a, h_admin), (a, h_writer), (b, h_helper)):
                await http.post(f"{API}/communities/carers-live/join", json=join, headers=h)
            requests = (await a.get(f"{API}/communities/carers-live/members?status=requested",
                                    headers=h_admin)).json()["members"]  # fmt: skip
            for m in requests:
                await a.post(f"{API}/communities/carers-live/members/{m['membership_id']}/approve",
                             headers=h_admin)  # fmt: skip
            started = await a.post(f"{API}/communities/carers-live/threads", headers=h_writer,
                                   json={"title": "First week", "body": "Hello all"})  # fmt: skip
            thread_id = started.json()["thread"]["id"]
            stream = f"{API}/threads/{thread_id}/stream"
            assert (await b.get(stream, headers=h_outsider)).status_code == 404

            lines: list[str] = []
            ready = asyncio.Event()
            listener = asyncio.create_task(_listen(a, stream, h_writer, lines, ready))
            try:
                await asyncio.wait_for(ready.wait(), 15)
                sent = await b.post(f"{API}/threads/{thread_id}/posts", headers=h_helper,
                                    json={"body": "Welcome, you are not alone."})  # fmt: skip
                assert sent.status_code == 201, sent.text
                async with asyncio.timeout(2):
                    while not any(x.startswith("data:") for x in lines):  # noqa: ASYNC110
                        await asyncio.sleep(0.02)
            finally:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            assert "event: post" in lines and "id: 2" in lines
            post = json.loads(next(x for x in lines if x.startswith("data:"))[len("data:") :])
            assert post["html"] == "<p>Welcome, you are not alone.</p>\n"
            assert post["author"]["mine"] is False and post["author"]["handle"]
            assert str(helper.id) not in json.dumps(post)
