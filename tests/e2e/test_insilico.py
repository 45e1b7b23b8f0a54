"""In-silico trials, the fairness dashboard and the transparency page in the browser, on a
phone: a researcher runs a small trial and reads its results; the pages are axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, add_user_via_cli, new_person, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e


def _axe_clean(page) -> None:
    problems = run_axe(page)
    assert problems == [], problems


def test_a_researcher_runs_a_small_trial_and_reads_the_results(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    researcher = new_person("Rae Searcher", role="researcher")
    add_user_via_cli(live_server, researcher)
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in_page(page, base, researcher)
        page.goto(f"{base}/research/simulation")
        expect(page.get_by_role("heading", level=1)).to_have_text("In-silico trials")
        page.get_by_label("Example", exact=True).select_option("hypoxia_oxygen")
        page.get_by_label("Virtual patients").fill("4")
        _axe_clean(page)
        page.get_by_role("button", name="Run the trial").click()
        results = page.get_by_role("heading", name="Results: Hypoxaemia in acute heart failure")
        expect(results).to_be_visible(timeout=120_000)
        expect(page.get_by_role("rowheader", name="early", exact=True).first).to_be_visible()
        expect(page.get_by_text("Difference in means, early minus late").first).to_be_visible()
        expect(page.get_by_text("Risk difference, early minus late").first).to_be_visible()
        expect(page.locator(".sim-chart__plot canvas").first).to_be_visible()
        # nothing pushes the page sideways on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _axe_clean(page)
        page.goto(f"{base}/research/fairness")
        expect(page.get_by_role("heading", level=1)).to_have_text("Fairness audit")
        expect(page.get_by_role("heading", name="NEWS2 early warning score")).to_be_visible(
            timeout=60_000
        )
        _axe_clean(page)
    finally:
        context.close()


def test_the_transparency_page_is_public_and_axe_clean(browser: Browser, live_server: LiveServer):
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/transparency")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "How algorithms help with care here"
        )
        for name in ("NEWS2 early warning score", "Care-plan alert rules", "Mentor matching"):
            expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.get_by_text("Known limits").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _axe_clean(page)
    finally:
        context.close()
