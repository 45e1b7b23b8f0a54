"""Languages in Chromium: the switch in the page frame, Arabic right to left at phone width (no
sideways scrolling, axe-clean), the choice kept in the browser signed out and on the account
signed in. Where the Arabic catalogue has a message the page shows it; a stub catalogue (before
the translators' files are merged) still has to give the direction, language and persistence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .support import LiveServer, new_person, register_via_api, run_axe, sign_in

pytestmark = pytest.mark.e2e

CATALOGUE = Path(__file__).resolve().parents[2] / "client" / "src" / "i18n" / "ar.ts"
PHONE = {"width": 390, "height": 844}


def arabic(key: str) -> str | None:
    """The Arabic catalogue's message for ``key``, if it has one (plain messages only)."""
    match = re.search(
        rf"""['"]{re.escape(key)}['"]:\s*'((?:[^'\\]|\\.)*)'""", CATALOGUE.read_text()
    )
    return match[1].replace("\\'", "'") if match else None


def phone_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(20_000)
    return context.new_page()


def choose_language(page: Page, code: str) -> None:
    page.locator("#language-picker").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def assert_fits_and_is_accessible(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"
    assert run_axe(page) == []


def test_arabic_is_right_to_left_and_stays_chosen_signed_out(
    browser: Browser, live_server: LiveServer
):
    page = phone_page(browser)
    try:
        page.goto(f"{live_server.base_url}/signin")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        picker = page.locator("#language-picker")
        # Each language is offered in its own name, marked with its language for screen readers.
        expect(picker.locator("option[value=ar]")).to_have_text("العربية")
        expect(picker.locator("option[value=ar]")).to_have_attribute("lang", "ar")

        choose_language(page, "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        sign_in_label = arabic("nav.signIn")
        if sign_in_label:
            nav = page.locator(".site-nav")
            expect(nav.get_by_role("link", name=sign_in_label, exact=True)).to_be_visible()
        # The header's start is on the right: the brand sits at the right-hand edge.
        brand = page.locator(".brand").bounding_box()
        assert brand and brand["x"] + brand["width"] > PHONE["width"] / 2
        assert_fits_and_is_accessible(page)

        page.reload()
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#language-picker")).to_have_value("ar")
        page.goto(f"{live_server.base_url}/signup")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert_fits_and_is_accessible(page)
    finally:
        page.context.close()


def test_the_account_keeps_the_language_on_another_device(
    browser: Browser, live_server: LiveServer
):
    person = new_person("Leila Haddad")
    register_via_api(live_server.base_url, person)
    page = phone_page(browser)
    try:
        sign_in(page, live_server.base_url, person)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        with page.expect_response(
            lambda r: r.url.endswith("/api/me") and r.request.method == "PATCH"
        ) as answer:
            choose_language(page, "ar")
        assert answer.value.status == 200
        assert answer.value.json()["preferred_language"] == "ar"
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert_fits_and_is_accessible(page)
        sign_out = arabic("nav.signOut")
        if sign_out:
            # In the folded phone menu, so not visible: its words are Arabic all the same.
            expect(page.locator(".account-menu button")).to_have_text(sign_out)
    finally:
        page.context.close()

    # A fresh browser (nothing stored, English) signs in: the account's language wins.
    other = phone_page(browser)
    try:
        # Signed out this browser is English; the page turns Arabic once the account is known.
        other.goto(f"{live_server.base_url}/signin")
        other.get_by_label("Email address").fill(person.email)
        other.get_by_label("Password").fill(person.password)
        other.get_by_role("button", name="Sign in").click()
        expect(other).to_have_url(f"{live_server.base_url}/home")
        expect(other.locator("html")).to_have_attribute("lang", "ar")
        expect(other.locator("html")).to_have_attribute("dir", "rtl")
        expect(other.locator("#language-picker")).to_have_value("ar")
        assert_fits_and_is_accessible(other)
        # Back to English from the switch, for this account everywhere.
        choose_language(other, "en")
        expect(other.locator("html")).to_have_attribute("dir", "ltr")
        other.reload()
        expect(other.locator("html")).to_have_attribute("lang", "en")
    finally:
        other.context.close()
