"""Self-help in a real browser, at phone width: a patient reads a guide section, completes a
thought record and sees how the re-rating changed each emotion; the pages pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .support import Person, run_axe, sign_in

pytestmark = pytest.mark.e2e


def test_a_patient_completes_a_thought_record_and_sees_the_change(
    browser, base_url: str, person: Person
):
    # axe is injected as an inline script, which the page's CSP rightly forbids.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, base_url, person)
        page.goto(f"{base_url}/wellbeing")
        page.get_by_role("link", name="Self-help: guides, thought records").click()
        expect(page).to_have_url(f"{base_url}/wellbeing/self-help")
        page.get_by_role("button", name="Read Thinking traps").click()
        expect(page.get_by_role("heading", name="Thinking traps", level=2)).to_be_focused()
        page.get_by_role("button", name='I have read "Common thinking traps"').click()
        expect(page.get_by_text("1 of 3 sections read").first).to_be_visible()
        assert run_axe(page) == []

        page.get_by_role("link", name="Thought records").click()
        expect(page).to_have_url(f"{base_url}/wellbeing/self-help/thoughts")
        page.get_by_label("1. Situation").fill("A friend cancelled our plans at short notice")
        page.get_by_label("Emotion 1", exact=True).fill("anxious")
        page.get_by_label("How strong (0 to 100)").fill("80")
        page.get_by_role("button", name="Add another emotion").click()
        page.get_by_label("Emotion 2", exact=True).fill("sad")
        page.get_by_label("How strong (0 to 100)").nth(1).fill("60")
        page.get_by_label("Thought 1").fill("She doesn't want to see me")
        page.get_by_label("4. Evidence that supports").fill("She cancelled")
        page.get_by_label("5. Evidence that does not").fill("She said her child is ill")
        page.get_by_label("6. A balanced").fill("She cancelled because her child is ill")
        page.get_by_label("anxious now").fill("30")
        page.get_by_label("sad now").fill("40")
        page.get_by_label("Mind reading").check()
        page.get_by_role("button", name="Save thought record").click()

        saved = page.get_by_role("region", name="Saved. How your emotions changed:")
        expect(saved).to_contain_text("anxious: 80 → 30 (-50)")
        expect(saved).to_contain_text("sad: 60 → 40 (-20)")
        expect(page.get_by_role("alert").filter(has_text="Help is available now")).to_have_count(0)
        past = page.get_by_role("region", name="Your thought records")
        expect(past).to_contain_text("She cancelled because her child is ill")
        expect(past).to_contain_text("Private")
        assert run_axe(page) == []

        page.goto(f"{base_url}/wellbeing/self-help/activities")
        page.get_by_label("What will you do?").fill("Walk to the park")
        page.get_by_role("button", name="Add to my plan").click()
        expect(
            page.get_by_role("button", name='Record how "Walk to the park" went')
        ).to_be_visible()
        assert run_axe(page) == []
    finally:
        context.close()
