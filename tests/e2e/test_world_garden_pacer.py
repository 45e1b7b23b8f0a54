"""Issue 15 items 5 and 6: a facilitator starts the shared breathing pacer in a mindfulness
garden; another person's browser runs it with the same rate and the same start time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .support import (
    LiveServer,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_pages(browser) -> Iterator[tuple[Page, Page]]:
    # axe is injected as an inline script: these contexts bypass the CSP (support.run_axe).
    contexts = [
        browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
        )
        for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(20_000)
    yield contexts[0].new_page(), contexts[1].new_page()
    for context in contexts:
        context.close()


def test_the_facilitators_pacer_runs_in_every_browser(
    two_pages: tuple[Page, Page], live_server: LiveServer
):
    base_url = live_server.base_url
    host_page, member_page = two_pages
    host = new_person("Dr Calm Lead", role="clinician")
    add_user_via_cli(live_server, host)
    member = new_person("Pat Breath")
    register_via_api(base_url, member)
    with api_as(base_url, host) as api:
        answer = api.post("/api/spaces", json={"name": "Evening calm", "template": "mindfulness"})
        assert answer.status_code == 201, answer.text
        space_id = answer.json()["id"]

    errors: list[str] = []
    # The facilitator in the 3D garden (the lantern), the member in the 2D mode (the circle).
    for page, person, mode in ((host_page, host, "3d"), (member_page, member, "2d")):
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base_url, person)
        page.goto(f"{base_url}/spaces/{space_id}?mode={mode}")
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Guided breathing")).to_be_visible()

    # Only the facilitator is offered to start it for everyone.
    expect(member_page.get_by_role("button", name="Start for everyone")).to_have_count(0)
    host_page.get_by_label("Breaths a minute").fill("5")
    host_page.get_by_label("Minutes").fill("2")
    host_page.get_by_role("button", name="Start for everyone").click()

    member_page.wait_for_function(
        "() => window.__careversePacer?.shared && window.__careversePacer.rate === 5"
    )
    host_page.wait_for_function("() => window.__careversePacer?.shared")
    starts = [p.evaluate("() => window.__careversePacer.start") for p in two_pages]
    assert starts[0] == starts[1] and starts[0] > 0
    panel = member_page.locator("cv-garden-pacer section")
    expect(panel).to_have_attribute("data-pacer", "shared")
    expect(panel).to_have_attribute("data-rate", "5")
    # After the lead-in both browsers breathe in the same phase, computed from the one start.
    member_page.wait_for_function("() => window.__careversePacer.phase() !== null")
    expect(member_page.locator("[data-pacer-status]")).to_contain_text(
        "Group breathing at 5 breaths a minute"
    )
    expect(member_page.locator("cv-breath-pacer")).to_be_visible()  # the 2D mode's circle
    assert member_page.evaluate("() => window.__careversePacer.lantern") is None
    # In 3D the lantern grows and shrinks with the breath (drawn from the same phase).
    assert host_page.evaluate("() => window.careverseWorld.mode") == "3d"
    host_page.wait_for_function("() => window.__careversePacer.lantern !== null")
    first = host_page.evaluate("() => window.__careversePacer.lantern")
    host_page.wait_for_function(
        "(s) => Math.abs(window.__careversePacer.lantern - s) > 0.05", arg=first
    )

    # An anonymous rating: the group sees a count, no average below three people.
    member_page.get_by_label("Calm, from 0 (tense) to 10 (calm)").select_option("7")
    member_page.get_by_role("button", name="Rate before").click()
    expect(host_page.locator("[data-calm]")).to_contain_text("Before: 1 rated")

    for page in two_pages:
        violations = run_axe(page)
        assert violations == [], violations

    host_page.get_by_role("button", name="Stop for everyone").click()
    member_page.wait_for_function("() => !window.__careversePacer.running")
    expect(panel).to_have_attribute("data-pacer", "idle")
    assert errors == []
