"""The web shell in a real browser: sign-up, sign-in, sign-out, role homes, accessibility."""

from __future__ import annotations

import re
import time

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect

from .support import (
    AXE_SCRIPT,
    LiveServer,
    PageProblems,
    Person,
    add_user_via_cli,
    assert_clean_load,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

PATIENT_AREAS = [
    "My health",
    "Appointments",
    "Vitals",
    "Support groups",
    "Wellbeing",
    "Privacy & data",
]
ROLE_AREAS = {
    "caregiver": ["People I support", "Appointments", "Caregiver groups"],
    "clinician": ["Patients", "Schedule", "Alerts", "Consultations", "Spaces"],
    "moderator": ["Moderation queue", "Communities"],
    "researcher": ["Cohorts", "Exports"],
    "admin": ["Accounts", "Audit", "System"],
}


def cookie_names(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


# ---- sign-up, sign-out, sign-in ----------------------------------------------------------


def test_sign_up_lands_on_patient_home_then_sign_out_and_back_in(page: Page, base_url: str):
    person = new_person("Ada Lovelace")
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/signin")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(f"{base_url}/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")

    page.get_by_label("Your name").fill(person.display_name)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_label("A patient").check()
    page.get_by_label("Date of birth").fill("1985-04-12")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{base_url}/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada Lovelace")
    main_nav = page.get_by_role("navigation", name="Main")
    for area in PATIENT_AREAS:
        expect(main_nav.get_by_role("link", name=area, exact=True)).to_be_visible()
    # Tokens live in HttpOnly cookies; scripts see only the CSRF cookie and store nothing.
    assert {"cv_session", "cv_refresh", "cv_csrf"} <= cookie_names(page)
    visible_to_scripts = page.evaluate("document.cookie")
    assert "cv_csrf=" in visible_to_scripts
    assert "cv_session" not in visible_to_scripts and "cv_refresh" not in visible_to_scripts
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/signin")
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    assert "cv_session" not in cookie_names(page)
    page.goto(f"{base_url}/home")
    expect(page).to_have_url(f"{base_url}/signin")

    sign_in(page, base_url, person)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada Lovelace")


def test_wrong_password_shows_the_error(page: Page, base_url: str, person: Person):
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email address or password is not correct.")
    expect(page).to_have_url(f"{base_url}/signin")
    assert "cv_session" not in cookie_names(page)


def test_missing_fields_are_announced_and_tied_to_their_inputs(page: Page, base_url: str):
    page.goto(f"{base_url}/signin")
    page.get_by_role("button", name="Sign in").click()
    email = page.get_by_label("Email address")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter your email address"))
    expect(page.get_by_label("Password")).to_have_accessible_description(
        re.compile("Enter your password")
    )


def test_password_policy_message_from_the_server_is_shown_at_the_field(page: Page, base_url: str):
    person = new_person("Policy Test")
    page.goto(f"{base_url}/signup")
    page.get_by_label("Your name").fill(person.display_name)
    page.get_by_label("Email address").fill(person.email)
    password = page.get_by_label("Password")

    password.fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(password).to_be_focused()
    expect(password).to_have_accessible_description(re.compile("at least 12 characters"))

    password.fill("password1234")  # long enough, but common: only the server knows
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("correct the highlighted fields"))
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile("too common", re.IGNORECASE))
    expect(page).to_have_url(f"{base_url}/signup")


def test_a_taken_email_is_not_revealed(page: Page, base_url: str, person: Person):
    page.goto(f"{base_url}/signup")
    page.get_by_label("Your name").fill("Someone Else")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill("another calm long passphrase 9")
    page.get_by_role("button", name="Create account").click()
    # Sign-up answers as for a new address (the owner is e-mailed); signing in with the other
    # password then fails, and the sign-in page says so without confirming the account exists.
    expect(page).to_have_url(f"{base_url}/signin")
    expect(page.get_by_text(re.compile("If this address already had an account"))).to_be_visible()
    expect(page.get_by_text(re.compile("already exists"))).to_have_count(0)


def test_too_many_attempts_tells_when_to_try_again(page: Page, base_url: str, person: Person):
    for _ in range(5):
        answer = httpx.post(
            f"{base_url}/api/auth/session",
            json={"email": person.email, "password": "wrong wrong wrong"},
            timeout=10,
        )
        assert answer.status_code == 401
    page.goto(f"{base_url}/signin")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Too many attempts\. Try again in \d+ (seconds?|minutes?)\.")
    )


def test_one_time_code_field_appears_when_the_account_uses_mfa(
    page: Page, base_url: str, person: Person
):
    with httpx.Client(base_url=base_url, timeout=10) as api:
        assert (
            api.post(
                "/api/auth/session", json={"email": person.email, "password": person.password}
            ).status_code
            == 200
        )
        csrf = {"X-CSRF-Token": api.cookies["cv_csrf"]}
        enrolment = api.post("/api/me/mfa/totp", headers=csrf)
        assert enrolment.status_code == 201, enrolment.text
        totp = pyotp.TOTP(enrolment.json()["secret"])
        # Confirm with the previous step's code so the current one is still unused.
        confirmed = api.post(
            "/api/me/mfa/totp/confirm",
            json={"code": totp.at(time.time() - 30)},
            headers=csrf,
        )
        assert confirmed.status_code == 204, confirmed.text

    page.goto(f"{base_url}/signin")
    expect(page.get_by_label("One-time code")).to_have_count(0)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    otp = page.get_by_label("One-time code")
    expect(otp).to_be_focused()

    otp.fill("12345")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(otp).to_have_accessible_description(re.compile("6 digits"))

    otp.fill(totp.now())
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page).to_have_url(f"{base_url}/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")


# ---- sessions ---------------------------------------------------------------------------


def test_expired_access_cookie_is_refreshed_transparently(
    page: Page, base_url: str, person: Person
):
    sign_in(page, base_url, person)
    page.context.clear_cookies(name="cv_session")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    assert "cv_session" in cookie_names(page)


def test_a_page_load_rotates_the_session_once(page: Page, base_url: str, person: Person):
    """Every request and live stream of the page that found the access cookie gone shares one
    rotation: a second would void the new access cookie that the others' retries carry."""
    sign_in(page, base_url, person)
    page.context.clear_cookies(name="cv_session")
    refreshes: list[str] = []
    page.on(
        "request",
        lambda request: (
            refreshes.append(request.url)
            if request.url.endswith("/api/auth/session/refresh")
            else None
        ),
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    # The live streams reconnect a second after they were refused: let them.
    page.wait_for_timeout(2500)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    assert len(refreshes) == 1, refreshes


def test_ended_session_goes_back_to_sign_in(page: Page, base_url: str, person: Person):
    sign_in(page, base_url, person)
    page.context.clear_cookies(name="cv_session")
    page.context.clear_cookies(name="cv_refresh")
    page.goto(f"{base_url}/vitals")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fvitals$"))
    assert "cv_csrf" not in cookie_names(page)
    # After signing in, the person is taken where they were going.
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/vitals")


# ---- homes and navigation ---------------------------------------------------------------


def test_areas_are_reachable_and_survive_a_reload(page: Page, base_url: str, person: Person):
    sign_in(page, base_url, person)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My health").click()
    expect(page).to_have_url(f"{base_url}/health")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("My health")
    expect(heading).to_be_focused()
    expect(page.get_by_role("heading", name="Your conditions")).to_be_visible()  # its own page
    expect(page.get_by_text("This area is coming soon.")).to_have_count(0)
    expect(page).to_have_title("My health — Careverse")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My health")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page).to_have_url(f"{base_url}/home")
    page.get_by_role("main").get_by_role("link", name="Privacy & data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy & data")
    page.go_back()
    expect(page).to_have_url(f"{base_url}/home")

    page.goto(f"{base_url}/audit")  # an admin area: not a patient's
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


@pytest.mark.parametrize("role", sorted(ROLE_AREAS))
def test_each_role_has_its_home(page: Page, live_server: LiveServer, role: str):
    person = new_person(f"Test {role.title()}", role=role)
    if role == "caregiver":
        register_via_api(live_server.base_url, person)
    else:
        add_user_via_cli(live_server, person)
    sign_in(page, live_server.base_url, person)
    main_nav = page.get_by_role("navigation", name="Main")
    for area in ROLE_AREAS[role]:
        expect(main_nav.get_by_role("link", name=area, exact=True)).to_be_visible()
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Security")).to_be_visible()
    first = ROLE_AREAS[role][0]
    page.get_by_role("main").get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    # Every first area has its screen.
    expect(page.get_by_text("This area is coming soon.")).to_have_count(0)


# ---- keyboard, small screens, accessibility, CSP ----------------------------------------


def focused(page: Page) -> str:
    """A short description of the focused element: tag, id and text."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return `${el.tagName.toLowerCase()}#${el.id} ${(el.textContent || '').trim()}`;
        }"""
    )


def test_keyboard_alone_reaches_sign_in_and_submits_it(page: Page, base_url: str, person: Person):
    page.goto(f"{base_url}/signup")
    page.keyboard.press("Tab")
    assert "Skip to content" in focused(page)
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")
    assert focused(page).startswith("a#") and focused(page).endswith("Sign in")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/signin")
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(person.password)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")


def test_skip_link_moves_focus_to_the_main_content(page: Page, base_url: str):
    page.goto(f"{base_url}/signin")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()


def test_focus_is_visible(page: Page, base_url: str):
    page.goto(f"{base_url}/signin")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2


def test_phone_width_has_no_horizontal_scroll(browser, base_url: str, person: Person):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()

        def assert_fits() -> None:
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{page.url} is {width}px wide"

        for path in ("/signin", "/signup"):
            page.goto(f"{base_url}{path}")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_fits()
        page.get_by_role("button", name="Create account").click()  # errors shown
        assert_fits()

        sign_in(page, base_url, person)
        assert_fits()
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Support groups")).to_be_visible()
        assert_fits()
        nav.get_by_role("link", name="Support groups").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Support groups")
        assert_fits()
    finally:
        context.close()


def test_pages_pass_axe(browser, base_url: str, person: Person):
    if not AXE_SCRIPT.exists():
        pytest.fail("client/node_modules/axe-core is missing: run `make client`.", pytrace=False)
    # axe is injected as an inline script, which the page's CSP rightly forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/signin")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert run_axe(page) == []

        page.goto(f"{base_url}/signup")
        page.get_by_role("button", name="Create account").click()  # with errors showing
        expect(page.get_by_role("alert")).to_be_visible()
        assert run_axe(page) == []

        sign_in(page, base_url, person)
        assert run_axe(page) == []

        page.goto(f"{base_url}/appointments")
        expect(page.get_by_role("heading", level=1)).to_have_text("Appointments")
        assert run_axe(page) == []
    finally:
        context.close()


def test_no_csp_violations_or_console_errors_on_load(
    page: Page, problems: PageProblems, base_url: str, person: Person
):
    page.goto(f"{base_url}/signin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.wait_for_load_state("networkidle")
    assert_clean_load(page, problems)

    page.goto(f"{base_url}/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.wait_for_load_state("networkidle")
    assert_clean_load(page, problems)

    sign_in(page, base_url, person)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    page.wait_for_load_state("networkidle")
    assert_clean_load(page, problems)


def test_document_language_and_direction(browser, base_url: str):
    # A browser asking for a language the client does not ship yet falls back to English.
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{base_url}/signin")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", "en")
        expect(html).to_have_attribute("dir", "ltr")
    finally:
        context.close()
    # One it ships is followed (Canadian French: French); Arabic is right to left.
    for locale, lang, direction in (("fr-CA", "fr", "ltr"), ("ar-EG", "ar", "rtl")):
        context = browser.new_context(locale=locale)
        try:
            page = context.new_page()
            page.goto(f"{base_url}/signin")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.locator("html")).to_have_attribute("dir", direction)
        finally:
            context.close()
