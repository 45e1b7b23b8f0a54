"""SMART App Launch 2.x, driven by a real OAuth 2 client (authlib) with PKCE S256.

The consent step is the API the consent screen calls. Apps read FHIR with their token; the one
access policy limits them to their granted types and launch patient, and audits every read
with the app's name.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from sqlalchemy import select

from careverse.identity.erasure import erase_account
from careverse.identity.smart_models import SmartApp, SmartGrant, SmartToken
from tests.integration.monitoring.test_manual_readings import point
from tests.integration.privacy.support import assign, audit_rows, cheap_password_hashing, person

__all__ = ["cheap_password_hashing", "person"]

REDIRECT = "https://mybp.example.org/callback"
SCOPES = "launch/patient patient/Observation.rs patient/Appointment.rs offline_access"


async def register(client, admin, *, confidential=False, scopes=None, name="MyBP") -> dict:
    r = await client.post(
        "/api/admin/smart-apps",
        json={
            "name": name,
            "redirect_uris": [REDIRECT],
            "confidential": confidential,
            "scopes": (scopes or SCOPES).split(),
        },
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def oauth_client(client, app: dict, scope: str = SCOPES, secret: str | None = None):
    """authlib's client over the test app's transport."""
    return AsyncOAuth2Client(
        client_id=app["client_id"],
        client_secret=secret,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        code_challenge_method="S256",
        scope=scope,
        redirect_uri=REDIRECT,
        transport=client._transport,
        base_url="http://testserver",
    )


async def consent(client, user, authorize_url: str, **answer) -> str:
    """The user opens the authorize URL and approves on the consent screen; answers the URL the
    browser is sent back to (the app's redirect URI with code and state)."""
    r = await client.get(authorize_url)
    assert r.status_code == 302, r.text
    target = urlsplit(r.headers["location"])
    assert target.path == "/oauth/consent"
    params = {k: v[0] for k, v in parse_qs(target.query).items()}
    preview = await client.post("/api/smart/consent/preview", json=params, headers=user.headers)
    assert preview.status_code == 200, preview.text
    decision = await client.post(
        "/api/smart/consent", json={**params, "approve": True, **answer}, headers=user.headers
    )
    assert decision.status_code == 200, decision.text
    return decision.json()["redirect_to"]


async def launch(client, user, app, *, scope=SCOPES, secret=None, **answer):
    """The whole flow: authorize, consent, code for token. Answers (authlib session, token)."""
    session = oauth_client(client, app, scope, secret)
    verifier = generate_token(64)
    url, _ = session.create_authorization_url("/oauth/authorize", code_verifier=verifier)
    back = await consent(client, user, url, **answer)
    token = await session.fetch_token(
        "/oauth/token", authorization_response=back, code_verifier=verifier
    )
    return session, token


async def add_reading(client, patient) -> None:
    fields = {"systolic_blood_pressure": (128, "mmHg"), "diastolic_blood_pressure": (82, "mmHg")}
    r = await client.post(
        "/api/monitoring/readings",
        json={
            "patient_id": str(patient.patient_id),
            "data_points": [point("blood-pressure", fields)],
        },
        headers=patient.headers,
    )
    assert r.status_code == 200, r.text


def bearer(token: dict) -> dict:
    return {"Authorization": f"Bearer {token['access_token']}"}


async def test_discovery_names_the_endpoints_and_capabilities(client):
    for path in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
        r = await client.get(path)
        assert r.status_code == 200
        body = r.json()
        assert body["authorization_endpoint"].endswith("/oauth/authorize")
        assert body["token_endpoint"].endswith("/oauth/token")
        assert body["revocation_endpoint"].endswith("/oauth/revoke")
        assert body["code_challenge_methods_supported"] == ["S256"]
        assert {"launch-standalone", "client-public", "client-confidential-symmetric",
                "context-standalone-patient", "permission-v2", "permission-patient",
                "permission-user", "permission-offline"} <= set(body["capabilities"])  # fmt: skip
        assert "authorization_code" in body["grant_types_supported"]
        assert "client_credentials" in body["grant_types_supported"]
        assert "private_key_jwt" in body["token_endpoint_auth_methods_supported"]
        assert body["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
        assert "client-confidential-asymmetric" in body["capabilities"]


async def test_only_admins_register_apps_and_secrets_are_shown_once(app, client, person):
    admin, patient = await person("admin"), await person("patient")
    r = await client.post(
        "/api/admin/smart-apps",
        json={"name": "X", "redirect_uris": [REDIRECT], "scopes": ["patient/Observation.rs"]},
        headers=patient.headers,
    )
    assert r.status_code == 403
    for bad in (
        {"redirect_uris": ["http://evil.example.org/cb"], "scopes": ["patient/Observation.rs"]},
        {"redirect_uris": [REDIRECT], "scopes": ["patient/Observation.zz"]},
        {"redirect_uris": [REDIRECT], "scopes": ["patient/Nonsense.rs"]},
    ):
        r = await client.post(
            "/api/admin/smart-apps", json={"name": "X", **bad}, headers=admin.headers
        )
        assert r.status_code in (400, 422), r.text
    made = await register(client, admin, confidential=True)
    assert made["client_secret"].startswith("cvcs_")
    listed = (await client.get("/api/admin/smart-apps", headers=admin.headers)).json()
    assert [a["client_secret"] for a in listed] == [None]
    async with app.state.runtime.db.session() as session:
        stored = await session.scalar(select(SmartApp))
        assert stored is not None and stored.secret_hash != made["client_secret"]
        assert made["client_secret"] not in (stored.secret_hash or "")


async def test_a_patient_launches_an_app_that_reads_only_what_was_granted(app, client, person):
    admin, patient, other = await person("admin"), await person("patient"), await person("patient")
    await add_reading(client, patient)
    await add_reading(client, other)
    registered = await register(client, admin)
    # The patient deselects appointments on the consent screen.
    _, token = await launch(
        client, patient, registered,
        scopes=["launch/patient", "patient/Observation.rs", "offline_access"],
    )  # fmt: skip
    assert token["token_type"].lower() == "bearer"
    assert token["patient"] == str(patient.patient_id)
    assert set(token["scope"].split()) == {"launch/patient", "patient/Observation.rs",
                                           "offline_access"}  # fmt: skip
    assert token["refresh_token"]
    headers = bearer(token)
    seq = (await audit_rows(app))[-1].seq

    mine = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] >= 1
    # Not granted: another type, another patient, the app's own /api.
    appointments = await client.get(
        f"/fhir/Appointment?patient={patient.patient_id}", headers=headers
    )
    assert appointments.status_code == 403
    theirs = await client.get(f"/fhir/Observation?patient={other.patient_id}", headers=headers)
    assert theirs.status_code == 404
    assert (await client.get("/api/me", headers=headers)).status_code == 401
    assert (
        await client.get(f"/fhir/Patient/{patient.patient_id}", headers=headers)
    ).status_code == 403

    rows = await audit_rows(app, seq)
    read = [r for r in rows if r.action == "vitals.read" and r.outcome == "success"]
    assert read and '"app": "MyBP"' in (read[0].detail or "")
    assert read[0].patient_id == patient.patient_id
    log = (await client.get("/api/me/access-log", headers=patient.headers)).json()
    assert any(e["app_name"] == "MyBP" and e["action"] == "vitals.read" for e in log)

    # The privacy page lists the app; revoking it ends its tokens at once.
    apps = (await client.get("/api/me/apps", headers=patient.headers)).json()
    assert [a["app_name"] for a in apps] == ["MyBP"]
    assert apps[0]["last_used_at"] is not None
    assert "See the patient's vital signs and measurements" in [
        s["text"] for s in apps[0]["scopes"]
    ]
    r = await client.delete(f"/api/me/apps/{apps[0]['id']}", headers=patient.headers)
    assert r.status_code == 204
    again = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=headers)
    assert again.status_code == 401
    assert (await client.get("/api/me/apps", headers=patient.headers)).json() == []
    refused = await client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
              "client_id": registered["client_id"]},
    )  # fmt: skip
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_refresh_rotates_and_revocation_ends_tokens(client, person):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin)
    session, token = await launch(client, patient, registered)
    first_refresh = token["refresh_token"]
    renewed = await session.refresh_token("/oauth/token", refresh_token=first_refresh)
    assert renewed["access_token"] != token["access_token"]
    assert renewed["refresh_token"] != first_refresh
    old = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(token))
    assert old.status_code == 401  # rotation ended the old access token
    ok = await client.get(
        f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(renewed)
    )
    assert ok.status_code == 200
    await session.revoke_token("/oauth/revoke", token=renewed["access_token"])
    gone = await client.get(
        f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(renewed)
    )
    assert gone.status_code == 401


async def test_a_rotated_refresh_token_used_again_ends_every_token_of_the_grant(client, person):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin)
    session, token = await launch(client, patient, registered)
    renewed = await session.refresh_token("/oauth/token", refresh_token=token["refresh_token"])
    with pytest.raises(OAuthError) as reused:  # the old one, presented by someone else
        await session.refresh_token("/oauth/token", refresh_token=token["refresh_token"])
    assert reused.value.error == "invalid_grant"
    for newest in ("access_token", "refresh_token"):
        assert renewed[newest]
    r = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(renewed))
    assert r.status_code == 401
    with pytest.raises(OAuthError):
        await session.refresh_token("/oauth/token", refresh_token=renewed["refresh_token"])


async def test_codes_are_bound_to_verifier_redirect_and_single_use(client, person):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin)

    async def code_for(session):
        verifier = generate_token(64)
        url, _ = session.create_authorization_url("/oauth/authorize", code_verifier=verifier)
        return await consent(client, patient, url), verifier

    session = oauth_client(client, registered)
    back, verifier = await code_for(session)
    with pytest.raises(OAuthError) as wrong:
        await session.fetch_token(
            "/oauth/token", authorization_response=back, code_verifier=generate_token(64)
        )
    assert wrong.value.error == "invalid_grant"

    back, verifier = await code_for(session)
    code = parse_qs(urlsplit(back).query)["code"][0]
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": "https://mybp.example.org/other",
            "client_id": registered["client_id"],
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    back, verifier = await code_for(session)
    token = await session.fetch_token(
        "/oauth/token", authorization_response=back, code_verifier=verifier
    )
    with pytest.raises(OAuthError) as reused:
        await session.fetch_token(
            "/oauth/token", authorization_response=back, code_verifier=verifier
        )
    assert reused.value.error == "invalid_grant"
    # The reuse ends the tokens the code gave.
    r = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(token))
    assert r.status_code == 401

    # Another app cannot spend this app's code.
    back, verifier = await code_for(session)
    stranger = await register(client, admin, name="Stranger")
    with pytest.raises(OAuthError) as foreign:
        await oauth_client(client, stranger).fetch_token(
            "/oauth/token", authorization_response=back, code_verifier=verifier
        )
    assert foreign.value.error == "invalid_grant"


async def test_authorize_refuses_bad_requests(client, person):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin)
    cid = registered["client_id"]
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    base = {"response_type": "code", "client_id": cid, "redirect_uri": REDIRECT, "state": "s1",
            "scope": "patient/Observation.rs", "code_challenge": challenge,
            "code_challenge_method": "S256"}  # fmt: skip
    # Unknown client or redirect URI: an error here, never a redirect.
    for bad in ({"client_id": "nobody"}, {"redirect_uri": "https://evil.example.org/cb"}):
        r = await client.get("/oauth/authorize", params={**base, **bad})
        assert r.status_code == 400 and "location" not in r.headers
    # Anything else goes back to the app with the error.
    for bad, error in (
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "patient/Observation.bogus"}, "invalid_scope"),
        ({"scope": "user/Encounter.rs"}, "invalid_scope"),  # not registered for this app
    ):
        r = await client.get("/oauth/authorize", params={**base, **bad})
        assert r.status_code == 302, (bad, r.text)
        query = parse_qs(urlsplit(r.headers["location"]).query)
        assert query["error"] == [error] and query["state"] == ["s1"]
    # The person says no.
    r = await client.post(
        "/api/smart/consent", json={**base, "approve": False}, headers=patient.headers
    )
    assert parse_qs(urlsplit(r.json()["redirect_to"]).query)["error"] == ["access_denied"]
    # A signed-out browser is not shown the consent screen's data.
    assert (await client.post("/api/smart/consent/preview", json=base)).status_code == 401
    # A disabled app is refused, and its tokens stop.
    _, token = await launch(client, patient, registered)
    r = await client.patch(
        f"/api/admin/smart-apps/{registered['id']}",
        json={"is_active": False},
        headers=admin.headers,
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = await client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(token))
    assert r.status_code == 401


async def test_a_confidential_client_authenticates_with_its_secret(client, person):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin, confidential=True)
    secret = registered["client_secret"]
    _, token = await launch(client, patient, registered, secret=secret)
    assert token["access_token"].startswith("cvsa_")
    with pytest.raises(OAuthError) as refused:
        await launch(client, patient, registered, secret="cvcs_wrong")
    assert refused.value.error == "invalid_client"
    # Without any authentication a confidential client is refused too.
    basic = base64.b64encode(f"{registered['client_id']}:".encode()).decode()
    r = await client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": f"Basic {basic}"},
    )  # fmt: skip
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


async def test_a_clinician_picks_a_patient_in_their_care(client, person):
    admin, doc = await person("admin"), await person("clinician")
    mine, theirs, stranger = (
        await person("patient"),
        await person("patient"),
        await person("patient"),
    )
    await assign(client, admin, doc, mine)
    await assign(client, admin, doc, theirs)
    for p in (mine, theirs):
        await add_reading(client, p)
    registered = await register(client, admin, scopes="launch/patient patient/Observation.rs")
    session = oauth_client(client, registered, "launch/patient patient/Observation.rs")
    verifier = generate_token(64)
    url, _ = session.create_authorization_url("/oauth/authorize", code_verifier=verifier)
    params = {k: v[0] for k, v in parse_qs(urlsplit(
        (await client.get(url)).headers["location"]).query).items()}  # fmt: skip
    preview = await client.post("/api/smart/consent/preview", json=params, headers=doc.headers)
    ids = {p["id"] for p in preview.json()["patients"]}
    assert ids == {str(mine.patient_id), str(theirs.patient_id)}
    # A patient outside their care cannot be chosen; nor can none be.
    for pick in (str(stranger.patient_id), None):
        r = await client.post(
            "/api/smart/consent",
            json={**params, "approve": True, "patient_id": pick}, headers=doc.headers,
        )  # fmt: skip
        assert r.status_code in (400, 422), r.text
    r = await client.post(
        "/api/smart/consent",
        json={**params, "approve": True, "patient_id": str(mine.patient_id)}, headers=doc.headers,
    )  # fmt: skip
    token = await session.fetch_token(
        "/oauth/token", authorization_response=r.json()["redirect_to"], code_verifier=verifier
    )
    assert token["patient"] == str(mine.patient_id)
    headers = bearer(token)
    ok = await client.get(f"/fhir/Observation?patient={mine.patient_id}", headers=headers)
    assert ok.status_code == 200
    # Also in the clinician's care, but not the launch patient.
    no = await client.get(f"/fhir/Observation?patient={theirs.patient_id}", headers=headers)
    assert no.status_code == 404


async def test_codes_expire(client, person, fake_clock):
    admin, patient = await person("admin"), await person("patient")
    registered = await register(client, admin)
    session = oauth_client(client, registered)
    verifier = generate_token(64)
    url, _ = session.create_authorization_url("/oauth/authorize", code_verifier=verifier)
    back = await consent(client, patient, url)
    fake_clock.advance(seconds=61)
    with pytest.raises(OAuthError) as late:
        await session.fetch_token(
            "/oauth/token", authorization_response=back, code_verifier=verifier
        )
    assert late.value.error == "invalid_grant"


async def test_erasing_a_person_deletes_their_app_grants_and_tokens(app, client, person):
    admin, patient, other = await person("admin"), await person("patient"), await person("patient")
    registered = await register(client, admin)
    _, token = await launch(client, patient, registered)
    _, kept = await launch(client, other, registered)
    async with app.state.runtime.db.session() as session:
        await erase_account(session, patient.id)
    async with app.state.runtime.db.session() as session:
        grants = (await session.scalars(select(SmartGrant))).all()
        assert [g.account_id for g in grants] == [other.id]
        tokens = (await session.scalars(select(SmartToken))).all()
        assert {t.grant_id for t in tokens} == {grants[0].id}
    gone = await client.get(
        f"/fhir/Observation?patient={patient.patient_id}", headers=bearer(token)
    )
    assert gone.status_code == 401
    still = await client.get(f"/fhir/Observation?patient={other.patient_id}", headers=bearer(kept))
    assert still.status_code == 200


async def test_everything_needs_a_wildcard_scope(client, person):
    admin, patient = await person("admin"), await person("patient")
    await add_reading(client, patient)
    narrow = await register(client, admin, scopes="launch/patient patient/Patient.rs", name="N")
    wide = await register(client, admin, scopes="launch/patient patient/*.rs", name="W")
    everything = f"/fhir/Patient/{patient.patient_id}/$everything"
    _, token = await launch(client, patient, narrow, scope="launch/patient patient/Patient.rs")
    headers = bearer(token)
    assert (await client.get(f"/fhir/Patient/{patient.patient_id}", headers=headers)).is_success
    assert (await client.get(everything, headers=headers)).status_code == 403
    _, token = await launch(client, patient, wide, scope="launch/patient patient/*.rs")
    whole = await client.get(everything, headers=bearer(token))
    assert whole.status_code == 200, whole.text
    kinds = {e["resource"]["resourceType"] for e in whole.json()["entry"]}
    assert {"Patient", "Observation"} <= kinds
