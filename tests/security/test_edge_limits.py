"""Issue 11, finding 13 (limits at the edge): a request body is refused with a clear 413 before it
is read or parsed (larger limits only for the bulk endpoints), and a request head must arrive
complete, and small, within a deadline — a slow or silent client does not hold a connection."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import pytest

from careverse.kernel.config import Settings
from tests.security.served import served_node

MIB = 1 << 20
FHIR_JSON = "application/fhir+json"


def _junk(size: int) -> bytes:
    return b"{" + b" " * (size - 2) + b"}"


async def test_edge_body_over_the_default_limit_is_refused_unread(client):
    body = {"email": "big@example.org", "password": "correct-Horse-battery-9", "role": "patient"}
    r = await client.post(
        "/api/auth/register",
        content=_junk(MIB + 1),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "too_large"
    assert str(MIB) in r.json()["detail"]
    # At the limit the body is read and parsed as usual (here: invalid, a 422).
    r = await client.post(
        "/api/auth/register", content=_junk(MIB), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert (await client.post("/api/auth/register", json=body)).status_code != 413
    assert Settings().max_body_bytes == MIB  # the documented default


async def test_edge_streamed_body_is_cut_off_at_the_limit(client):
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * (64 * 1024)  # 2.5 MiB without a Content-Length

    r = await client.post(
        "/api/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "too_large"


@pytest.mark.parametrize("settings_overrides", [{"max_bulk_body_bytes": 3 * MIB}])
async def test_edge_bulk_endpoints_take_larger_bodies(client, signed_in):
    _, headers = await signed_in("patient")
    readings = {**headers, "Content-Type": "application/json"}
    r = await client.post("/api/monitoring/readings", content=_junk(2 * MIB), headers=readings)
    assert r.status_code == 422, r.text  # read and parsed: not a batch of readings
    r = await client.post("/api/monitoring/readings", content=_junk(3 * MIB + 1), headers=readings)
    assert r.status_code == 413
    fhir = {**headers, "Content-Type": FHIR_JSON}
    r = await client.post("/fhir", content=_junk(2 * MIB), headers=fhir)
    assert r.status_code != 413
    # A single Observation is not a bulk body; FHIR paths answer an OperationOutcome.
    r = await client.post("/fhir/Observation", content=_junk(2 * MIB), headers=fhir)
    assert r.status_code == 413
    assert r.json()["resourceType"] == "OperationOutcome"


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> bool:
    """Does the server close ``sock`` within ``seconds`` (while we trickle bytes)?"""
    sock.settimeout(0.25)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if trickle:
                sock.sendall(trickle)
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_edge_request_heads_have_a_deadline_and_a_size_limit(tmp_path):
    with served_node(tmp_path, header_timeout_seconds="1", max_header_bytes="8192") as node:
        port = int(node.url.rsplit(":", 1)[1])
        # A complete request on a kept-alive connection still works, twice.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(5)
            for _ in range(2):
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\n\r\n")
                answer = b""
                while not answer.endswith(b'{"status":"ok"}'):
                    answer += sock.recv(4096)
                assert answer.startswith(b"HTTP/1.1 200")
        # Silent after connecting.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            assert _closed_within(sock, 5)
        # A slowloris: a header byte every quarter second, never finishing the head.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\nX-Slow: ")
            assert _closed_within(sock, 5, trickle=b"a")
        # A head larger than the limit.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\n")
            answer = b""
            try:
                for _ in range(8):
                    sock.sendall(b"X-Big: " + b"b" * 4096 + b"\r\n")
                sock.sendall(b"\r\n")
                answer = sock.recv(4096)
            except OSError:
                pass  # closed while we were still sending: refused
            assert not answer.startswith(b"HTTP/1.1 200"), answer[:100]
        # The same head in one piece.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(5)
            head = b"GET /healthz HTTP/1.1\r\nHost: node\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n"
            sock.sendall(head)
            answer = sock.recv(4096)
            assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), answer[:100]
