"""SMART App Launch in a real browser: a signed-out patient follows an app's authorisation link,
signs in, comes back to the consent screen (accessible: axe), unticks a scope and allows; the
app trades the code for a token; the privacy page lists the app and revokes it."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Route, expect

from .support import (
    LiveServer,
    PageProblems,
    add_user_via_cli,
    api_as,
    care_team,
    new_person,
    ok,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

REDIRECT = "http://localhost:9/callback"  # never reached: the test answers it in the browser


def test_a_patient_connects_an_app_on_the_consent_screen(
    browser, live_server: LiveServer, base_url: str, problems: PageProblems
):
    admin = new_person("Ada Admin", role="admin")
    add_user_via_cli(live_server, admin)
    patient = new_person("Grace Hopper")
    register_via_api(base_url, patient)
    with api_as(base_url, admin) as as_admin:
        app = ok(
            as_admin.post(
                "/api/admin/smart-apps",
                json={
                    "name": "MyBP",
                    "redirect_uris": [REDIRECT],
                    "scopes": [
                        "launch/patient",
                        "patient/Observation.rs",
                        "patient/Appointment.rs",
                    ],
                },
            ),
            201,
        )
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = urlencode({
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "scope": "launch/patient patient/Observation.rs patient/Appointment.rs",
        "state": "xyz", "code_challenge": challenge, "code_challenge_method": "S256",
    })  # fmt: skip

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # fmt: skip
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        arrived: list[str] = []

        def app_callback(route: Route) -> None:
            arrived.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<title>MyBP</title>ok")

        page.route("http://localhost:9/**", app_callback)
        page.goto(f"{base_url}/oauth/authorize?{query}")
        # Signed out: the sign-in page first, then back to the consent screen.
        expect(page).to_have_url(re.compile(r"/signin\?next="))
        page.get_by_label("Email address").fill(patient.email)
        page.get_by_label("Password").fill(patient.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/oauth/consent\?"))
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text("Allow MyBP to use your Careverse information?")
        vitals = page.get_by_role("checkbox", name=re.compile("vital signs and measurements"))
        appointments = page.get_by_role("checkbox", name=re.compile("appointments"))
        expect(vitals).to_be_checked()
        expect(appointments).to_be_checked()
        assert run_axe(page) == []
        appointments.uncheck()
        page.get_by_role("button", name="Allow").click()
        page.wait_for_url(re.compile(r"^http://localhost:9/callback"))
        assert problems.page_errors == []

        back = parse_qs(urlsplit(arrived[-1]).query)
        assert back["state"] == ["xyz"]
        token = ok(
            httpx.post(
                f"{base_url}/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": back["code"][0],
                    "redirect_uri": REDIRECT,
                    "client_id": app["client_id"],
                    "code_verifier": verifier,
                },
                timeout=10,
            )
        )
        assert token["scope"].split() == ["launch/patient", "patient/Observation.rs"]
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        observations = httpx.get(
            f"{base_url}/fhir/Observation", params={"patient": token["patient"]}, headers=bearer
        )
        assert observations.status_code == 200, observations.text

        # The privacy page lists the app; revoking it ends its access.
        page.goto(f"{base_url}/privacy")
        apps = page.get_by_role("region", name="Apps I have connected")
        expect(apps.get_by_role("heading", name="MyBP")).to_be_visible()
        expect(apps).to_contain_text("See the patient's vital signs and measurements")
        apps.get_by_role("button", name="Revoke access for MyBP").click()
        expect(apps.get_by_role("status")).to_have_text("MyBP can no longer use your information.")
        expect(apps).to_contain_text("You have not connected any apps.")
        again = httpx.get(
            f"{base_url}/fhir/Observation", params={"patient": token["patient"]}, headers=bearer
        )
        assert again.status_code == 401
    finally:
        context.close()


def test_an_admin_registers_and_turns_off_an_app(
    browser, live_server: LiveServer, base_url: str, problems: PageProblems
):
    admin = new_person("Ada Admin", role="admin")
    add_user_via_cli(live_server, admin)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # fmt: skip
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        sign_in(page, base_url, admin)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Apps").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Apps")
        form = page.get_by_role("region", name="Register an app")
        form.get_by_label("Name").fill("Clinic BP")
        form.get_by_label("Redirect URIs").fill("https://bp.example.org/cb")
        form.get_by_label("Scopes it may ask for").fill("launch/patient patient/Observation.rs")
        form.get_by_label("Launch URL").fill("https://bp.example.org/launch")
        form.get_by_label("Confidential").check()
        form.get_by_role("button", name="Register app").click()
        secret = page.get_by_label("Client secret: copy it now")
        expect(secret).to_have_value(re.compile(r"^cvcs_"))
        row = page.get_by_role("row").filter(has_text="Clinic BP")
        expect(row).to_contain_text("Confidential; Can be launched from a patient")
        # A backend client, its keys at a JWKS URL.
        backend = page.get_by_role("region", name="Register a backend client")
        backend.get_by_label("Name").fill("Registry feed e2e")
        backend.get_by_label("JWKS URL").fill("https://keys.example.org/jwks.json")
        backend.get_by_role("button", name="Register backend client").click()
        expect(backend.get_by_role("status")).to_have_text("Registry feed e2e is registered.")
        feed = page.get_by_role("row").filter(has_text="Registry feed e2e")
        expect(feed).to_contain_text("Backend client")
        expect(feed).to_contain_text("system/*.rs")
        assert run_axe(page) == []
        page.get_by_role("button", name="Turn off the app Clinic BP").click()
        expect(page.get_by_role("button", name="Turn on the app Clinic BP")).to_be_visible()
        page.reload()
        expect(page.get_by_label("Client secret: copy it now")).to_have_count(0)
        assert problems.page_errors == []
    finally:
        context.close()


def test_a_clinician_launches_an_app_with_the_patient_in_context(
    browser, live_server: LiveServer, base_url: str, problems: PageProblems
):
    clinician = new_person("Dr. Lin Launch", role="clinician")
    patient = new_person("Pat Launchley")
    patient_id = care_team(live_server, clinician, patient)
    admin = new_person("Ada Admin", role="admin")
    add_user_via_cli(live_server, admin)
    name = f"BP Trends {secrets.token_hex(3)}"
    scopes = "launch openid fhirUser patient/Observation.rs"
    with api_as(base_url, admin) as as_admin:
        app = ok(
            as_admin.post(
                "/api/admin/smart-apps",
                json={"name": name, "redirect_uris": [REDIRECT], "scopes": scopes.split(),
                      "launch_url": "http://localhost:9/launch"},
            ),
            201,
        )  # fmt: skip
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # fmt: skip
    try:
        context.route(
            "http://localhost:9/**",
            lambda route: route.fulfill(status=200, content_type="text/html",
                                        body="<title>BP Trends</title>ok"),
        )  # fmt: skip
        page = context.new_page()
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        sign_in(page, base_url, clinician)
        page.goto(f"{base_url}/monitoring?patient={patient_id}")
        apps = page.get_by_role("region", name="Apps")
        with context.expect_page() as opened:
            apps.get_by_role("button", name=f"Launch {name}").click()
        tab = opened.value
        tab.wait_for_url(re.compile(r"^http://localhost:9/launch\?"))
        assert patient_id not in tab.url
        launch = {k: v[0] for k, v in parse_qs(urlsplit(tab.url).query).items()}
        assert launch["iss"].endswith("/fhir") and launch["launch"].startswith("cvl_")
        expect(apps.get_by_role("status")).to_have_text(f"{name} is opening in a new tab.")

        # The app sends the clinician (signed in already) to authorise with the launch.
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()
        ).rstrip(b"=").decode()  # fmt: skip
        query = urlencode({
            "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
            "scope": scopes, "state": "s", "code_challenge": challenge,
            "code_challenge_method": "S256", "launch": launch["launch"], "aud": launch["iss"],
            "nonce": "n1",
        })  # fmt: skip
        tab.goto(f"{base_url}/oauth/authorize?{query}")
        expect(tab).to_have_url(re.compile(r"/oauth/consent\?"))
        expect(tab.get_by_text("Opened for the patient Pat Launchley.")).to_be_visible()
        expect(tab.get_by_label("Which patient is this for?")).to_have_count(0)
        assert run_axe(tab) == []
        tab.get_by_role("button", name="Allow").click()
        tab.wait_for_url(re.compile(r"^http://localhost:9/callback"))
        back = parse_qs(urlsplit(tab.url).query)
        token = ok(
            httpx.post(
                f"{base_url}/oauth/token",
                data={"grant_type": "authorization_code", "code": back["code"][0],
                      "redirect_uri": REDIRECT, "client_id": app["client_id"],
                      "code_verifier": verifier},
                timeout=10,
            )
        )  # fmt: skip
        assert token["patient"] == patient_id and token["id_token"]
        assert problems.page_errors == []
    finally:
        context.close()
