"""Token introspection (RFC 7662) and backend clients whose keys live at a ``jwks_url``.

The JWKS is served by a real HTTP server on the loopback interface (not a mock): Careverse
fetches it with httpx, caches it, and fetches it again when a client signs with a new key.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc.jwk import RSAKey

from careverse.identity import smart_jwks
from tests.integration.fhir.test_bulk_backend import ASSERTION_TYPE, Backend, get_token
from tests.integration.identity.test_smart import launch, register
from tests.integration.privacy.support import cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]


class JwksServer:
    """A loopback HTTP server answering ``/jwks.json`` with ``self.document``; counts fetches."""

    def __init__(self) -> None:
        self.document: object = {"keys": []}
        self.status = 200
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                body = json.dumps(outer.document).encode()
                self.send_response(outer.status if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    served = JwksServer()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    smart_jwks.forget()
    yield served
    served.server.shutdown()
    served.server.server_close()
    smart_jwks.forget()


def introspection(client, token: str, auth=None, **form):
    return client.post("/oauth/introspect", data={"token": token, **form}, auth=auth)


async def test_a_confidential_client_introspects_its_tokens(client, person, fake_clock):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin, confidential=True)
    auth = (registered["client_id"], registered["client_secret"])
    _, token = await launch(client, patient, registered, secret=registered["client_secret"])

    r = await introspection(client, token["access_token"], auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["active"] is True
    assert body["client_id"] == registered["client_id"]
    assert body["scope"] == token["scope"]
    assert body["patient"] == str(patient.patient_id)
    assert body["sub"] == str(patient.id)
    assert body["exp"] == int(fake_clock.now.timestamp()) + token["expires_in"]
    assert r.headers["cache-control"] == "no-store"
    refresh = (await introspection(client, token["refresh_token"], auth)).json()
    assert refresh["active"] is True and refresh["token_type"] == "refresh_token"
    # Unknown tokens, and tokens of another app, are simply inactive.
    assert (await introspection(client, "cvsa_nothing", auth)).json() == {"active": False}
    other = await register(client, admin, confidential=True, name="Other")
    _, theirs = await launch(client, patient, other, secret=other["client_secret"])
    assert (await introspection(client, theirs["access_token"], auth)).json() == {"active": False}
    # An expired access token is inactive (its refresh token lives on).
    fake_clock.advance(seconds=token["expires_in"] + 1)
    assert (await introspection(client, token["access_token"], auth)).json() == {"active": False}
    assert (await introspection(client, token["refresh_token"], auth)).json()["active"] is True
    # A revoked one too.
    await client.post("/oauth/revoke", data={"token": token["refresh_token"]}, auth=auth)
    assert (await introspection(client, token["refresh_token"], auth)).json() == {"active": False}


async def test_introspection_needs_an_authenticated_confidential_client(client, person):
    admin, patient = await person("admin"), await person("patient")
    public = await register(client, admin)
    _, token = await launch(client, patient, public)
    r = await introspection(client, token["access_token"], client_id=public["client_id"])
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    confidential = await register(client, admin, confidential=True, name="C")
    r = await introspection(client, token["access_token"], (confidential["client_id"], "cvcs_x"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.post("/oauth/introspect", data={"token": token["access_token"]})
    assert r.status_code == 401
    auth = (confidential["client_id"], confidential["client_secret"])
    r = await client.post("/oauth/introspect", data={}, auth=auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def register_by_url(client, admin, url: str, name="Feed by URL"):
    return await client.post(
        "/api/admin/smart-apps",
        json={"name": name, "scopes": ["system/*.rs"], "jwks_url": url},
        headers=admin.headers,
    )


async def test_a_backend_client_publishes_its_keys_at_a_jwks_url(
    client, person, jwks_server, monkeypatch
):
    admin = await person("admin")
    key = RSAKey.generate_key(2048, auto_kid=True)
    jwks_server.document = {"keys": [key.as_dict(private=False)]}
    r = await register_by_url(client, admin, jwks_server.url)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["backend"] is True and made["jwks_url"] == jwks_server.url
    config = (await client.get("/.well-known/smart-configuration")).json()
    backend = Backend(made["client_id"], key, "RS384", config["token_endpoint"])

    first = await get_token(client, backend)
    assert first.status_code == 200, first.text
    assert first.json()["scope"] == "system/*.rs"
    assert (await get_token(client, backend)).status_code == 200
    assert jwks_server.fetches == 1  # cached

    # The client introspects its own token with a signed assertion; it is the subject.
    r = await client.post(
        "/oauth/introspect",
        data={"token": first.json()["access_token"], "client_assertion_type": ASSERTION_TYPE,
              "client_assertion": backend.assertion()},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["active"] is True and r.json()["sub"] == made["client_id"]

    # It rotates its key: the new signature fails with the cached set, so the set is fetched again.
    monkeypatch.setattr(smart_jwks, "REFETCH_SECONDS", 0.0)
    rotated = RSAKey.generate_key(2048, auto_kid=True)
    jwks_server.document = {"keys": [rotated.as_dict(private=False)]}
    r = await get_token(client, backend, backend.assertion(key=rotated))
    assert r.status_code == 200, r.text
    assert jwks_server.fetches == 2
    # The old key is gone from its set now.
    r = await get_token(client, backend, backend.assertion(key=key))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


async def test_a_jwks_url_that_fails_refuses_the_client(client, person, jwks_server):
    admin = await person("admin")
    key = RSAKey.generate_key(2048, auto_kid=True)
    config = (await client.get("/.well-known/smart-configuration")).json()
    for document, status in (
        ({"keys": [key.as_dict(private=True)]}, 200),  # private keys published
        ({"nothing": 1}, 200),
        ("x" * (smart_jwks.MAX_BYTES + 10), 200),  # too large
        ({"keys": [key.as_dict(private=False)]}, 500),
    ):
        smart_jwks.forget()
        jwks_server.document, jwks_server.status = document, status
        made = (await register_by_url(client, admin, jwks_server.url, uuid.uuid4().hex)).json()
        backend = Backend(made["client_id"], key, "RS384", config["token_endpoint"])
        r = await get_token(client, backend)
        assert r.status_code == 401 and r.json()["error"] == "invalid_client", (status, r.text)
    # Nothing listens here.
    made = (await register_by_url(client, admin, "http://127.0.0.1:9/jwks.json", "Gone")).json()
    backend = Backend(made["client_id"], key, "RS384", config["token_endpoint"])
    assert (await get_token(client, backend)).status_code == 401


async def test_bad_backend_registrations_are_refused(client, person):
    admin = await person("admin")
    key = RSAKey.generate_key(2048, auto_kid=True).as_dict(private=False)
    for body in (
        {"jwks_url": "http://keys.example.org/jwks.json"},  # http off localhost
        {"jwks_url": "ftp://127.0.0.1/jwks.json"},
        {"jwks_url": "https://user:pw@keys.example.org/jwks.json"},
        {"jwks_url": "https://keys.example.org/jwks.json", "jwks": {"keys": [key]}},
        {"jwks_url": "https://keys.example.org/jwks.json", "launch_url": "https://a.example.org"},
        {"jwks_url": "https://keys.example.org/jwks.json", "scopes": ["user/*.rs"]},
    ):
        r = await client.post(
            "/api/admin/smart-apps",
            json={"name": "Bad", "scopes": ["system/*.rs"], **body},
            headers=admin.headers,
        )
        assert r.status_code == 422, (body, r.text)
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": "Ok", "scopes": ["system/*.rs"],
              "jwks_url": "https://keys.example.org/jwks.json"},
        headers=admin.headers,
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["jwks_url"].startswith("https://")
