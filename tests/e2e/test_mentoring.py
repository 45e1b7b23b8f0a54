"""Mentoring in the browser, on a phone: a mentee finds a mentor, sees why they match, asks them,
and opens their private 1:1 room; the pages are axe-clean."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from careverse.mentoring import training

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e


def test_mentee_matched_with_reasons_opens_the_room(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    admin = new_person("Ada Mentoring", role="admin")
    mentor = new_person("Rosa Mentor")
    mentee = new_person("Tom Mentee")
    add_user_via_cli(live_server, admin)
    register_via_api(base, mentor)
    register_via_api(base, mentee)
    slug = f"kidney-{uuid.uuid4().hex[:6]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": slug, "name": "Kidney transplant friends", "kind": "condition",
            "visibility": "public", "description": "Before and after a transplant.",
            "guidelines": "Be kind."}), 201)  # fmt: skip
    with api_as(base, mentor) as as_mentor:
        row = ok(as_mentor.post(f"/api/mentoring/communities/{slug}/apply", json={
            "condition": "kidney transplant", "stage": "after surgery", "languages": ["en"],
            "age_band": "25-34", "gender": "woman", "availability": ["tue-eve"], "capacity": 2,
            "about": "Transplant in 2023."}), 201)  # fmt: skip
        right = [q["correct"] for q in training.QUESTIONS]
        assert ok(as_mentor.post(f"/api/mentoring/communities/{slug}/quiz",
                                 json={"answers": right}))["passed"]  # fmt: skip
    with api_as(base, admin) as as_admin:
        ok(as_admin.post(f"/api/mentoring/communities/{slug}/applications/{row['id']}",
                         json={"approve": True}))  # fmt: skip

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in_page(page, base, mentee)
        page.goto(f"{base}/mentoring")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring")
        page.get_by_label("Community").select_option(slug)
        page.get_by_label("Condition").fill("Kidney transplant")
        page.get_by_label("Treatment stage").fill("after surgery")
        page.get_by_label("Age band").select_option("25-34")
        page.get_by_label("Tue evening").check()
        page.get_by_label("A first goal (optional)").fill("Back to work part-time")
        page.get_by_role("button", name="Find mentors").click()
        offer = page.locator("li.card").filter(has_text="Rosa Mentor")
        expect(offer).to_be_visible()
        for reason in ("Same condition", "Same treatment stage", "Speaks en", "Similar age",
                       "Free at 1/1 of your times"):  # fmt: skip
            expect(offer.get_by_text(reason)).to_be_visible()
        assert run_axe_clean(page)
        offer.get_by_role("button", name="Ask Rosa Mentor to mentor me").click()
        page.wait_for_url(f"{base}/mentoring/relationships/**")
        expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Mentor mentors you")
        expect(page.get_by_text("Back to work part-time")).to_be_visible()
        page.get_by_label("Message").fill("Hello Rosa!")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.get_by_text("Hello Rosa!")).to_be_visible()
        assert run_axe_clean(page)
        page.get_by_role("button", name="Enter our private room").click()
        page.wait_for_url(f"{base}/spaces/**")
        expect(page.get_by_text("Connected", exact=True)).to_be_visible(timeout=20_000)
    finally:
        context.close()


def run_axe_clean(page) -> bool:
    from .support import run_axe

    problems = run_axe(page)
    assert problems == [], problems
    return True
