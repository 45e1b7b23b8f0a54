"""Care programmes in a real browser, on a 360 px phone: a clinician creates a programme, opens
it, enrols one of their patients from the labelled list and sees them among its members, then
ends the enrolment; the patient's home lists the programme. Every screen is axe-clean."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, care_team, new_person, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def test_a_clinician_runs_a_programme_on_a_phone(browser: Browser, live_server: LiveServer):
    clinician = new_person("Dr. Prog Ramme", role="clinician")
    patient = new_person(f"Pia {uuid.uuid4().hex[:6]}")
    care_team(live_server, clinician, patient)
    name = f"Heart failure e2e {uuid.uuid4().hex[:8]}"
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_page(page, live_server.base_url, clinician)
    page.goto(f"{live_server.base_url}/programmes")
    expect(page.get_by_role("heading", name="Care programmes", level=1)).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("What it is for").fill("Daily weights at home.")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("status")).to_contain_text("Programme created")
    page.get_by_role("button", name=f"Open {name}").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("None of your patients is enrolled.")).to_be_visible()
    assert run_axe(page) == []
    page.get_by_label("Patient (one of yours)").select_option(label=patient.display_name)
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"{patient.display_name} is enrolled")
    expect(page.get_by_role("link", name=patient.display_name)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    assert run_axe(page) == []

    # The patient's home lists the programme.
    other = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    mine = other.new_page()
    sign_in_page(mine, live_server.base_url, patient)
    expect(mine.get_by_role("heading", name="Your care programmes")).to_be_visible()
    expect(mine.get_by_role("heading", name=name)).to_be_visible()
    other.close()

    page.get_by_role("button", name=f"End enrolment of {patient.display_name}").click()
    expect(page.get_by_role("status")).to_contain_text("Enrolment ended")
    expect(page.get_by_text("None of your patients is enrolled.")).to_be_visible()
    assert errors == []
    context.close()
