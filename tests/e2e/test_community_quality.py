"""Health information quality in a real browser, on a 360-px phone: a verified clinician marks a
post as contradicting current evidence from a dialog (keyboard, labelled), every reader then
sees the warning above the post; a member opens the community's library and takes a quiz,
answered with accessible radio and checkbox groups, and sees the score and explanations —
axe-clean, no native dialogs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

QUIZ = {
    "kind": "module", "title": "Hypos: what to do", "summary": "Two questions",
    "body": "A **hypo** is a low blood sugar.",
    "questions": [
        {"prompt": "What do you take first?", "options": ["Fast sugar", "Chocolate"],
         "correct": [0], "explanation": "Fast sugar acts within minutes."},
        {"prompt": "Which are signs of a hypo?", "options": ["Shaking", "Sweating", "Sneezing"],
         "correct": [0, 1], "multiple": True, "explanation": "Shaking and sweating are common."},
    ],
}  # fmt: skip


def phone(browser: Browser, problems: list[str]) -> Page:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB",
                                  bypass_csp=True)  # fmt: skip
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))

    def refuse_dialog(dialog: Dialog) -> None:
        problems.append(f"native {dialog.type}")
        dialog.dismiss()

    page.on("dialog", refuse_dialog)
    return page


def test_a_clinician_marks_a_post_and_a_member_takes_a_quiz(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin = new_person("Ada Quality", role="admin")
    clinician = new_person("Dr Iris Evidence", role="clinician")
    member = new_person("Mo Member")
    add_user_via_cli(live_server, admin)
    add_user_via_cli(live_server, clinician)
    register_via_api(base, member)
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": "diabetes-quality", "name": "Diabetes together", "kind": "condition",
            "visibility": "public", "guidelines": "Be kind."}), 201)  # fmt: skip
    with api_as(base, member) as as_member:
        ok(as_member.post("/api/community/communities/diabetes-quality/join",
                          json={"accept_guidelines": True, "guidelines_version": 1}))  # fmt: skip
        opened = ok(as_member.post("/api/community/communities/diabetes-quality/threads", json={
            "title": "Cinnamon instead of tablets?", "identity": "pseudonym",
            "body": "I read cinnamon works as well as metformin."}), 201)  # fmt: skip
    with api_as(base, clinician) as as_clinician:
        quiz = ok(as_clinician.post("/api/community/communities/diabetes-quality/library",
                                    json=QUIZ), 201)  # fmt: skip
        ok(as_clinician.put(f"/api/community/library/{quiz['id']}/state",
                            json={"state": "published"}))  # fmt: skip
    thread_url = f"{base}/community/threads/{opened['thread']['id']}"

    problems: list[str] = []
    desk = phone(browser, problems)
    try:
        sign_in_page(desk, base, clinician)
        desk.goto(thread_url)
        post = desk.get_by_role("article")
        post.get_by_role("button", name="Mark this post").focus()
        desk.keyboard.press("Enter")
        dialog = desk.get_by_role("dialog", name="Mark this post")
        expect(dialog).to_be_visible()
        assert run_axe(desk) == []
        dialog.get_by_label("Contradicts current evidence").check()
        dialog.get_by_label("Source link (https://…)").fill("http://example.org/not-secure")
        dialog.get_by_label("Source title").fill("Diabetes UK: food")
        dialog.get_by_role("button", name="Save the mark").click()
        expect(dialog).to_be_visible()  # the browser refuses a link that is not https
        dialog.get_by_label("Source link (https://…)").fill("https://www.diabetes.org.uk/food")
        dialog.get_by_label("Note for readers (optional)").fill("Do not stop metformin.")
        dialog.get_by_role("button", name="Save the mark").click()
        expect(dialog).to_be_hidden()
        expect(post.get_by_role("note", name="Clinician review of this post")).to_contain_text(
            "Warning: contradicts current evidence"
        )
        expect(post.get_by_role("button", name="Change the mark")).to_be_focused()
        assert run_axe(desk) == []
        assert desk.evaluate("() => document.documentElement.scrollWidth") <= 360

        # the author screen: a new article, saved as a draft, then published (reviewed by them)
        desk.goto(f"{base}/community/diabetes-quality")
        desk.get_by_role("link", name="Write a library item").click()
        expect(desk.get_by_role("heading", level=1)).to_have_text("New library item")
        assert run_axe(desk) == []
        desk.get_by_label("Title").fill("Foot checks")
        desk.get_by_label("Text (Markdown)").fill("Look at your feet **every day**.")
        desk.get_by_role("button", name="Save").click()
        expect(desk.get_by_role("heading", level=1)).to_have_text("Foot checks")
        expect(desk.locator(".library-body strong")).to_have_text("every day")
        desk.get_by_role("button", name="Publish").click()
        expect(desk.get_by_role("button", name="Withdraw to draft")).to_be_visible()
        expect(desk.get_by_text("Reviewed by Dr Iris Evidence on")).to_be_visible()
        assert run_axe(desk) == []
    finally:
        desk.context.close()

    mine = phone(browser, problems)
    try:
        sign_in_page(mine, base, member)
        mine.goto(thread_url)
        note = mine.get_by_role("note", name="Clinician review of this post")
        expect(note).to_contain_text("Marked by Dr Iris Evidence, verified clinician")
        expect(note.get_by_role("link", name="Diabetes UK: food")).to_have_attribute(
            "href", "https://www.diabetes.org.uk/food"
        )
        expect(mine.get_by_text("I read cinnamon works as well as metformin.")).to_be_visible()
        expect(mine.get_by_role("button", name="Mark this post")).to_have_count(0)
        assert run_axe(mine) == []

        mine.goto(f"{base}/community/diabetes-quality")
        library = mine.get_by_role("region", name="Library")
        library.get_by_role("link", name="Hypos: what to do").click()
        expect(mine.get_by_role("heading", level=1)).to_have_text("Hypos: what to do")
        first = mine.get_by_role("group", name="1. What do you take first?")
        first.get_by_label("Chocolate").focus()
        mine.keyboard.press("Space")
        second = mine.get_by_role(
            "group", name="2. Which are signs of a hypo? (choose all that apply)"
        )
        second.get_by_label("Shaking").check()
        second.get_by_label("Sweating").check()
        assert run_axe(mine) == []
        mine.get_by_role("button", name="Check my answers").click()
        expect(mine.get_by_role("heading", name="You scored 1 out of 2")).to_be_focused()
        expect(mine.get_by_text("Fast sugar acts within minutes.")).to_be_visible()
        expect(mine.get_by_text("The answer: Fast sugar.")).to_be_visible()
        assert run_axe(mine) == []
        assert mine.evaluate("() => document.documentElement.scrollWidth") <= 360
        assert problems == []
    finally:
        mine.context.close()
