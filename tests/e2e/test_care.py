"""A whole virtual consultation in two browsers (Debian Chromium, fake camera and microphone):
the patient books and checks in with a device check, the clinician admits, both are in the
consult room's call, the clinician writes and signs a note, the patient reads the summary."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    Person,
    add_user_via_cli,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
CONNECTED = """() => {
  const calls = window.careverseWorld && window.careverseWorld.calls;
  const peers = calls ? calls.peers() : [];
  return peers.length === 1 && peers[0].state === 'connected';
}"""
ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]


@pytest.fixture(scope="module")
def media_browser(browser: Browser) -> Iterator[Browser]:
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA
    )
    yield launched
    launched.close()


def media_context(browser: Browser, base_url: str) -> BrowserContext:
    # CSP bypassed only so that axe can be injected.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    context.grant_permissions(["camera", "microphone"], origin=base_url)
    context.set_default_timeout(20_000)
    return context


@pytest.fixture(scope="module")
def clinician(live_server: LiveServer) -> Person:
    """A clinician who works around the clock (so a slot is always within check-in reach)."""
    person = new_person(f"Dr. Journey {new_person().email[4:10]}", role="clinician")
    add_user_via_cli(live_server, person)
    token = httpx.post(
        f"{live_server.base_url}/api/auth/token",
        data={"username": person.email, "password": person.password},
        timeout=10,
    ).json()["access_token"]
    answer = httpx.put(
        f"{live_server.base_url}/api/care/availability",
        json={"time_zone": "UTC", "buffer_minutes": 0, "languages": ["en"], "weekly": ALL_DAY},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return person


def test_book_check_in_admit_call_sign_and_read_the_summary(
    media_browser: Browser, live_server: LiveServer, clinician: Person
) -> None:
    base = live_server.base_url
    patient = new_person("Nia Journey")
    register_via_api(base, patient)
    patient_context = media_context(media_browser, base)
    clinician_context = media_context(media_browser, base)
    errors: list[str] = []
    try:
        mine = patient_context.new_page()
        mine.on("pageerror", lambda error: errors.append(f"patient: {error}"))
        sign_in(mine, base, patient)
        mine.goto(f"{base}/appointments")
        mine.get_by_role("button", name=f"Book with {clinician.display_name}").click()
        mine.locator(".care-slots button").first.click()
        mine.get_by_label("What would you like to talk about?").fill("A rash on my arm")
        mine.get_by_role("button", name="Confirm booking").click()
        expect(mine.get_by_role("status")).to_contain_text("Booked:")
        assert run_axe(mine) == []

        # Check in with the device check (fake camera and microphone).
        mine.get_by_role("button", name="Check in").first.click()
        mine.get_by_role("button", name="Test").first.click()
        expect(mine.locator(".care-checks")).to_contain_text("working / working")
        mine.get_by_role("button", name="I heard it").click()
        mine.get_by_role("button", name="Test").nth(1).click()
        mine.locator("#care-check-in").click()
        expect(mine.get_by_text("You are number 1 of 1 waiting.")).to_be_visible()
        assert run_axe(mine) == []

        # The clinician sees the patient in their queue and admits them.
        desk = clinician_context.new_page()
        desk.on("pageerror", lambda error: errors.append(f"clinician: {error}"))
        sign_in(desk, base, clinician)
        desk.goto(f"{base}/consultations")
        entry = desk.locator(".care-item", has_text=patient.display_name)
        expect(entry).to_contain_text("Checked in")
        assert run_axe(desk) == []
        entry.get_by_role("button", name="Admit").click()
        room_link = desk.locator("#care-room")
        expect(room_link).to_be_visible()
        room = room_link.get_attribute("href")
        assert room and room.startswith("/spaces/")

        # The patient's waiting view turns into a way in; both join the call in the room.
        join = mine.locator("#care-join")
        expect(join).to_be_visible(timeout=20_000)
        assert join.get_attribute("href") == room
        mine.goto(f"{base}{room}?mode=2d")
        call = clinician_context.new_page()
        call.on("pageerror", lambda error: errors.append(f"clinician call: {error}"))
        call.goto(f"{base}{room}?mode=2d")
        for page in (mine, call):
            page.wait_for_function("() => window.careverseWorld && window.careverseWorld.calls")
            page.get_by_role("button", name="Join call").click()
        for page in (mine, call):
            page.wait_for_function(CONNECTED, timeout=30_000)

        # The clinician writes and signs the note.
        desk.get_by_label("Subjective").fill("Itchy rash for a week.")
        desk.get_by_label("Summary for the patient (plain words)").fill(
            "Your rash looks like eczema. Use the cream twice a day."
        )
        desk.get_by_label("Follow-up").fill("Book a follow-up in two weeks if it is not better.")
        desk.locator("#note-sign").click()
        expect(desk.get_by_role("status")).to_have_text("The note is signed and locked.")
        assert run_axe(desk) == []

        # The patient reads the summary.
        mine.goto(f"{base}/appointments")
        mine.get_by_role("button", name="Visit summary").click()
        expect(mine.get_by_text("Your rash looks like eczema.")).to_be_visible()
        expect(mine.get_by_text("Book a follow-up in two weeks")).to_be_visible()
        assert errors == []
    finally:
        patient_context.close()
        clinician_context.close()
