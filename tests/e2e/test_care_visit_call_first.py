"""Issue 12, the visit call first, in Chromium with two browsers. The patient, on a 360-px
phone, books through the calendar and confirms, checks in, waits in the garden and is called in
when admitted; the call is the room's main view (the other person's video large, one's own
camera a picture in picture); the clinician writes and signs the note in the side panel beside
the call without leaving it (the call stays connected), the call comes back by itself after a
dropped socket and an ICE restart, and the clinician ends the visit: both are told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from .support import LiveServer, api_as, new_person, register_via_api, run_axe, sign_in
from .test_care import CONNECTED, media_browser, media_context  # noqa: F401 (a fixture)
from .test_care_call import COUNT_TONES, clinician_around_the_clock

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 360, "height": 740}
# The ICE credentials of the call's one connection (they change with an ICE restart).
ICE_UFRAG = """() => {
  const calls = window.careverseWorld.calls;
  const pc = calls.connection(calls.peers()[0].id);
  return /a=ice-ufrag:(\\S+)/.exec(pc.localDescription.sdp)[1];
}"""


def refuse_native_dialogs(page: Page, problems: list[str], who: str) -> None:
    """The room uses no browser dialogs: any that opens is a problem (and is dismissed)."""

    def refuse(dialog: Dialog) -> None:
        problems.append(f"{who}: native {dialog.type}")
        dialog.dismiss()

    page.on("dialog", refuse)


def heart_rate_reading(patient_id: str) -> dict:
    return {
        "patient_id": patient_id,
        "data_points": [
            {
                "header": {
                    "id": "e2e-call-first-hr",
                    "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                },
                "body": {
                    "heart_rate": {"value": 74, "unit": "beats/min"},
                    "effective_time_frame": {"date_time": datetime.now(UTC).isoformat()},
                },
            }
        ],
    }


def book_through_the_calendar(phone: Page, clinician_name: str) -> None:
    phone.get_by_role("button", name=f"Book with {clinician_name}").click()
    phone.locator(".care-days button:not([disabled])").first.click()
    phone.locator(".care-slots button").first.click()
    confirm = phone.locator(".care-confirm")
    expect(confirm.get_by_role("heading", name="Check and confirm your booking")).to_be_focused()
    phone.get_by_label("What would you like to talk about?").fill("My knee after the fall")
    phone.get_by_role("button", name="Confirm booking").click()
    expect(phone.get_by_role("status").first).to_contain_text("Booked:")


def check_in_with_the_device_check(phone: Page) -> None:
    phone.get_by_role("button", name="Check in").first.click()
    phone.get_by_role("button", name="Test").first.click()
    expect(phone.locator(".care-checks")).to_contain_text("working / working")
    phone.get_by_role("button", name="I heard it").click()
    phone.get_by_role("button", name="Test").nth(1).click()
    phone.locator("#care-check-in").click()
    expect(phone.get_by_text("You are number 1 of 1 waiting.")).to_be_visible()


def test_the_visit_call_first_from_booking_to_the_end(
    media_browser: Browser,  # noqa: F811
    live_server: LiveServer,
) -> None:
    base = live_server.base_url
    clinician = clinician_around_the_clock(live_server)
    patient = new_person("Ines Callfirst")
    register_via_api(base, patient)
    with api_as(base, patient) as api:
        mine = api.get("/api/me").json()["patient_id"]
        stored = api.post("/api/monitoring/readings", json=heart_rate_reading(mine))
        assert stored.status_code == 200 and stored.json()["accepted"] == 1, stored.text

    phone_context = media_browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    phone_context.grant_permissions(["camera", "microphone"], origin=base)
    phone_context.set_default_timeout(20_000)
    phone_context.add_init_script(COUNT_TONES)
    desk_context = media_context(media_browser, base)
    problems: list[str] = []
    try:
        phone = phone_context.new_page()
        phone.on("pageerror", lambda error: problems.append(f"patient: {error}"))
        refuse_native_dialogs(phone, problems, "patient")
        sign_in(phone, base, patient)
        phone.goto(f"{base}/appointments")
        book_through_the_calendar(phone, clinician.display_name)
        check_in_with_the_device_check(phone)
        phone.get_by_role("link", name="Wait in the garden").click()
        phone.wait_for_function(
            "() => window.careverseWorld && window.careverseWorld.connection.open"
        )

        # The clinician admits from the queue; the patient is called in the garden.
        desk = desk_context.new_page()
        desk.on("pageerror", lambda error: problems.append(f"clinician: {error}"))
        refuse_native_dialogs(desk, problems, "clinician")
        sign_in(desk, base, clinician)
        desk.goto(f"{base}/consultations")
        entry = desk.locator(".care-item", has_text=patient.display_name)
        entry.get_by_role("button", name="Admit").click()

        # The note page shows why the patient came and their vitals.
        facts = desk.locator("cv-visit-facts")
        expect(facts.locator("[data-visit-reason]")).to_have_text("My knee after the fall")
        expect(facts.locator("tr[data-code='8867-4']")).to_contain_text("74")
        expect(facts.locator("[data-news2]")).to_contain_text("NEWS2")
        room = desk.locator("#care-room").get_attribute("href")
        assert room and room.startswith("/spaces/")

        prompt = phone.get_by_role("dialog", name="Your clinician is ready to see you")
        enter = prompt.get_by_role("link", name="Enter the consult room")
        expect(enter).to_be_focused()
        phone.wait_for_function("() => window.__tones >= 2")
        enter.click()
        expect(phone).to_have_url(f"{base}{room}")
        desk.locator("#care-room").click()
        expect(desk).to_have_url(f"{base}{room}")

        # Both join the call; it is the main view.
        for page in (phone, desk):
            page.wait_for_function("() => window.careverseWorld && window.careverseWorld.calls")
            page.locator("cv-consult-call").get_by_role("button", name="Join call").click()
        for page in (phone, desk):
            page.wait_for_function(CONNECTED, timeout=30_000)
        remote = phone.locator(".consult-call__tile--main")
        expect(remote.locator("video")).to_be_visible()
        box = remote.bounding_box()
        assert box and box["width"] >= 0.6 * PHONE["width"], box
        assert box["y"] < PHONE["height"], box  # in the first screen
        own = phone.locator("[data-self-tile]").bounding_box()
        assert own and own["width"] < box["width"] / 2, own  # a picture in picture
        assert own["x"] >= box["x"] and own["y"] >= box["y"]  # inside the other's tile
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        assert run_axe(phone) == []

        # The clinician's side panel beside the call: reason, vitals, problems, the note.
        side = desk.locator(".consult-side")
        expect(side.locator("[data-visit-reason]")).to_have_text("My knee after the fall")
        expect(side.locator("tr[data-code='8867-4']")).to_contain_text("74")
        expect(side.get_by_text("No problems recorded yet.")).to_be_visible()
        # A coded problem is added beside the call; the room's panel does not repeat the vitals.
        side.get_by_label("Problem", exact=True).fill("Sprain of knee")
        side.get_by_label("Code system").select_option("snomed")
        side.get_by_label("Code", exact=True).fill("444448004")
        side.get_by_role("button", name="Add problem").click()
        recorded = side.locator(".visit-facts__problems")
        expect(recorded.get_by_role("listitem")).to_contain_text("Sprain of knee 444448004")
        expect(recorded.get_by_role("listitem")).to_contain_text("this visit")
        expect(side.get_by_role("status").filter(has_text="is added")).to_be_visible()
        expect(desk.locator("cv-consult-panel tr[data-code]")).to_have_count(0)
        side.get_by_label("Problem", exact=True).fill("Knee effusion")
        side.get_by_label("Code", exact=True).fill("12345")
        side.get_by_role("button", name="Add problem").click()  # a code with no system: said why
        expect(side.get_by_role("alert").filter(has_text="Choose a code system")).to_be_visible()
        expect(recorded.get_by_role("listitem")).to_have_count(1)  # nothing added
        side.get_by_label("Problem", exact=True).fill("")
        side.get_by_label("Code", exact=True).fill("")
        side.get_by_label("Subjective").fill("Fell on the stairs; knee swollen since.")
        side.get_by_label("Assessment").fill("Likely sprain.")
        expect(side.locator(".soap-note__state")).to_contain_text("Draft saved at")
        side.get_by_label("Summary for the patient (plain words)").fill("Rest and ice the knee.")
        side.get_by_role("button", name="Sign the note").click()
        expect(side.locator("[data-signed]")).to_be_visible()
        expect(side.get_by_label("Subjective")).to_have_attribute("readonly", "")
        side.get_by_label("Addendum").fill("X-ray if not better in a week.")
        side.get_by_role("button", name="Add signed addendum").click()
        expect(side.locator(".soap-note__addenda")).to_contain_text("X-ray if not better")
        expect(desk).to_have_url(f"{base}{room}")  # never left the room
        for page in (phone, desk):
            page.wait_for_function(CONNECTED)
        assert run_axe(desk) == []
        with api_as(base, clinician) as api:
            space = api.get(f"/api/care/rooms/{room.rsplit('/', 1)[1]}").json()
            note = api.get(f"/api/care/encounters/{space['encounter_id']}").json()
        assert note["subjective"] == "Fell on the stairs; knee swollen since."
        assert note["signed_at"] and note["addenda"][0]["text"] == "X-ray if not better in a week."
        coded = [(p["text"], p["code"]) for p in note["problems"]]
        assert coded == [("Sprain of knee", "444448004")]

        # A dropped call comes back by itself: an ICE restart on the same connection...
        before = desk.evaluate(ICE_UFRAG)
        sent = sum(
            page.evaluate("() => window.careverseWorld.calls.reconnect(true)")
            for page in (phone, desk)
        )
        assert sent == 1  # only one side restarts, so restarts never cross
        desk.wait_for_function(f"() => ({ICE_UFRAG})() !== {before!r}")
        for page in (phone, desk):
            page.wait_for_function(CONNECTED, timeout=30_000)
        # ...and after the socket drops and reconnects.
        phone.evaluate("() => window.careverseWorld.connection.socket.close(3000, 'test drop')")
        phone.wait_for_function("() => window.careverseWorld.connection.open", timeout=30_000)
        for page in (phone, desk):
            page.wait_for_function(CONNECTED, timeout=30_000)
        expect(phone.locator("[data-remote-tile] video")).to_be_visible()

        # The clinician ends the visit from the side panel: both are told, the room stays shut.
        side.get_by_role("button", name="End the visit").click()
        expect(side.get_by_role("button", name="End the visit now")).to_be_focused()
        side.get_by_role("button", name="End the visit now").click()
        for page in (phone, desk):
            expect(page.locator("[data-visit-ended]")).to_contain_text(
                "The clinician ended the visit."
            )
        expect(phone.get_by_role("link", name="Go to my appointments")).to_be_visible()
        expect(desk.get_by_role("link", name="Back to consultations")).to_be_visible()
        phone.reload()
        expect(phone.get_by_text("This visit has ended.").first).to_be_visible()
        assert problems == []
    finally:
        phone_context.close()
        desk_context.close()
