"""SMART Backend Services: a backend client registered with its public keys signs an assertion,
gets a system/ token with client_credentials and runs a Bulk Data export; bad assertions,
replays and scopes it was not allowed are refused, and its token works nowhere else."""

from __future__ import annotations

import json
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from careverse.kernel import clock
from tests.integration.fhir.test_bulk import ASYNC, finished, kick_off, lines, local
from tests.integration.fhir.test_record_sections import before_nine, demo_like_patient
from tests.integration.privacy.support import audit_rows

__all__ = ["before_nine"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def settings_overrides() -> dict:
    return {"fhir_bulk_check_seconds": 600, "access_token_ttl_seconds": 3 * 24 * 3600}


class Backend:
    def __init__(self, client_id: str, key, alg: str, token_url: str):
        self.client_id, self.key, self.alg, self.token_url = client_id, key, alg, token_url

    def assertion(self, *, key=None, aud=None, lifetime=240, jti=None) -> str:
        now = int(clock.now().timestamp())
        claims = {
            "iss": self.client_id, "sub": self.client_id, "aud": aud or self.token_url,
            "exp": now + lifetime, "iat": now, "jti": jti or uuid.uuid4().hex,
        }  # fmt: skip
        key = key or self.key
        header = {"alg": self.alg, "kid": key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, key, algorithms=[self.alg])


async def register(client, admin, key, alg="RS384", scopes=("system/*.rs",)) -> Backend:
    r = await client.post(
        "/api/admin/smart-apps",
        json={
            "name": "Registry feed",
            "scopes": list(scopes),
            "jwks": {"keys": [key.as_dict(private=False)]},
        },
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["backend"] is True and body["client_secret"] is None
    config = (await client.get("/.well-known/smart-configuration")).json()
    return Backend(body["client_id"], key, alg, config["token_endpoint"])


async def get_token(client, backend: Backend, assertion: str | None = None, scope="system/*.rs"):
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials", "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or backend.assertion(),
        },
    )  # fmt: skip


class Bearer:
    def __init__(self, token: str):
        self.headers = {"Authorization": f"Bearer {token}"}


async def test_a_backend_client_exports_every_record(app, client, person, before_nine):
    people = await demo_like_patient(app, client, person)
    backend = await register(client, people["admin"], RSAKey.generate_key(2048, auto_kid=True))
    r = await get_token(client, backend)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "system/*.rs"
    assert "refresh_token" not in body and "patient" not in body
    who = Bearer(body["access_token"])
    status_url = await kick_off(client, who)
    manifest = await finished(app, client, who, status_url)
    outputs = {o["type"]: o for o in manifest["output"]}
    patients = lines(await client.get(local(outputs["Patient"]["url"]), headers=who.headers))
    assert str(people["patient"].patient_id) in {p["id"] for p in patients}
    # The registering admin's own session does not see the backend client's job.
    r = await client.get(local(status_url), headers=people["admin"].headers)
    assert r.status_code == 404, r.text
    starts = await audit_rows(app, action="fhir.export.start")
    assert [json.loads(row.detail or "{}").get("app") for row in starts] == ["Registry feed"]
    assert await audit_rows(app, action="smart-app.backend-token")
    reads = [r for r in await audit_rows(app, action="record.read") if r.patient_id is not None]
    assert str(people["patient"].patient_id) in {str(r.patient_id) for r in reads}
    assert {json.loads(r.detail or "{}").get("app") for r in reads} == {"Registry feed"}
    assert len(await audit_rows(app, action="fhir.export.download")) == 1
    # Only export: no other FHIR read, and nothing outside /fhir.
    r = await client.get(f"/fhir/Patient/{people['patient'].patient_id}", headers=who.headers)
    assert r.status_code == 403 and "may only export" in r.text
    r = await client.get("/api/me", headers=who.headers)
    assert r.status_code == 401, r.text


async def test_an_es384_client_is_accepted(client, person):
    admin = await person("admin")
    backend = await register(client, admin, ECKey.generate_key("P-384", auto_kid=True), "ES384")
    r = await get_token(client, backend)
    assert r.status_code == 200, r.text


async def test_bad_assertions_are_refused(client, person):
    admin = await person("admin")
    backend = await register(client, admin, RSAKey.generate_key(2048, auto_kid=True))
    other = RSAKey.generate_key(2048, parameters={"kid": backend.key.kid})
    refused = {
        "wrong key": backend.assertion(key=other),
        "wrong aud": backend.assertion(aud="https://elsewhere.example/oauth/token"),
        "expired": backend.assertion(lifetime=-120),
        "too long": backend.assertion(lifetime=3600),
        "garbage": "not.a.jwt",
    }
    for why, assertion in refused.items():
        r = await get_token(client, backend, assertion)
        assert r.status_code == 401, why
        assert r.json()["error"] == "invalid_client", why
    once = backend.assertion()
    assert (await get_token(client, backend, once)).status_code == 200
    r = await get_token(client, backend, once)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    for scope in ("system/Observation.cruds", "patient/*.rs", "system/*.cruds"):
        r = await get_token(client, backend, scope=scope)
        assert r.status_code == 400 and r.json()["error"] == "invalid_scope", scope


async def test_a_client_with_one_type_cannot_export_everything(client, person):
    admin = await person("admin")
    key = RSAKey.generate_key(2048, auto_kid=True)
    backend = await register(client, admin, key, scopes=("system/Patient.rs",))
    r = await get_token(client, backend, scope="system/Patient.rs")
    assert r.status_code == 200, r.text
    who = Bearer(r.json()["access_token"])
    r = await client.get("/fhir/$export", headers={**who.headers, **ASYNC})
    assert r.status_code == 403, r.text


async def test_only_backend_clients_get_system_scopes_and_keys_are_checked(client, person):
    admin = await person("admin")
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": "X", "redirect_uris": ["https://x.example/cb"], "scopes": ["system/*.rs"]},
        headers=admin.headers,
    )
    assert r.status_code == 422
    private = RSAKey.generate_key(2048).as_dict(private=True)
    for jwks, scopes in (
        ({"keys": [private]}, ["system/*.rs"]),
        ({"keys": "nope"}, ["system/*.rs"]),
        ({"keys": [RSAKey.generate_key(2048).as_dict(private=False)]}, ["patient/*.rs"]),
    ):
        r = await client.post(
            "/api/admin/smart-apps",
            json={"name": "X", "scopes": scopes, "jwks": jwks},
            headers=admin.headers,
        )
        assert r.status_code == 422, r.text
