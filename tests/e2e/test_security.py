"""Account security in a real browser: two-step sign-in, passwords, reset links."""

from __future__ import annotations

import re
import time

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from .support import (
    AXE_SCRIPT,
    Inbox,
    LiveServer,
    PageProblems,
    Person,
    add_user_via_cli,
    assert_clean_load,
    new_person,
    register_via_api,
    reset_token_via_cli,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "amber meadow kettles 82"


def open_security_settings(page: Page, base_url: str) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Security").click()
    expect(page).to_have_url(f"{base_url}/settings/security")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Security settings")
    expect(heading).to_be_focused()


def start_enrolment(page: Page) -> pyotp.TOTP:
    """Press "Set up", check the QR code and the setup key, and answer the key's TOTP."""
    expect(page.get_by_role("heading", name="Connect your authenticator app")).to_be_focused()
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("viewBox")
    assert len(qr.locator("path").get_attribute("d") or "") > 1000
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    link = page.get_by_role("link", name=re.compile("authenticator app"))
    expect(link).to_have_attribute("href", re.compile(rf"^otpauth://totp/.*secret={secret}"))
    return pyotp.TOTP(secret)


def wrong_code(totp: pyotp.TOTP) -> str:
    """A code that the server cannot accept now (none of the neighbouring steps)."""
    near = {totp.at(time.time() + step) for step in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 111111)) if c not in near)


def not_at_a_step_boundary() -> None:
    """Wait out the last seconds of a 30-second TOTP step, so that a code computed now is
    judged by the server in the same step."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)


def sign_out(page: Page, base_url: str) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/signin")


# ---- two-step sign-in -------------------------------------------------------------------


def test_enrol_two_step_sign_in_then_sign_in_with_a_code_then_turn_it_off(
    page: Page, problems: PageProblems, base_url: str, person: Person
):
    sign_in(page, base_url, person)
    open_security_settings(page, base_url)
    expect(page.get_by_text("Off", exact=True)).to_be_visible()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    totp = start_enrolment(page)
    # The QR encoder is loaded on demand; that must not trip the CSP or log errors.
    assert_clean_load(page, problems)

    code = page.get_by_label("Code from your app")
    code.fill(wrong_code(totp))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(code).to_be_focused()
    expect(code).to_have_accessible_description(re.compile("That code is not right"))

    # The previous step's code, so that the current one is still unused for signing in.
    not_at_a_step_boundary()
    code.fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Two-step sign-in is on"))
    expect(page.get_by_role("heading", name="Two-step sign-in", exact=True)).to_be_focused()
    expect(page.get_by_text("On", exact=True)).to_be_visible()

    sign_out(page, base_url)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("One-time code").fill(totp.now())
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page).to_have_url(f"{base_url}/home")

    open_security_settings(page, base_url)
    code = page.get_by_label("Code from your app")
    code.fill(wrong_code(totp))
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(code).to_have_accessible_description(re.compile("not correct"))
    # The next step's code: later than the one used to sign in, and still accepted.
    code.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Turn off two-step sign-in").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Two-step sign-in is off"))
    expect(page.get_by_text("Off", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Set up two-step sign-in")).to_be_visible()


def test_mandatory_two_step_sign_in_keeps_a_clinician_on_set_up(browser, strict_server: LiveServer):
    """With CAREVERSE_MFA_REQUIRED, a clinician goes straight to set-up, on a phone too."""
    base_url = strict_server.base_url
    clinician = new_person("Dr Mae Jemison", role="clinician")
    add_user_via_cli(strict_server, clinician)
    # axe needs its script injected, which the page's CSP forbids.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in(page, base_url, clinician, lands_on="/setup-two-step")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
        totp_secret = page.locator("#totp-secret")
        expect(totp_secret).to_be_visible()
        expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        assert run_axe(page) == []

        for path in ("/home", "/patients", "/settings/security"):
            page.goto(f"{base_url}{path}")
            expect(page).to_have_url(f"{base_url}/setup-two-step")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
        # Each visit starts a new enrolment: the key on the page now is the one that counts.
        totp = pyotp.TOTP(totp_secret.inner_text().replace(" ", ""))
        page.get_by_label("Code from your app").fill(totp.now())
        page.get_by_role("button", name="Turn on two-step sign-in").click()

        expect(page).to_have_url(f"{base_url}/home")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Welcome, {clinician.display_name}"
        )
        expect(page.get_by_role("status")).to_have_text(re.compile("Two-step sign-in is on"))
        page.get_by_role("button", name="Menu").click()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Patients")).to_be_visible()

        # The role requires it: turning it off is refused, and the page says why.
        open_security_settings(page, base_url)
        page.get_by_label("Code from your app").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Turn off two-step sign-in").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Your role requires two-step sign-in, so it cannot be turned off."
        )
        expect(page.get_by_text("On", exact=True)).to_be_visible()
    finally:
        context.close()


# ---- passwords --------------------------------------------------------------------------


def test_change_password_then_sign_in_with_the_new_one(page: Page, base_url: str, person: Person):
    # Another device, signed in: changing the password ends its session.
    other = httpx.Client(base_url=base_url, timeout=10)
    signed_in = other.post(
        "/api/auth/session", json={"email": person.email, "password": person.password}
    )
    assert signed_in.status_code == 200

    sign_in(page, base_url, person)
    open_security_settings(page, base_url)
    current = page.get_by_label("Current password")
    new = page.get_by_label("New password", exact=True)
    confirm = page.get_by_label("Confirm new password")
    change = page.get_by_role("button", name="Change password")

    change.click()
    expect(current).to_be_focused()
    expect(current).to_have_accessible_description(re.compile("Enter your current password"))

    current.fill("not my password at all")
    new.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD + "x")
    change.click()
    expect(confirm).to_have_accessible_description(re.compile("not the same"))

    confirm.fill(NEW_PASSWORD)
    change.click()
    expect(current).to_be_focused()
    expect(current).to_have_accessible_description(re.compile("current password is not correct"))

    current.fill(person.password)
    new.fill("password1234")  # long enough, but common: only the server knows
    confirm.fill("password1234")
    change.click()
    expect(new).to_be_focused()
    expect(new).to_have_accessible_description(re.compile("too common", re.IGNORECASE))

    new.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD)
    change.click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Your password has been changed"))
    expect(current).to_have_value("")
    assert other.get("/api/me").status_code == 401
    other.close()

    sign_out(page, base_url)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("not correct"))
    person.password = NEW_PASSWORD
    sign_in(page, base_url, person)


def test_reset_link_from_the_server_sets_a_new_password(
    page: Page, live_server: LiveServer, person: Person
):
    base_url = live_server.base_url
    token = reset_token_via_cli(live_server, person.email)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{base_url}/reset-password#token={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    # Read once, the token leaves the address bar (and history).
    expect(page).to_have_url(f"{base_url}/reset-password")
    new = page.get_by_label("New password", exact=True)
    confirm = page.get_by_label("Confirm new password")
    new.fill(NEW_PASSWORD)
    confirm.fill("something else entirely")
    page.get_by_role("button", name="Set new password").click()
    expect(confirm).to_be_focused()
    expect(confirm).to_have_accessible_description(re.compile("not the same"))

    confirm.fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page).to_have_url(f"{base_url}/signin")
    expect(page.get_by_role("status")).to_have_text(
        "Your password has been changed. Sign in with your new password."
    )
    assert not any(token in url for url in requested)
    person.password = NEW_PASSWORD
    sign_in(page, base_url, person)

    # The link works once.
    page.goto(f"{base_url}/reset-password#token={token}")
    page.get_by_label("New password", exact=True).fill("yet another fine passphrase 3")
    page.get_by_label("Confirm new password").fill("yet another fine passphrase 3")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This link is no longer valid; ask for a new one."
    )
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_focused()


def test_forgot_password_without_email_set_up_sends_people_to_their_administrator(
    page: Page, base_url: str, person: Person
):
    page.goto(f"{base_url}/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{base_url}/forgot-password")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Forgot your password?")
    expect(heading).to_be_focused()

    email = page.get_by_label("Email address")
    page.get_by_role("button", name="Send reset link").click()
    expect(email).to_be_focused()
    expect(email).to_have_accessible_description(re.compile("Enter your email address"))
    email.fill(person.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Password reset by email is not set up on this server. "
        "Ask your administrator to reset your password."
    )


def test_forgot_password_emails_a_link_and_answers_the_same_for_anyone(
    page: Page, strict_server: LiveServer, inbox: Inbox
):
    base_url = strict_server.base_url
    person = new_person("Rosalind Franklin")
    register_via_api(base_url, person)
    neutral = re.compile("If an account exists for that address")

    for address in (f"nobody-{person.email}", person.email):
        page.goto(f"{base_url}/forgot-password")
        page.get_by_label("Email address").fill(address)
        page.get_by_role("button", name="Send reset link").click()
        sent = page.get_by_role("status")
        expect(sent).to_have_text(neutral)
        expect(sent).to_be_focused()
        expect(page.get_by_label("Email address")).to_have_count(0)

    message = inbox.wait_for(person.email)
    body = message.get_payload(decode=True).decode()
    token = re.search(r"/reset-password#token=(\S+)", body).group(1)
    page.goto(f"{base_url}/reset-password#token={token}")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page).to_have_url(f"{base_url}/signin")
    person.password = NEW_PASSWORD
    sign_in(page, base_url, person)


# ---- accessibility ----------------------------------------------------------------------


def test_security_pages_pass_axe_and_fit_a_phone(browser, base_url: str, person: Person):
    if not AXE_SCRIPT.exists():
        pytest.fail("client/node_modules/axe-core is missing: run `make client`.", pytrace=False)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, bypass_csp=True
    )
    try:
        page = context.new_page()

        def check() -> None:
            assert run_axe(page) == []
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{page.url} is {width}px wide"

        page.goto(f"{base_url}/forgot-password")
        page.get_by_role("button", name="Send reset link").click()  # with an error showing
        expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
        check()

        page.goto(f"{base_url}/reset-password")  # no token: ask for a new link
        expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
        check()
        page.goto(f"{base_url}/reset-password#token=cvp_not_a_real_token")
        page.get_by_role("button", name="Set new password").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check()

        sign_in(page, base_url, person)
        page.goto(f"{base_url}/settings/security")
        page.get_by_role("button", name="Change password").click()
        page.get_by_role("button", name="Set up two-step sign-in").click()
        expect(page.locator("#totp-secret")).to_be_visible()
        check()
    finally:
        context.close()
