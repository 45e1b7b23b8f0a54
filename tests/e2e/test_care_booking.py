"""Issue 12: booking done right, on a 360-px phone. The patient picks a day in the calendar (not
only the next day and a half), a time on it, confirms with the visit type, the reason and a
reminder choice; then moves the visit to another time and cancels it, all inside the page (no
browser dialogs)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, new_person, register_via_api, run_axe, sign_in
from .test_care_call import clinician_around_the_clock

pytestmark = pytest.mark.e2e


def test_book_through_the_calendar_confirm_move_and_cancel_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = clinician_around_the_clock(live_server)
    patient = new_person("Tomas Calendar")
    register_via_api(base, patient)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda error: problems.append(str(error)))
        phone.on(
            "dialog", lambda dialog: (problems.append(f"native {dialog.type}"), dialog.dismiss())
        )
        sign_in(phone, base, patient)
        phone.goto(f"{base}/appointments")
        phone.get_by_role("button", name=f"Book with {clinician.display_name}").click()

        # The calendar: four weeks of days; a day beyond tomorrow has free times too.
        days = phone.locator(".care-days button")
        expect(days).to_have_count(28)
        later = days.nth(9)
        expect(later).to_be_enabled()
        later.click()
        expect(later).to_have_attribute("aria-pressed", "true")
        expect(phone.locator("#care-times")).to_be_focused()
        wanted = later.get_attribute("data-day")
        assert run_axe(phone) == []
        no_sideways_scroll(phone)

        first = phone.locator(".care-slots button").nth(2)
        start = first.get_attribute("data-start")
        first.click()
        confirm = phone.locator(".care-confirm")
        expect(
            confirm.get_by_role("heading", name="Check and confirm your booking")
        ).to_be_focused()
        expect(confirm).to_contain_text(clinician.display_name)
        expect(confirm).to_contain_text("Follow-up (15 minutes)")
        phone.get_by_label("What would you like to talk about?").fill("My knee after the fall")
        phone.get_by_label("Remind me").select_option(label="One day before")
        assert run_axe(phone) == []
        no_sideways_scroll(phone)
        phone.get_by_role("button", name="Confirm booking").click()
        expect(phone.get_by_role("status")).to_contain_text("Booked:")
        item = phone.locator(".care-item", has_text=clinician.display_name).first
        assert wanted and start and start[:10] == wanted  # the browser's zone is UTC here

        # Move it: the same calendar, then a confirmation.
        item.get_by_role("button", name="Change time").click()
        phone.locator(".care-days button:not([disabled])").nth(3).click()
        phone.locator(".care-slots button").first.click()
        phone.get_by_role("button", name="Move my visit").click()
        expect(phone.get_by_role("status")).to_contain_text("Moved:")

        # Cancel it, confirmed in the page.
        phone.locator(".care-item", has_text=clinician.display_name).first.get_by_role(
            "button", name="Cancel"
        ).click()
        expect(phone.get_by_role("heading", name="Cancel this appointment?")).to_be_focused()
        assert run_axe(phone) == []
        phone.get_by_role("button", name="Cancel this appointment").click()
        expect(phone.get_by_role("status")).to_contain_text("The appointment is cancelled.")
        assert problems == []
    finally:
        context.close()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width
