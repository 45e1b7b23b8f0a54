"""Community moderation in a real browser, on a 360-px phone: a post with crisis language is held
and its writer gets the message of concern; the staff's queue shows it first with its deadline;
a moderator takes it on, releases a false positive in one click, and hides a flagged post with a
reason — keyboard-operable, axe-clean, no native dialogs."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e


def ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def test_crisis_hold_concern_queue_release_and_flag(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    admin = new_person("Ada Moderator", role="admin")
    writer, reader = new_person("Wren Writer"), new_person("Rae Reader")
    add_user_via_cli(live_server, admin)
    register_via_api(base, writer)
    register_via_api(base, reader)
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": "carers-e2e", "name": "Carers under moderation", "kind": "caregiver",
            "visibility": "public", "guidelines": "Be kind."}), 201)  # fmt: skip
    join = {"accept_guidelines": True, "guidelines_version": 1}
    with api_as(base, writer) as as_writer, api_as(base, reader) as as_reader:
        ok(as_writer.post("/api/community/communities/carers-e2e/join", json=join))
        ok(as_reader.post("/api/community/communities/carers-e2e/join", json=join))
        held = ok(as_writer.post("/api/community/communities/carers-e2e/threads", json={
            "title": "Tonight", "body": "I can't go on. I want to end my life.",
            "identity": "pseudonym"}), 201)  # fmt: skip
        assert held["post"]["state"] == "held"
        assert held["concern"]["message"] and held["concern"]["resources"]
        rude = ok(as_writer.post("/api/community/communities/carers-e2e/threads", json={
            "title": "Sales", "body": "Buy my followers package now",
            "identity": "pseudonym"}), 201)  # fmt: skip
        ok(as_reader.post(f"/api/community/posts/{rude['post']['id']}/flags",
                          json={"reason": "spam", "note": "an advert"}), 201)  # fmt: skip

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))

        def no_native_dialogs(dialog) -> None:
            problems.append(f"native {dialog.type}")
            dialog.dismiss()

        page.on("dialog", no_native_dialogs)
        sign_in_page(page, base, admin)
        page.goto(f"{base}/moderation")
        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        items = page.get_by_role("list", name="Posts to review, crisis holds first")
        first = items.get_by_role("article").first
        expect(first.get_by_role("heading", level=2)).to_have_text("Tonight")
        expect(first).to_contain_text("Held for crisis language.")
        expect(first).to_contain_text("Take it on by")
        expect(first).to_contain_text("crisis:rule:suicide.end-life")
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

        # Taken on, from the keyboard.
        first.get_by_role("button", name="I am taking this on").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").first).to_contain_text("Acknowledged")
        expect(first).to_contain_text("Someone has taken this on.")
        # A false positive: one click, no reason needed.
        first.get_by_role("button", name="Release: not a crisis").click()
        expect(page.get_by_role("status").first).to_contain_text("Released")

        # The flagged advert: hiding needs a reason; without one the page says so.
        advert = items.get_by_role("article", name="Sales", exact=True)
        expect(advert).to_contain_text("an advert")
        advert.get_by_role("button", name="Hide").click()
        expect(page.get_by_role("alert")).to_contain_text("Give a reason")
        advert.get_by_label("Reason for your action").fill("Advertising is not allowed here")
        advert.get_by_role("button", name="Hide").click()
        expect(page.get_by_text("Nothing to review.")).to_be_visible()
        assert run_axe(page) == []
        assert problems == []
    finally:
        context.close()

    with api_as(base, admin) as as_admin:
        log = ok(as_admin.get("/api/community/moderation/my-actions"))["actions"]
        assert [a["action"] for a in log] == ["hide", "approve"]


def test_composer_nudges_before_posting_and_a_method_is_behind_a_warning(
    browser: Browser, live_server: LiveServer
):
    """#chatsafe: a post naming a method opens only when the reader asks; a draft with crisis
    language gets a gentle nudge (the message of concern) while the writer can still post."""
    base = live_server.base_url
    admin = new_person("Ada Keeper", role="admin")
    writer, reader = new_person("Wes Writer"), new_person("Rita Reader")
    add_user_via_cli(live_server, admin)
    register_via_api(base, writer)
    register_via_api(base, reader)
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": "carers-cw", "name": "Carers here", "kind": "caregiver",
            "visibility": "public", "guidelines": "Be kind."}), 201)  # fmt: skip
    join = {"accept_guidelines": True, "guidelines_version": 1}
    story = "When I was 16 I tried to hang myself with a rope. I am in recovery now."
    with api_as(base, writer) as as_writer, api_as(base, reader) as as_reader:
        ok(as_writer.post("/api/community/communities/carers-cw/join", json=join))
        ok(as_reader.post("/api/community/communities/carers-cw/join", json=join))
        opened = ok(as_reader.post("/api/community/communities/carers-cw/threads", json={
            "title": "My story", "body": story, "identity": "pseudonym"}), 201)  # fmt: skip
        assert opened["post"]["tags"] == ["cw-method"]  # lived-experience: moderators only

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("dialog", lambda dialog: (problems.append(f"native {dialog.type}"),
                                          dialog.dismiss()))  # fmt: skip
        sign_in_page(page, base, writer)
        page.goto(f"{base}/community/threads/{opened['thread']['id']}")
        expect(page.get_by_role("heading", level=1)).to_have_text("My story")
        warning = page.get_by_text("This post mentions a method of self-harm. Show it")
        expect(warning).to_be_visible()
        expect(page.get_by_text("hang myself")).to_be_hidden()
        warning.focus()
        page.keyboard.press("Enter")  # opened deliberately, from the keyboard
        expect(page.get_by_text("hang myself")).to_be_visible()

        body = page.get_by_label("Your message (Markdown)")
        body.fill("Honestly I want to end my life.")  # the writer pauses: the nudge appears
        nudge = page.get_by_role("status").filter(has_text="You can still post")
        expect(nudge).to_contain_text("We are here for you")
        expect(body).to_be_focused()  # the nudge is announced, it does not take the focus
        send = page.get_by_role("button", name="Post", exact=True)
        expect(send).to_be_enabled()
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

        send.click()  # not blocked: sent, held for a human, the message of concern shown
        expect(page.get_by_text("Waiting for a moderator")).to_be_visible()
        concern = page.get_by_role("status").filter(has_text="It is not shown to others")
        expect(concern).to_be_visible()
        expect(nudge).to_have_count(0)
        assert run_axe(page) == []
        assert problems == []
    finally:
        context.close()


def test_a_moderator_turns_on_slow_mode_for_a_topic(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    admin, member = new_person("Ada Slow", role="admin"), new_person("Max Member")
    add_user_via_cli(live_server, admin)
    register_via_api(base, member)
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": "carers-slow", "name": "Carers calm", "kind": "caregiver",
            "visibility": "public", "guidelines": "Be kind."}), 201)  # fmt: skip
    with api_as(base, member) as as_member:
        ok(as_member.post("/api/community/communities/carers-slow/join",
                          json={"accept_guidelines": True, "guidelines_version": 1}))  # fmt: skip
        opened = ok(as_member.post("/api/community/communities/carers-slow/threads", json={
            "title": "Heated", "body": "Let us talk it through.", "identity": "pseudonym"}),
            201)  # fmt: skip
    thread_id = opened["thread"]["id"]

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in_page(page, base, admin)
        page.goto(f"{base}/community/threads/{thread_id}")
        form = page.get_by_role("form", name="Slow mode for this topic")
        form.get_by_label("One post per member every").select_option(label="5 minutes")
        form.get_by_label("Reason (kept in the log)").fill("Cooling down a heated topic")
        form.get_by_role("button", name="Set slow mode").click()
        expect(form.get_by_role("status")).to_have_text(
            "Slow mode is on: one post per member every 5 minutes."
        )
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        assert problems == []
    finally:
        context.close()

    with api_as(base, member) as as_member:
        reply = {"body": "One more thought.", "identity": "pseudonym"}
        too_soon = as_member.post(f"/api/community/threads/{thread_id}/posts", json=reply)
        assert too_soon.status_code == 429 and "Slow mode is on" in too_soon.text
