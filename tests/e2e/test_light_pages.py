"""Pages loaded per route (issue 16, the light path): the sign-in's first load fetches no other
page's module; opening a route fetches its page chunk and shows the page, never "not found"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .support import PageProblems, Person, assert_clean_load, sign_in

pytestmark = pytest.mark.e2e

PAGE_CHUNK = re.compile(r"/assets/(groups-list|security-page|appointments-page)-[\w-]+\.js$")


def test_first_load_holds_no_other_page_and_a_route_loads_its_own(
    page: Page, base_url: str, person: Person, problems: PageProblems
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{base_url}/signin")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not [url for url in fetched if PAGE_CHUNK.search(url)]
    sign_in(page, base_url, person)
    fetched.clear()
    # Through the router (a link in the account menu, no reload): the chunk, then the page.
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("link", name="Security").click()
    expect(page).to_have_url(f"{base_url}/settings/security")
    expect(page.locator("cv-security h1")).to_be_visible()
    assert any(re.search(r"/assets/security-page-[\w-]+\.js$", url) for url in fetched)
    expect(page.locator("cv-not-found")).to_have_count(0)
    heading = page.locator("#main h1")
    expect(heading).to_be_focused()
    assert_clean_load(page, problems)
