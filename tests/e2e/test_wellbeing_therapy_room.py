"""Issue 15 items 5 and 6 in Chromium: a therapist opens the private session room from their
patient's record and is taken into it; the patient finds it on their wellbeing page (and in a
notification) and enters it; there the patient's breathing with the garden's pacer is saved as a
breathing session with stress before and after (``setting: garden``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .support import LiveServer, api_as, care_team, new_person, ok, run_axe, sign_in

pytestmark = pytest.mark.e2e


def test_the_therapist_opens_the_room_and_the_patient_breathes_in_it(
    live_server: LiveServer, browser
):
    base_url = live_server.base_url
    therapist = new_person("Dr. Rowan Garden", role="clinician")
    patient = new_person("Sam Garden")
    patient_id = care_team(live_server, therapist, patient)

    contexts = [
        browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
        )
        for _ in range(2)
    ]
    try:
        for context in contexts:
            context.set_default_timeout(20_000)
        t_page, p_page = (context.new_page() for context in contexts)
        errors: list[str] = []
        for page in (t_page, p_page):
            page.on("pageerror", lambda e: errors.append(str(e)))

        sign_in(t_page, base_url, therapist)
        t_page.goto(f"{base_url}/patients/{patient_id}")
        t_page.get_by_role("button", name="Open the therapy room").click()
        expect(t_page).to_have_url(re.compile(r"/spaces/[0-9a-f-]{36}$"))
        room_id = t_page.url.rsplit("/", 1)[1]
        expect(t_page.get_by_text("Connected", exact=True)).to_be_visible()

        sign_in(p_page, base_url, patient)
        with api_as(base_url, patient) as as_patient:
            notices = ok(as_patient.get("/api/me/notifications"))
        assert [n["link"] for n in notices if n["link"] == f"/spaces/{room_id}"]
        p_page.goto(f"{base_url}/wellbeing")
        expect(p_page.get_by_role("heading", name="Your therapy session room")).to_be_visible()
        assert run_axe(p_page) == []
        p_page.get_by_role("link", name="Enter the session room").click()
        expect(p_page).to_have_url(f"{base_url}/spaces/{room_id}")
        expect(p_page.get_by_text("Connected", exact=True)).to_be_visible()
        expect(p_page.get_by_role("heading", name="Guided breathing")).to_be_visible()

        # The patient's breathing with the lantern, saved as a session.
        p_page.get_by_label("Breaths a minute").fill("5.5")
        session = p_page.locator("cv-garden-session fieldset")
        session.get_by_label(re.compile("How stressed do you feel right now")).select_option("7")
        p_page.get_by_role("button", name="Start a saved session").click()
        expect(session).to_have_attribute("data-garden-session", "open")
        # Nothing else ran, so the patient's own pacer starts at the chosen rate.
        p_page.wait_for_function("() => window.__careversePacer?.running")
        assert p_page.evaluate("() => window.__careversePacer.rate") == 5.5
        session.get_by_label(re.compile("How stressed do you feel now")).select_option("3")
        p_page.get_by_role("button", name="Finish and save").click()
        expect(session).to_have_attribute("data-garden-session", "saved")
        expect(session.get_by_role("status")).to_contain_text("stress 7 before, 3 after")
        assert run_axe(p_page) == []
        with api_as(base_url, patient) as as_patient:
            (saved,) = ok(as_patient.get("/api/wellbeing/breathing/sessions"))["sessions"]
        assert (saved["setting"], saved["rate"]) == ("garden", 5.5)
        assert (saved["stress_before"], saved["stress_after"]) == (7, 3)
        assert saved["finished_at"] is not None
        assert errors == []
    finally:
        for context in contexts:
            context.close()
