"""Issue 16 item 3 in the browser: a clinician reads a patient's Spanish message translated into
English, beside the original, marked as machine translation, the dose untouched (axe-clean)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, api_as, care_team, new_person, ok, run_axe, sign_in

pytestmark = pytest.mark.e2e

SPANISH = "Tengo dolor y tomo 2.5 mg una vez al día"


def test_a_clinician_reads_a_spanish_message_translated_with_the_dose_intact(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = new_person("Dr. Ana Lind", role="clinician")
    patient = new_person("Lucía Ortega")
    patient_id = care_team(live_server, clinician, patient)
    with api_as(base, patient) as api:
        ok(api.post("/api/messages/threads", data={"subject": "Dolor", "body": SPANISH}), 201)

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        desk = context.new_page()
        desk.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(desk, base, clinician)
        desk.goto(f"{base}/inbox?patient={patient_id}")
        desk.get_by_role("button", name="Unassigned", exact=True).click()
        desk.get_by_role("button", name=re.compile("Lucía Ortega: Dolor")).click()
        message = desk.locator(".message").first
        message.get_by_role("button", name="Translate").click()
        translation = message.locator(".translation")
        expect(translation).to_contain_text("Machine translation")
        expect(translation.locator(".translation__text")).to_have_text(
            "⟨Tengo⟩ pain ⟨y tomo⟩ 2.5 mg once a day"
        )
        expect(message.locator(".translated-original")).to_have_text(SPANISH)
        expect(message.get_by_role("button", name="Translate")).to_have_attribute(
            "aria-pressed", "true"
        )
        assert run_axe(desk) == []
        assert problems == []
    finally:
        context.close()
