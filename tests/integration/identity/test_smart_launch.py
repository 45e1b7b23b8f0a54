"""SMART EHR launch and OpenID Connect, driven by a real OAuth 2 client (authlib) with PKCE.

A clinician launches a registered app from Careverse with a patient in context: an opaque,
single-use, short-lived ``launch`` handle goes to the app's launch URL with ``iss``; the app
asks ``/oauth/authorize`` with the ``launch`` scope and the handle, and its token answer names the
patient. With ``openid fhirUser`` it carries an ``id_token`` that verifies against the server's
published keys (joserfc), with the app's nonce.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import Text, select, type_coerce

from careverse.identity.smart_models import SmartLaunch, SmartSigningKey
from tests.integration.identity.test_smart import REDIRECT, add_reading, bearer, oauth_client
from tests.integration.privacy.support import assign, audit_rows, cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]

LAUNCH_URL = "https://mybp.example.org/launch"
EHR_SCOPES = "launch openid fhirUser patient/Observation.rs"


async def register_launchable(client, admin, scopes=EHR_SCOPES, name="BP Trends") -> dict:
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": name, "redirect_uris": [REDIRECT], "scopes": scopes.split(),
              "launch_url": LAUNCH_URL},
        headers=admin.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["launch_url"] == LAUNCH_URL
    return r.json()


async def start(client, user, app: dict, patient_id) -> dict:
    """The person launches the app for the patient; answers the launch URL's query."""
    r = await client.post(
        "/api/smart/launch",
        json={"app_id": app["id"], "patient_id": str(patient_id)},
        headers=user.headers,
    )
    assert r.status_code == 201, r.text
    opened = urlsplit(r.json()["launch_url"])
    assert f"{opened.scheme}://{opened.netloc}{opened.path}" == LAUNCH_URL
    assert str(patient_id) not in r.json()["launch_url"]
    return {k: v[0] for k, v in parse_qs(opened.query).items()}


def authorize_url(session, launch: dict, verifier: str, **extra) -> str:
    extra = {"launch": launch["launch"], "aud": launch["iss"], **extra}
    url, _ = session.create_authorization_url("/oauth/authorize", code_verifier=verifier, **extra)
    return url


async def consent_params(client, url: str) -> dict:
    r = await client.get(url)
    assert r.status_code == 302, r.text
    target = urlsplit(r.headers["location"])
    assert target.path == "/oauth/consent", r.headers["location"]
    return {k: v[0] for k, v in parse_qs(target.query).items()}


async def verify_id_token(client, token: dict, app: dict) -> dict:
    config = (await client.get("/.well-known/smart-configuration")).json()
    jwks = (await client.get(urlsplit(config["jwks_uri"]).path)).json()
    assert all("d" not in k and "p" not in k for k in jwks["keys"])  # public halves only
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": config["issuer"]},
        aud={"essential": True, "value": app["client_id"]},
        exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
    ).validate(decoded.claims)  # fmt: skip
    return decoded.claims


async def test_a_clinician_launches_an_app_with_the_patient_in_context(app, client, person):
    admin, doc = await person("admin"), await person("clinician")
    patient, other = await person("patient"), await person("patient")
    await assign(client, admin, doc, patient)
    await assign(client, admin, doc, other)
    await add_reading(client, patient)
    registered = await register_launchable(client, admin)
    await register_launchable(client, admin, scopes="patient/Observation.rs", name="Zzz")
    listed = (await client.get("/api/smart/launch-apps", headers=doc.headers)).json()
    assert "BP Trends" in [a["name"] for a in listed]

    seq = (await audit_rows(app))[-1].seq
    launch = await start(client, doc, registered, patient.patient_id)
    assert launch["iss"] == "http://127.0.0.1:8000/fhir"
    assert launch["launch"].startswith("cvl_")
    launched = await audit_rows(app, seq, action="smart-app.launch")
    assert [r.patient_id for r in launched] == [patient.patient_id]

    session = oauth_client(client, registered, EHR_SCOPES)
    verifier = generate_token(64)
    params = await consent_params(client, authorize_url(session, launch, verifier, nonce="n-0S6"))
    preview = await client.post("/api/smart/consent/preview", json=params, headers=doc.headers)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["launch_patient"]["id"] == str(patient.patient_id)
    assert shown["launch_patient"]["name"] == patient.name
    assert shown["needs_patient"] is False and shown["patients"] == []
    decision = await client.post(
        "/api/smart/consent", json={**params, "approve": True}, headers=doc.headers
    )
    assert decision.status_code == 200, decision.text
    token = await session.fetch_token(
        "/oauth/token", authorization_response=decision.json()["redirect_to"],
        code_verifier=verifier,
    )  # fmt: skip
    assert token["patient"] == str(patient.patient_id)
    claims = await verify_id_token(client, token, registered)
    assert claims["sub"] == str(doc.id)
    assert claims["nonce"] == "n-0S6"
    assert claims["fhirUser"] == f"Practitioner/{doc.id}"

    headers = bearer(token)
    ok = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=headers)
    assert ok.status_code == 200 and ok.json()["total"] >= 1
    # In the clinician's care too, but not the patient the app was launched for.
    no = await client.get(f"/fhir/Observation?patient={other.patient_id}", headers=headers)
    assert no.status_code == 404

    # The handle was spent: the same launch again is refused, back at the app.
    again = await client.get(authorize_url(session, launch, generate_token(64)))
    assert again.status_code == 302
    query = parse_qs(urlsplit(again.headers["location"]).query)
    assert query["error"] == ["invalid_request"]
    assert urlsplit(again.headers["location"]).path == urlsplit(REDIRECT).path
    refused = await client.post(
        "/api/smart/consent", json={**params, "approve": True}, headers=doc.headers
    )
    assert "code=" not in refused.text
    # The handle is stored only as its hash.
    async with app.state.runtime.db.session() as db:
        hashes = (await db.scalars(select(SmartLaunch.handle_hash))).all()
        assert launch["launch"] not in hashes and len(hashes) == 1


async def test_a_launch_for_a_patient_outside_ones_care_is_refused(app, client, person):
    admin, doc, stranger = await person("admin"), await person("clinician"), await person()
    registered = await register_launchable(client, admin)
    seq = (await audit_rows(app))[-1].seq
    r = await client.post(
        "/api/smart/launch",
        json={"app_id": registered["id"], "patient_id": str(stranger.patient_id)},
        headers=doc.headers,
    )
    assert r.status_code == 404, r.text
    denied = await audit_rows(app, seq, outcome="denied")
    assert [(d.action, d.patient_id) for d in denied] == [("record.read", stranger.patient_id)]
    async with app.state.runtime.db.session() as db:
        assert (await db.scalars(select(SmartLaunch))).all() == []
    # A patient may launch for themselves only.
    mine = await start(client, stranger, registered, stranger.patient_id)
    assert mine["launch"]
    other = await person("patient")
    r = await client.post(
        "/api/smart/launch",
        json={"app_id": registered["id"], "patient_id": str(other.patient_id)},
        headers=stranger.headers,
    )
    assert r.status_code == 404


async def test_launch_handles_expire_and_belong_to_one_person_and_app(client, person, fake_clock):
    admin, doc, colleague = (
        await person("admin"),
        await person("clinician"),
        await person("clinician"),
    )
    patient = await person("patient")
    await assign(client, admin, doc, patient)
    await assign(client, admin, colleague, patient)
    registered = await register_launchable(client, admin)
    another = await register_launchable(client, admin, name="Another")

    # Another person cannot use the clinician's handle.
    launch = await start(client, doc, registered, patient.patient_id)
    session = oauth_client(client, registered, EHR_SCOPES)
    params = await consent_params(client, authorize_url(session, launch, generate_token(64)))
    theirs = await client.post("/api/smart/consent/preview", json=params, headers=colleague.headers)
    assert theirs.status_code == 422
    # Another app cannot use it either.
    foreign = oauth_client(client, another, EHR_SCOPES)
    r = await client.get(authorize_url(foreign, launch, generate_token(64)))
    assert parse_qs(urlsplit(r.headers["location"]).query)["error"] == ["invalid_request"]

    # Five minutes later the handle is no more.
    fake_clock.advance(seconds=301)
    r = await client.get(authorize_url(session, launch, generate_token(64)))
    assert parse_qs(urlsplit(r.headers["location"]).query)["error"] == ["invalid_request"]
    r = await client.post("/api/smart/consent", json={**params, "approve": True},
                          headers=doc.headers)  # fmt: skip
    assert "code=" not in r.text


async def test_launch_requests_that_do_not_fit_are_refused(client, person):
    admin, doc, patient = await person("admin"), await person("clinician"), await person()
    await assign(client, admin, doc, patient)
    registered = await register_launchable(client, admin)
    plain = (
        await client.post(
            "/api/admin/smart-apps",
            json={"name": "No launch", "redirect_uris": [REDIRECT], "scopes": ["user/*.rs"]},
            headers=admin.headers,
        )
    ).json()
    launch = await start(client, doc, registered, patient.patient_id)
    session = oauth_client(client, registered, EHR_SCOPES)
    # The launch scope without a handle, a handle without the scope, a foreign aud.
    without_handle, _ = session.create_authorization_url(
        "/oauth/authorize", code_verifier=generate_token(64)
    )
    without_scope = oauth_client(client, registered, "patient/Observation.rs")
    wrong_aud = authorize_url(
        session, launch, generate_token(64), aud="https://evil.example.org/fhir"
    )
    for url in (
        without_handle,
        authorize_url(without_scope, launch, generate_token(64)),
        wrong_aud,
    ):
        r = await client.get(url)
        assert r.status_code == 302
        assert parse_qs(urlsplit(r.headers["location"]).query)["error"] == ["invalid_request"]
    # Bad launch requests: unknown app, an app without a launch URL, not an id, an admin.
    for body, who, status in (
        ({"app_id": plain["id"], "patient_id": str(patient.patient_id)}, doc, 404),
        ({"app_id": registered["id"], "patient_id": "nobody"}, doc, 422),
        ({"app_id": registered["id"]}, doc, 422),
        ({"app_id": registered["id"], "patient_id": str(patient.patient_id)}, admin, 403),
    ):
        r = await client.post("/api/smart/launch", json=body, headers=who.headers)
        assert r.status_code == status, (body, r.text)
    assert (await client.post("/api/smart/launch", json={})).status_code == 401
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": "X", "redirect_uris": [REDIRECT], "scopes": ["launch", "user/*.rs"],
              "launch_url": "http://evil.example.org/launch"},
        headers=admin.headers,
    )  # fmt: skip
    assert r.status_code == 422 and "launch URL" in r.text


async def test_a_patient_signs_in_to_an_app_with_openid_connect(app, client, person):
    admin, patient = await person("admin"), await person("patient")
    scopes = "openid fhirUser launch/patient patient/Observation.rs offline_access"
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": "Diary", "redirect_uris": [REDIRECT], "scopes": scopes.split()},
        headers=admin.headers,
    )
    registered = r.json()
    session = oauth_client(client, registered, scopes)
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(
        "/oauth/authorize", code_verifier=verifier, nonce="abc123"
    )
    params = await consent_params(client, url)
    decision = await client.post(
        "/api/smart/consent", json={**params, "approve": True}, headers=patient.headers
    )
    token = await session.fetch_token(
        "/oauth/token", authorization_response=decision.json()["redirect_to"],
        code_verifier=verifier,
    )  # fmt: skip
    claims = await verify_id_token(client, token, registered)
    assert claims["sub"] == str(patient.id)
    assert claims["fhirUser"] == f"Patient/{patient.patient_id}"
    assert claims["nonce"] == "abc123"
    # A refreshed token answer carries a new id_token (without the nonce of the sign-in).
    renewed = await session.refresh_token("/oauth/token", refresh_token=token["refresh_token"])
    again = await verify_id_token(client, renewed, registered)
    assert again["sub"] == str(patient.id) and "nonce" not in again
    # The private key is stored encrypted with the key ring, never in the clear.
    async with app.state.runtime.db.session() as db:
        stored = (await db.scalars(select(SmartSigningKey))).one()
        raw = await db.scalar(select(type_coerce(SmartSigningKey.private_jwk, Text)))
    assert '"d"' in stored.private_jwk  # the ORM decrypts it
    assert raw is not None and raw.startswith("cv1:") and '"d"' not in raw
    discovery = (await client.get("/.well-known/openid-configuration")).json()
    assert discovery["jwks_uri"].endswith("/.well-known/jwks.json")
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]

    # Without openid there is no id_token; without fhirUser no fhirUser claim.
    plain = oauth_client(client, registered, "openid launch/patient patient/Observation.rs")
    verifier = generate_token(64)
    url, _ = plain.create_authorization_url("/oauth/authorize", code_verifier=verifier)
    params = await consent_params(client, url)
    decision = await client.post(
        "/api/smart/consent", json={**params, "approve": True}, headers=patient.headers
    )
    token = await plain.fetch_token(
        "/oauth/token", authorization_response=decision.json()["redirect_to"],
        code_verifier=verifier,
    )  # fmt: skip
    claims = await verify_id_token(client, token, registered)
    assert "fhirUser" not in claims and "nonce" not in claims
    # A token of the id_token's shape but signed by someone else does not verify.
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    kid = jwks.keys[0].kid
    forged = jwt.encode({"alg": "RS256", "kid": kid}, claims, RSAKey.generate_key(2048))
    with pytest.raises(BadSignatureError):
        jwt.decode(forged, jwks, algorithms=["RS256"])


async def test_discovery_lists_launch_and_openid_truthfully(client):
    body = (await client.get("/.well-known/smart-configuration")).json()
    assert {"launch-ehr", "context-ehr-patient", "sso-openid-connect"} <= set(body["capabilities"])
    assert {"launch", "openid", "fhirUser"} <= set(body["scopes_supported"])
    assert body["introspection_endpoint"].endswith("/oauth/introspect")
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert [k["alg"] for k in jwks["keys"]] == ["RS256"] and jwks["keys"][0]["kid"]
    assert {"n", "e"} <= set(jwks["keys"][0]) and "d" not in jwks["keys"][0]


async def test_the_capability_statement_points_to_smart(client):
    config = (await client.get("/.well-known/smart-configuration")).json()
    statement = (await client.get("/fhir/metadata")).json()
    security = statement["rest"][0]["security"]
    codes = [c["code"] for s in security["service"] for c in s["coding"]]
    assert codes == ["SMART-on-FHIR"]
    (oauth,) = [
        e for e in security["extension"]
        if e["url"] == "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    ]  # fmt: skip
    uris = {e["url"]: e["valueUri"] for e in oauth["extension"]}
    assert uris["authorize"] == config["authorization_endpoint"]
    assert uris["token"] == config["token_endpoint"]
    assert uris["revoke"] == config["revocation_endpoint"]
    assert uris["introspect"] == config["introspection_endpoint"]
    # A valid R4 CapabilityStatement still (the FHIR models of fhir.resources).
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(statement)
