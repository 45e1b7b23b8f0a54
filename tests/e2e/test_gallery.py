"""The gallery in the browser, at phone width: a member shares a poem, it waits for a moderator
(not shown to others), a site moderator approves it from the review page, and another member
sees it in the community's 2D gallery; every page axe-clean with no horizontal scroll."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}


def fits(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert run_axe(page) == []


def test_a_poem_is_approved_then_seen_by_another_member(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    admin = new_person("Ada Gallery", role="admin")
    moderator = new_person("Mo Derator", role="moderator")
    poet, reader = new_person("Pia Poet", role="caregiver"), new_person("Rex Reader", "caregiver")
    add_user_via_cli(live_server, admin)
    add_user_via_cli(live_server, moderator)
    register_via_api(base, poet)
    register_via_api(base, reader)
    slug = f"carers-art-{uuid.uuid4().hex[:6]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": slug, "name": "Carers' art", "kind": "caregiver", "visibility": "public",
            "description": "For carers.", "guidelines": "Be kind."}), 201)  # fmt: skip
    for who in (poet, reader):
        with api_as(base, who) as member:
            ok(member.post(f"/api/community/communities/{slug}/join",
                           json={"accept_guidelines": True, "guidelines_version": 1}))  # fmt: skip

    contexts = [browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True) for _ in "pmr"]
    try:
        p, m, r = (c.new_page() for c in contexts)
        sign_in_page(p, base, poet)
        p.goto(f"{base}/community/{slug}")
        p.get_by_role("link", name="Gallery: members\u2019 art, poems and words").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("Community gallery")
        fits(p)
        p.get_by_role("link", name="Share a work").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("Share a work")
        p.get_by_label("A poem or short text").check()
        p.get_by_label("Title").fill("Kettle song")
        p.get_by_label("Your text (Markdown: *italic*, **bold**)").fill(
            "The kettle sings at four,\n*and so, some days, do I*."
        )
        p.get_by_role("button", name="Send for review").click()
        expect(p.get_by_text("Your work is waiting for a moderator.")).to_be_visible()
        fits(p)
        p.goto(f"{base}/gallery/mine")
        expect(p.get_by_role("heading", name="Kettle song")).to_be_visible()
        expect(p.get_by_text("Waiting for a moderator")).to_be_visible()
        fits(p)

        sign_in_page(r, base, reader)
        r.goto(f"{base}/gallery/{slug}")
        expect(r.get_by_text("Nothing is in this gallery yet.")).to_be_visible()

        sign_in_page(m, base, moderator)
        m.goto(f"{base}/gallery/moderation")
        item = m.locator("article").filter(has=m.get_by_role("heading", name="Kettle song"))
        expect(item).to_be_visible()
        fits(m)
        item.get_by_role("button", name="Approve").click()
        expect(m.get_by_text("Nothing is waiting for review.")).to_be_visible()

        r.reload()
        work = r.locator("article").filter(has=r.get_by_role("heading", name="Kettle song"))
        expect(work).to_be_visible()
        expect(work.locator("em")).to_have_text("and so, some days, do I")
        fits(r)
        # Keyboard: the card's report control is reachable and opens with Enter.
        work.get_by_text("Report this work").focus()
        r.keyboard.press("Enter")
        expect(work.get_by_label("Why are you reporting it?")).to_be_visible()
        # The 3D gallery: the poem hangs there as an artwork (listed in the space's objects).
        r.get_by_role("button", name="Walk through the gallery in 3D").click()
        r.wait_for_url(f"{base}/spaces/**")
        expect(r.get_by_text("Connected", exact=True)).to_be_visible(timeout=20_000)
        expect(r.get_by_text("Kettle song").first).to_be_attached()
    finally:
        for context in contexts:
            context.close()


def test_an_art_therapy_group_shares_works_with_the_group_only(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin, member = new_person("Ada Art", role="admin"), new_person("Ina Painter", "caregiver")
    add_user_via_cli(live_server, admin)
    register_via_api(base, member)
    slug = f"paint-{uuid.uuid4().hex[:6]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": f"c-{slug}", "name": "Carers", "kind": "caregiver", "visibility": "public",
            "description": "For carers.", "guidelines": "Be kind."}), 201)  # fmt: skip
        ok(as_admin.post(f"/api/groups/communities/c-{slug}", json={
            "slug": slug, "name": "Painting circle", "template": "gallery", "timezone": "UTC",
            "first_date": "2026-12-03", "start_time": "18:00", "duration_minutes": 60,
            "every_weeks": 1, "capacity": 8, "admission": "open", "ground_rules": "Be gentle.",
        }), 201)  # fmt: skip
    with api_as(base, member) as as_member:
        ok(as_member.post(f"/api/community/communities/c-{slug}/join",
                          json={"accept_guidelines": True, "guidelines_version": 1}))  # fmt: skip
        ok(
            as_member.post(
                f"/api/groups/{slug}/join", json={"accept_rules": True, "rules_version": 1}
            )
        )

    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    try:
        page = context.new_page()
        sign_in_page(page, base, member)
        page.goto(f"{base}/groups/{slug}")
        page.get_by_role("link", name="Works in progress shared with this group").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Our group\u2019s works in progress"
        )
        expect(page.get_by_text("Nothing has been shared with the group yet.")).to_be_visible()
        page.get_by_label("Title").fill("Half a sky")
        page.get_by_label("Your text (Markdown: *italic*, **bold**)").fill("Blue, then less blue.")
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_text("Your work is waiting for a moderator.")).to_be_visible()
        fits(page)
    finally:
        context.close()
