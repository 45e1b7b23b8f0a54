"""Scenario authoring in Chromium: an educator edits a scenario, a bad field is shown at the
field, the preview draws the vitals with and without the model answer, the draft is saved and
offered in the lab; at phone width, with no horizontal scroll, axe-clean."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, run_axe, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_educator_previews_and_saves_a_draft(phone: Page, live_server: LiveServer):
    page = phone
    base_url = live_server.base_url
    teacher = new_person("Dr Ada Author", role="clinician")
    add_user_via_cli(live_server, teacher)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base_url, teacher)
    page.goto(f"{base_url}/training/author")
    page.get_by_label("Start from a scenario").select_option("asthma")
    page.get_by_role("button", name="Use it").click()
    expect(page.get_by_role("status")).to_contain_text("Loaded")
    assert run_axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # A bad field: the server's schema refuses it, shown at the field.
    page.get_by_label("Duration (minutes)").fill("-1")
    page.get_by_label("Duration (minutes)").dispatch_event("change")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("author-issues")).to_contain_text("scenario.duration_s")
    expect(page.get_by_label("Duration (minutes)")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Duration (minutes)").fill("30")
    page.get_by_label("Duration (minutes)").dispatch_event("change")
    page.get_by_label("Title").fill("Asthma at the bus stop")
    page.get_by_label("Title").dispatch_event("change")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("author-preview")
    expect(preview).to_be_visible(timeout=60_000)
    expect(preview.locator("[data-outcome=stabilised]")).to_be_visible()
    expect(preview.locator("[data-outcome=deteriorated]")).to_be_visible()
    expect(preview.locator("cv-vitals-chart canvas").first).to_be_visible()
    assert run_axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/training/author/[0-9a-f-]{36}$"))
    expect(page.get_by_role("link", name="Asthma at the bus stop")).to_be_visible()

    # The draft is offered when starting the lab.
    with api_as(base_url, teacher) as api:
        answer = api.post("/api/spaces", json={"name": "Draft sim", "template": "training-lab"})
        space_id = answer.json()["id"]
    page.goto(f"{base_url}/training/lab/{space_id}")
    page.get_by_label("Scenario", exact=True).select_option(label="Asthma at the bus stop")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator(".lab-status")).to_contain_text("Running")
    assert errors == []
