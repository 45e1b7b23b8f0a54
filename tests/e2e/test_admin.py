"""The operator's screens in a real browser: an admin turns an account off and finds it in the
audit viewer; the system page shows the node's state. Clean loads and axe on each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .support import (
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


@pytest.fixture(scope="module")
def admin(live_server: LiveServer) -> Person:
    created = new_person("Ada Operator", role="admin")
    add_user_via_cli(live_server, created)
    return created


def open_area(page: Page, base_url: str, name: str, slug: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    expect(page).to_have_url(f"{base_url}/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_an_admin_turns_an_account_off_and_sees_it_in_the_audit(
    page: Page, problems: PageProblems, live_server: LiveServer, admin: Person
):
    base_url = live_server.base_url
    patient = new_person("Odile Marchetti")
    register_via_api(base_url, patient)
    sign_in(page, base_url, admin)
    expect(page.get_by_text("coming soon")).to_have_count(0)

    open_area(page, base_url, "Accounts", "accounts")
    page.get_by_label("Name or e-mail address").fill("marchetti")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and Odile
    expect(rows.nth(1)).to_contain_text("Odile Marchetti")
    expect(rows.nth(1)).to_contain_text("Active")
    page.get_by_role("button", name="Turn off the account of Odile Marchetti").click()
    expect(page.get_by_role("status").first).to_have_text(
        re.compile("The account of Odile Marchetti is turned off")
    )
    expect(rows.nth(1)).to_contain_text("Turned off")
    expect(
        page.get_by_role("button", name="Turn on the account of Odile Marchetti")
    ).to_be_visible()
    assert_clean_load(page, problems)

    open_area(page, base_url, "Audit", "audit")
    chain = page.get_by_role("region", name="Is the audit trail intact?")
    expect(chain).to_contain_text(re.compile(r"Intact\s*All \d+ entries check out"))
    page.get_by_label("Action").fill("account.deactivate")
    page.get_by_role("button", name="Show", exact=True).click()
    trail = page.get_by_role("table", name="Audit trail, newest first")
    first = trail.get_by_role("row").nth(1)
    expect(first).to_contain_text("account.deactivate")
    expect(first).to_contain_text("Ada Operator")
    expect(first).to_contain_text("Done")
    expect(trail.get_by_role("row")).to_have_count(2)
    assert_clean_load(page, problems)

    open_area(page, base_url, "System", "system")
    facts = page.locator("dl.admin-facts")
    expect(facts).to_contain_text("Database")
    expect(facts).to_contain_text("Working")
    expect(page.get_by_text("privacy.erase-due")).to_be_visible()
    assert_clean_load(page, problems)


def test_the_operator_screens_pass_axe(browser, live_server: LiveServer, admin: Person):
    base_url = live_server.base_url
    for viewport in ({"width": 1280, "height": 900}, {"width": 360, "height": 740}):
        context = browser.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)
        page = context.new_page()
        try:
            sign_in(page, base_url, admin)
            for slug, ready in (
                ("accounts", "Make an account"),
                ("audit", "Audit trail"),
                ("system", "Background jobs"),
            ):
                page.goto(f"{base_url}/{slug}")
                expect(page.get_by_role("heading", name=ready, exact=True)).to_be_visible()
                if slug == "audit":
                    expect(page.get_by_role("table")).to_be_visible()
                assert run_axe(page) == [], (slug, viewport)
        finally:
            context.close()
