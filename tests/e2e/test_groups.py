"""A live support group in the browser: a facilitator and a member (text-only, under their
pseudonym) enter the session from the group page; the member raises a hand, the facilitator
calls them, the member presses "I need support" and the facilitator sees it; axe-clean."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

RULES = "One voice at a time; you may pass."


def ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def enter_session(page: Page, base: str, slug: str, *, text_only: bool = False) -> None:
    page.goto(f"{base}/groups/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening carers' circle")
    if text_only:
        page.get_by_label("Text only").check()
        page.get_by_label("Show my community pseudonym instead of my name").check()
    page.get_by_role("button", name="Enter the session").click()
    page.wait_for_url(f"{base}/spaces/**")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="Circle", exact=True)).to_be_visible()


def make_group(live_server: LiveServer, prefix: str, admin, lead, members) -> str:
    """A caregiver community and its group whose session is open now, with these members."""
    base = live_server.base_url
    add_user_via_cli(live_server, admin)
    add_user_via_cli(live_server, lead)
    for member in members:
        register_via_api(base, member)
    now = datetime.now(UTC)
    slug = f"{prefix}-{now.strftime('%H%M%S')}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": f"carers-{slug}", "name": f"Carers {prefix}", "kind": "caregiver",
            "visibility": "public", "description": "For carers.",
            "guidelines": "Be kind."}), 201)  # fmt: skip
    with api_as(base, lead) as as_lead:
        ok(as_lead.post(f"/api/groups/communities/carers-{slug}", json={
            "slug": slug, "name": "Evening carers' circle", "caregiver": True,
            "timezone": "UTC", "first_date": now.date().isoformat(),
            "start_time": now.strftime("%H:%M"), "duration_minutes": 120, "every_weeks": 1,
            "capacity": 8, "admission": "open", "ground_rules": RULES,
        }), 201)  # fmt: skip
    for member in members:
        with api_as(base, member) as as_member:
            ok(as_member.post(f"/api/groups/{slug}/join",
                              json={"accept_rules": True, "rules_version": 1}))  # fmt: skip
    return slug


def test_raise_hand_call_next_and_need_support(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    admin = new_person("Ada Groups", role="admin")
    lead = new_person("Nico Facilitator", role="moderator")
    member = new_person("Mia Member", role="caregiver")
    slug = make_group(live_server, "evening", admin, lead, [member])

    phone = {"width": 390, "height": 844}
    lead_context = browser.new_context(viewport=phone, locale="en-GB", bypass_csp=True)
    member_context = browser.new_context(viewport=phone, locale="en-GB", bypass_csp=True)
    try:
        f, m = lead_context.new_page(), member_context.new_page()
        sign_in_page(f, base, lead)
        sign_in_page(m, base, member)
        m.goto(f"{base}/groups")
        m.get_by_role("link", name="Evening carers' circle").click()
        expect(m.get_by_text("You are a member.")).to_be_visible()
        assert run_axe(m) == []
        enter_session(f, base, slug)
        enter_session(m, base, slug, text_only=True)

        m.get_by_role("button", name="Raise hand").click()
        queue = f.locator(".circle-panel ol").first
        expect(queue).to_contain_text("-")  # the member's pseudonym (adjective-noun-NN)
        expect(queue).not_to_contain_text("Mia")
        f.get_by_role("button", name="Call next").click()
        expect(m.get_by_text("Speaking now:")).to_be_visible()
        expect(m.get_by_role("button", name="Pass")).to_be_visible()

        m.get_by_role("button", name="I need support").click()
        expect(m.get_by_text("A facilitator has been told privately.")).to_be_visible()
        alert = f.get_by_role("alert").filter(has_text="needs support")
        expect(alert).to_be_visible()
        alert.get_by_role("button", name="Acknowledge").click()
        expect(m.get_by_text("saw your request and will be with you")).to_be_visible()
        assert run_axe(f) == []
    finally:
        lead_context.close()
        member_context.close()


def test_breakout_pair_and_recall(browser: Browser, live_server: LiveServer):
    """The facilitator splits two members into a pair: both move to the pair's own space (one
    under a pseudonym), the facilitator sees the pair and brings them back to the circle."""
    base = live_server.base_url
    admin = new_person("Ada Breakouts", role="admin")
    lead = new_person("Noor Facilitator", role="moderator")
    ana = new_person("Ana Pairing", role="caregiver")
    ben = new_person("Ben Pairing", role="caregiver")
    slug = make_group(live_server, "pairs", admin, lead, [ana, ben])

    phone = {"width": 390, "height": 844}
    contexts = [
        browser.new_context(viewport=phone, locale="en-GB", bypass_csp=True) for _ in range(3)
    ]
    try:
        f, a, b = (c.new_page() for c in contexts)
        sign_in_page(f, base, lead)
        sign_in_page(a, base, ana)
        sign_in_page(b, base, ben)
        enter_session(f, base, slug)
        enter_session(a, base, slug, text_only=True)
        enter_session(b, base, slug)
        circle_url = f.url

        f.get_by_role("button", name="Split into pairs").click()
        expect(f.get_by_label("Ben Pairing")).to_have_value("0")  # both in pair 1
        f.get_by_role("button", name="Start breakouts").click()
        expect(f.get_by_text("Pair 1:")).to_be_visible(timeout=10_000)
        for page in (a, b):
            page.wait_for_url(lambda url: url.startswith(f"{base}/spaces/") and url != circle_url)
            expect(page.get_by_role("heading", name="Breakout pairs")).to_be_visible()
        expect(b.get_by_text("You are with")).not_to_contain_text("Ana")  # her pseudonym
        expect(a.get_by_text("You are with Ben Pairing.")).to_be_visible()
        assert run_axe(a) == []
        f.get_by_role("button", name="Bring everyone back").click()
        for page in (a, b):
            page.wait_for_url(circle_url, timeout=10_000)
            expect(page.get_by_role("heading", name="Circle", exact=True)).to_be_visible()
    finally:
        for context in contexts:
            context.close()
