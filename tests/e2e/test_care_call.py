"""Issue 12: the waiting patient is called in, wherever they wait. The patient waits in the
waiting garden (a 360-px phone); the clinician admits; the patient gets an accessible prompt
(focus on its button), a short tone, and goes into the consult room with one tap. Once the
clinician ends the visit, the room tells the patient and refuses them re-entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from .support import (
    LiveServer,
    Person,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    sign_in,
)
from .test_care import ALL_DAY

pytestmark = pytest.mark.e2e

DEVICES_OK = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}
# Counts the tones the page makes (Web Audio oscillators), to see the call's sound was played.
COUNT_TONES = """
(() => {
  window.__tones = 0;
  const make = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__tones += 1;
    return make.call(this);
  };
})();
"""


def clinician_around_the_clock(server: LiveServer) -> Person:
    person = new_person(f"Dr. Caller {new_person().email[4:10]}", role="clinician")
    add_user_via_cli(server, person)
    with api_as(server.base_url, person) as api:
        answer = api.put(
            "/api/care/availability",
            json={"time_zone": "UTC", "buffer_minutes": 0, "languages": ["en"], "weekly": ALL_DAY},
        )
        assert answer.status_code == 200, answer.text
    return person


def test_patient_waiting_in_the_garden_is_called_in_and_enters(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    clinician = clinician_around_the_clock(live_server)
    patient = new_person("Amara Okafor")
    register_via_api(base, patient)
    now = datetime.now(UTC)
    with api_as(base, patient) as api:
        found = api.get(
            f"/api/care/clinicians/{clinician_id(base, clinician)}/slots",
            params={
                "start": now.isoformat(), "end": (now + timedelta(hours=2)).isoformat(),
                "visit_type": "follow-up",
            },
        )  # fmt: skip
        assert found.status_code == 200, found.text
        first = found.json()["slots"][0]["start"]
        made = api.post(
            "/api/care/appointments",
            json={"clinician_id": clinician_id(base, clinician), "start": first,
                  "visit_type": "follow-up", "reason": "Checking my blood pressure"},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        appointment = made.json()["id"]
        wait = api.post(
            f"/api/care/appointments/{appointment}/check-in", json={"device_check": DEVICES_OK}
        )
        assert wait.status_code == 200, wait.text

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    context.add_init_script(COUNT_TONES)
    errors: list[str] = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(phone, base, patient)
        phone.goto(f"{base}/appointments")
        phone.get_by_role("button", name="Waiting room").click()
        phone.get_by_role("link", name="Wait in the garden").click()
        expect(phone).to_have_url(f"{base}/spaces/{wait.json()['waiting_space_id']}")
        phone.wait_for_function(
            "() => window.careverseWorld && window.careverseWorld.connection.open"
        )

        with api_as(base, clinician) as api:
            admitted = api.post(f"/api/care/appointments/{appointment}/admit")
            assert admitted.status_code == 200, admitted.text
            room = admitted.json()["space_id"]
            encounter = admitted.json()["encounter_id"]

        prompt = phone.get_by_role("dialog", name="Your clinician is ready to see you")
        expect(prompt).to_be_visible()
        enter = prompt.get_by_role("link", name="Enter the consult room")
        expect(enter).to_be_focused()
        phone.wait_for_function("() => window.__tones >= 2")
        enter.click()
        expect(phone).to_have_url(f"{base}/spaces/{room}")
        expect(prompt).to_be_hidden()

        # The clinician ends the visit: the patient is told, and the room stays closed.
        with api_as(base, clinician) as api:
            assert api.post(f"/api/care/encounters/{encounter}/finish").status_code == 204
        expect(phone.get_by_text("The clinician ended the visit.").first).to_be_visible()
        phone.reload()
        expect(phone.get_by_text("This visit has ended.").first).to_be_visible()
        assert errors == []
    finally:
        context.close()


def clinician_id(base: str, clinician: Person) -> str:
    with api_as(base, clinician) as api:
        return api.get("/api/me").json()["id"]
