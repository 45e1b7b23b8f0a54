"""Issue 12: "My health" on a 360-px phone. The patient opens My health from the home page, sees
the conditions, medicines, allergies and care plan their clinician recorded, in plain words;
types a blood pressure (first one the server refuses, shown beside its field, then a good one)
and sees it on Vitals. No "coming soon", no sideways scroll, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

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


def test_patient_reads_my_health_and_adds_a_blood_pressure_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = new_person("Dr. Ines Moreau", role="clinician")
    patient = new_person("Kofi Mensah")
    pid = care_team(live_server, clinician, patient)
    with api_as(base, clinician) as as_clinician:
        record = f"/api/care/patients/{pid}"
        ok(as_clinician.post(f"{record}/conditions", json={
            "text": "Essential hypertension", "plain_text": "High blood pressure",
            "onset": "2024-05-01"}), 201)  # fmt: skip
        ok(as_clinician.post(f"{record}/medications", json={
            "name": "Amlodipine", "dose": "5 mg", "how_taken": "Once a day, in the morning",
            "reason": "To lower your blood pressure"}), 201)  # fmt: skip
        ok(as_clinician.post(f"{record}/allergies", json={
            "substance": "penicillin", "reaction": "Hives",
            "criticality": "high"}), 201)  # fmt: skip
        ok(as_clinician.post(f"{record}/care-plans", json={
            "title": "Bring your blood pressure down",
            "goals": [{"description": "Blood pressure under control",
                       "target": "below 140/90"}]}), 201)  # fmt: skip

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda error: problems.append(str(error)))

        def no_native_dialogs(dialog) -> None:
            problems.append(f"native {dialog.type}")
            dialog.dismiss()

        phone.on("dialog", no_native_dialogs)
        sign_in(phone, base, patient)
        phone.get_by_role("link", name="My health").first.click()
        expect(phone).to_have_url(f"{base}/health")
        expect(phone.get_by_role("heading", level=1)).to_have_text("My health")
        conditions = phone.locator(
            "section", has=phone.get_by_role("heading", name="Your conditions")
        )
        expect(conditions).to_contain_text("High blood pressure")
        expect(conditions).to_contain_text("Your care team calls this: Essential hypertension")
        expect(phone.locator("main")).to_contain_text("Amlodipine")
        expect(phone.locator("main")).to_contain_text("How to take it: 5 mg, Once a day")
        expect(phone.locator("main")).to_contain_text("Allergic to penicillin")
        expect(phone.locator("main")).to_contain_text("This can be serious")
        expect(phone.locator("main")).to_contain_text("Target: below 140/90")
        expect(phone.locator("main")).not_to_contain_text("coming soon")
        assert run_axe(phone) == []
        no_sideways_scroll(phone)

        # A reading the server refuses (bottom number above the top) is shown beside its field.
        phone.get_by_role("radio", name="Blood pressure").check()
        phone.get_by_label("Top number (systolic)").fill("80")
        phone.get_by_label("Bottom number (diastolic)").fill("120")
        phone.get_by_role("button", name="Save reading").click()
        diastolic = phone.get_by_label("Bottom number (diastolic)")
        expect(diastolic).to_have_attribute("aria-invalid", "true")
        expect(diastolic).to_be_focused()
        expect(phone.locator("#reading-diastolic-error")).to_contain_text(
            "The bottom number must be lower than the top number."
        )
        # A field left empty is caught before sending.
        phone.get_by_label("Top number (systolic)").fill("")
        phone.get_by_role("button", name="Save reading").click()
        expect(phone.locator("#reading-systolic-error")).to_contain_text("Enter the")
        assert run_axe(phone) == []

        phone.get_by_label("Top number (systolic)").fill("128")
        phone.get_by_label("Bottom number (diastolic)").fill("82")
        phone.get_by_role("button", name="Save reading").click()
        expect(phone.get_by_role("status").filter(has_text="Reading saved")).to_have_text(
            "Reading saved: Blood pressure."
        )
        expect(phone.get_by_label("Top number (systolic)")).to_have_value("")
        no_sideways_scroll(phone)

        phone.get_by_role("link", name="See it with your vitals").click()
        expect(phone).to_have_url(f"{base}/vitals")
        cards = phone.locator(".vital-card")
        expect(cards.filter(has_text="128")).to_have_count(1)
        expect(cards.filter(has_text="82")).to_have_count(1)
        assert problems == []
    finally:
        context.close()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width
