"""Issue 12: notifications and secure messages, the patient on a 360-px phone. The patient reads
a notification through the bell, answers the care team and writes them a new message with an
attachment; the clinician answers from the triage inbox; the patient sees the answer and the
read receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from .support import (
    LiveServer,
    api_as,
    care_team,
    new_person,
    ok,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000500010d0a2db40000000049454e44ae426082"
)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_a_patient_reads_a_notice_and_messages_the_care_team_who_answers_from_the_inbox(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = new_person("Dr. Imani Reyes", role="clinician")
    patient = new_person("Sofia Marsh")
    patient_id = care_team(live_server, clinician, patient)
    with api_as(base, clinician) as as_clinician:
        # The care team writes first: the patient has a notification waiting.
        ok(
            as_clinician.post(
                "/api/messages/threads",
                data={
                    "subject": "Your blood test",
                    "body": "Your results are back and look fine.",
                    "patient_id": patient_id,
                },
            ),
            201,
        )

    phone_context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    desk_context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        phone = phone_context.new_page()
        phone.on("pageerror", lambda error: problems.append(str(error)))

        def no_native_dialogs(dialog: Dialog) -> None:
            problems.append(f"native {dialog.type}")
            dialog.dismiss()

        phone.on("dialog", no_native_dialogs)
        sign_in(phone, base, patient)

        # The bell in the header says how many are unread and opens the notifications.
        bell = phone.get_by_role("link", name="Notifications, 1 unread")
        expect(bell).to_be_visible()
        box = bell.bounding_box()
        assert box is not None and box["y"] < 120  # in the first screen's header
        bell.click()
        expect(phone).to_have_url(f"{base}/notifications")
        notice = phone.locator(".notice-item").first
        expect(notice).to_contain_text("New message from your care team")
        expect(notice).to_contain_text("Your blood test")
        assert run_axe(phone) == []
        no_sideways_scroll(phone)
        notice.get_by_role("link", name=re.compile("^Open")).click()
        expect(phone).to_have_url(re.compile(rf"{base}/messages\?thread="))
        expect(phone.get_by_role("heading", name="Your blood test")).to_be_focused()
        expect(phone.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
        expect(phone.locator(".message").first).to_contain_text("look fine")

        # A reply in the thread, then a new message with an attachment.
        phone.get_by_label("Your reply").fill("Thank you!")
        phone.get_by_role("button", name="Send", exact=True).click()
        expect(phone.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
        phone.get_by_role("button", name="New message").click()
        expect(phone.get_by_role("heading", name="New message")).to_be_focused()
        phone.get_by_label("Subject").fill("Rash on my arm")
        phone.get_by_label("Message", exact=True).fill("It appeared yesterday; photo attached.")
        phone.get_by_label(re.compile("^Attach a file")).set_input_files(
            files=[{"name": "arm.png", "mimeType": "image/png", "buffer": PNG}]
        )
        phone.get_by_role("button", name="Send", exact=True).click()
        expect(phone.get_by_role("heading", name="Rash on my arm")).to_be_focused()
        mine = phone.locator(".message--mine").last
        expect(mine).to_contain_text("Not read yet")
        expect(mine.get_by_role("button", name=re.compile("^Download arm.png"))).to_be_visible()
        assert run_axe(phone) == []
        no_sideways_scroll(phone)

        # The clinician: the bell counts the patient's messages; the inbox shows the new one
        # unassigned; they take it on, answer and mark it handled.
        desk = desk_context.new_page()
        desk.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(desk, base, clinician)
        expect(desk.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
        desk.goto(f"{base}/inbox?patient={patient_id}")
        desk.get_by_role("button", name="Unassigned", exact=True).click()
        desk.get_by_role("button", name=re.compile("Sofia Marsh: Rash on my arm")).click()
        expect(desk.get_by_role("heading", name="Rash on my arm")).to_be_focused()
        desk.get_by_role("button", name="Assign to me").click()
        expect(desk.get_by_role("status").filter(has_text="Assigned to you.")).to_be_visible()
        desk.get_by_label("Your reply").fill("Please send another photo tomorrow.")
        desk.get_by_role("button", name="Send", exact=True).click()
        expect(desk.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
        desk.get_by_role("button", name="Mark handled").click()
        expect(desk.get_by_role("status").filter(has_text="Marked handled.")).to_be_visible()
        assert run_axe(desk) == []

        # The patient is told live, opens the conversation and sees the answer and the receipt.
        expect(phone.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
        phone.goto(f"{base}/messages")
        phone.get_by_role("button", name=re.compile("Rash on my arm")).click()
        expect(phone.locator(".message").last).to_contain_text("another photo tomorrow")
        receipt = phone.locator(".message--mine .message__receipt").first
        expect(receipt).to_have_text(re.compile(r"^\s*Read "))
        no_sideways_scroll(phone)
        assert problems == []
    finally:
        phone_context.close()
        desk_context.close()
