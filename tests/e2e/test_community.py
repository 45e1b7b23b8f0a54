"""Communities in a real browser, on a 360-px phone: a new member finds a caregiver community,
reads and accepts its guidelines, joins, starts a topic under their pseudonym, and sees another
member's reply arrive live — keyboard-operable, labelled, axe-clean, no native dialogs."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e


def ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_join_post_under_a_pseudonym_and_see_a_reply_live(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin = new_person("Ada Community", role="admin")
    newcomer, helper = (
        new_person("Nia Newcomer", role="caregiver"),
        new_person("Hal Helper", role="caregiver"),
    )
    add_user_via_cli(live_server, admin)
    register_via_api(base, newcomer)
    register_via_api(base, helper)
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": "carers-live", "name": "Carers together", "kind": "caregiver",
            "visibility": "public", "description": "For everyone who cares for someone.",
            "guidelines": "Be kind. Share experience, not prescriptions."}), 201)  # fmt: skip
    with api_as(base, helper) as as_helper:
        ok(as_helper.post("/api/community/communities/carers-live/join",
                          json={"accept_guidelines": True, "guidelines_version": 1}))  # fmt: skip

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB",
                                  bypass_csp=True)  # fmt: skip
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))

        def refuse_dialog(dialog: Dialog) -> None:
            problems.append(f"native {dialog.type}")
            dialog.dismiss()

        page.on("dialog", refuse_dialog)
        sign_in_page(page, base, newcomer)
        page.goto(f"{base}/caregiver-groups")
        expect(page.get_by_role("heading", level=1)).to_have_text("Caregiver groups")
        assert run_axe(page) == []
        page.get_by_role("link", name="Carers together").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Carers together")
        expect(page.locator(".guidelines")).to_contain_text("Be kind.")
        # Joining needs the guidelines accepted; all from the keyboard.
        page.get_by_label("I have read and accept the guidelines").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Join").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("You are a member of this community.")).to_be_visible()
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

        page.get_by_label("Title").fill("First week caring for Dad")
        page.get_by_label("Your message (Markdown)").fill("Any tips for the **first week**?")
        expect(page.get_by_label("My pseudonym in this community (others cannot see who I am)")
               ).to_be_checked()  # fmt: skip
        page.get_by_role("button", name="Post").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("First week caring for Dad")
        posts = page.get_by_role("list", name="Posts in this topic")
        expect(posts.get_by_role("article")).to_have_count(1)
        expect(posts.locator("strong").filter(has_text="first week")).to_be_visible()
        assert run_axe(page) == []
        thread_id = page.url.rsplit("/", 1)[-1]

        with api_as(base, helper) as as_helper:
            answer = ok(as_helper.post(f"/api/community/threads/{thread_id}/posts",
                                       json={"body": "Sleep when you can. You are not alone."}),
                        201)  # fmt: skip
        handle = answer["post"]["author"]["handle"]
        assert handle and "Hal" not in handle
        expect(posts.get_by_role("article")).to_have_count(2, timeout=10_000)
        expect(posts).to_contain_text("Sleep when you can. You are not alone.")
        expect(posts).to_contain_text(handle)
        expect(posts).not_to_contain_text("Hal Helper")
        expect(page.get_by_role("status").last).to_contain_text(f"New post from {handle}")
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        assert problems == []
    finally:
        context.close()
