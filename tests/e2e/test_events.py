"""An event in the browser: a host joins its space and starts it, someone in the audience (on a
phone) asks a question from the live panel, the host approves it and it shows for the audience;
the events list, the event page and the creation form are axe-clean at phone width."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
QUESTION = "Can carers of someone with diabetes get the flu vaccine here?"


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def enter(page: Page, base: str, slug: str, title: str) -> None:
    page.goto(f"{base}/events/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Join the event").click()
    page.wait_for_url(f"{base}/spaces/**")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name=f"Event: {title}")).to_be_visible()


def test_host_starts_audience_asks_host_approves(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    host = new_person("Hana Host", role="moderator")
    guest = new_person("Gus Guest", role="caregiver")
    add_user_via_cli(live_server, host)
    register_via_api(base, guest)
    slug = f"flu-week-{uuid.uuid4().hex[:6]}"
    title = "Flu week: ask a nurse"
    with api_as(base, host) as as_host:
        ok(as_host.post("/api/events", json={
            "slug": slug, "title": title, "kind": "campaign",
            "description": "This year's flu vaccine, then your questions.",
            "starts_at": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
            "duration_minutes": 60, "capacity": 50,
        }), 201)  # fmt: skip
        ok(as_host.put(f"/api/events/{slug}/slides", json={"texts": ["Welcome", "Who can"]}))

    host_context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    guest_context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    try:
        h, g = host_context.new_page(), guest_context.new_page()
        sign_in_page(h, base, host)
        sign_in_page(g, base, guest)

        h.goto(f"{base}/events/new")
        expect(h.get_by_role("heading", level=1)).to_have_text("Create an event")
        assert run_axe(h) == []
        no_sideways_scroll(h)

        g.goto(f"{base}/events")
        card = g.get_by_role("listitem").filter(has_text=title)
        card.get_by_role("button", name=f"Register for {title}").click()
        expect(card.get_by_text("You are registered.")).to_be_visible()
        assert run_axe(g) == []
        no_sideways_scroll(g)
        card.get_by_role("link", name=title).click()
        expect(g.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
        assert run_axe(g) == []
        no_sideways_scroll(g)

        enter(h, base, slug, title)
        h.get_by_role("button", name="Start the event").click()
        expect(h.get_by_role("button", name="End the event")).to_be_visible()
        enter(g, base, slug, title)
        expect(g.get_by_text("your microphone is off")).to_be_visible()
        expect(g.get_by_text("Slide 1 of 2")).to_be_visible()
        h.get_by_role("button", name="Next slide").click()
        expect(g.get_by_text("Slide 2 of 2")).to_be_visible()

        g.get_by_label("Your question").fill(QUESTION)
        g.get_by_role("button", name="Send question").click()
        expect(g.get_by_text("Your question was sent to the hosts.")).to_be_visible()
        queued = h.locator(".event-queue li").filter(has_text=QUESTION)
        expect(queued).to_contain_text("Asked by Gus Guest")
        queued.get_by_role("button", name="Approve").click()
        taken = g.locator(".event-taken")
        expect(taken).to_contain_text(QUESTION)
        expect(h.locator(".event-taken")).to_contain_text(QUESTION)
        assert run_axe(g) == []
        assert run_axe(h) == []
        no_sideways_scroll(g)
    finally:
        host_context.close()
        guest_context.close()
