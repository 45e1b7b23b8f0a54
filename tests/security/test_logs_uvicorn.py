"""Issue 11, finding 12: every log line of a served node goes through the redacting pipeline.

Uvicorn's own lines carried a WebSocket's query string verbatim (``?token=…&email=…``) and the
``repr`` of an unhandled exception (whose message holds input); a WebSocket that went away before
saying hello logged an error-level traceback. These tests read the real log of a real server.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import websockets

from careverse.app import create_app
from tests.security.served import served_node
from tests.support import serve_in_thread

TOKEN = "cva_" + "Q" * 43
EMAIL = "ada.lovelace.secret@example.org"
MARKER = "Zanele-1961-02-03"


def _records(log: str) -> list[dict]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


async def _unauthenticated_sockets(url: str) -> None:
    ws_url = url.replace("http://", "ws://") + f"/ws/world?token={TOKEN}&email={EMAIL}"
    # A hello with a token that is no session's: refused with a close code.
    async with websockets.connect(ws_url) as ws:
        hello = {"t": "hello", "space": "00000000-0000-0000-0000-000000000001", "token": TOKEN}
        await ws.send(json.dumps(hello))
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed as exc:
            assert exc.rcvd is not None and exc.rcvd.code == 4401
    # Gone before saying hello: the node's close meets a closed socket.
    ws = await websockets.connect(ws_url)
    await ws.close()
    ws = await websockets.connect(ws_url)
    await ws.send("not a hello")
    await ws.close()
    await asyncio.sleep(0.5)


def test_logs_of_a_served_node_hold_no_query_string_and_no_error_for_refused_sockets(tmp_path):
    with served_node(tmp_path) as node:
        asyncio.run(_unauthenticated_sockets(node.url))
        httpx.get(f"{node.url}/api/me?email={EMAIL}&token={TOKEN}")
        time.sleep(0.3)
        log = node.log()
    records = _records(log)
    assert any("WebSocket /ws/world" in str(r.get("event")) for r in records), log[-2000:]
    for secret in (TOKEN, EMAIL, "token=", "email="):
        assert secret not in log
    errors = [r for r in records if r.get("level") in ("error", "critical")]
    assert errors == []
    assert "Traceback" not in log and "Exception in ASGI application" not in log


async def test_logs_of_an_unhandled_exception_name_its_type_not_its_message(settings, json_logs):
    application = create_app(settings)

    async def fails(q: str) -> None:
        raise ValueError(f"could not store {q}")

    application.add_api_route("/fails", fails)
    routes = application.router.routes
    routes.insert(0, routes.pop())  # ahead of the client's catch-all page route
    with serve_in_thread(application) as url:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{url}/fails", params={"q": MARKER})
    assert response.status_code == 500
    assert MARKER not in response.text
    log = json_logs()
    records = _records(log)
    unhandled = [r for r in records if r.get("level") == "error"]
    assert unhandled, log
    assert all(r.get("error") == "ValueError" for r in unhandled)
    assert MARKER not in log  # the frames show source lines, never the values
