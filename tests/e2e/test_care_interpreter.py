"""Issue 16 item 2 in the browser: a patient whose language (Spanish) the clinician does not
speak is offered an interpreter on the booking confirmation (axe-clean at phone width); booking
with it invites a Spanish interpreter from the pool into the visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .support import (
    LiveServer,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)
from .test_care_booking import no_sideways_scroll
from .test_care_call import clinician_around_the_clock

pytestmark = pytest.mark.e2e


def test_a_spanish_speaking_patient_is_offered_and_books_an_interpreter(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = clinician_around_the_clock(live_server)  # speaks English only
    interpreter = new_person("María Intérprete", role="clinician")
    admin = new_person("Pool Admin", role="admin")
    for someone in (interpreter, admin):
        add_user_via_cli(live_server, someone)
    with api_as(base, interpreter) as api:
        interpreter_id = api.get("/api/me").json()["id"]
    with api_as(base, admin) as api:
        added = api.put(f"/api/care/interpreters/{interpreter_id}", json={"languages": ["es"]})
        assert added.status_code == 200, added.text
    patient = new_person("Lucía Gómez")
    register_via_api(base, patient)
    with api_as(base, patient) as api:
        patient_id = api.get("/api/me").json()["patient_id"]
        changed = api.patch(f"/api/patients/{patient_id}", json={"preferred_language": "es"})
        assert changed.status_code == 200, changed.text

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(phone, base, patient)
        phone.goto(f"{base}/appointments")
        phone.get_by_role("button", name=f"Book with {clinician.display_name}").click()
        phone.locator(".care-days button:not([disabled])").first.click()
        phone.locator(".care-slots button").first.click()
        offer = phone.get_by_label("Book an interpreter for Spanish")
        expect(offer).to_be_checked()
        expect(phone.locator("#care-interpreter-hint")).to_contain_text("interpreter will be")
        assert run_axe(phone) == []
        no_sideways_scroll(phone)
        phone.get_by_role("button", name="Confirm booking").click()
        expect(phone.get_by_role("status")).to_contain_text("Booked:")
        assert problems == []
    finally:
        context.close()
    with api_as(base, patient) as api:
        booked = api.get("/api/care/appointments").json()
    assert [(i["name"], i["role"]) for i in booked[0]["invitees"]] == [
        ("María Intérprete", "interpreter")
    ]
