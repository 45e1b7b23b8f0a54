"""Shared decisions and the consult panel in the browser (Debian Chromium): the clinician, in
the consult room, shares two choices and places a 3D heart; the patient, on a 360 px phone,
sees the choices side by side, says what matters and chooses, chats and invites an interpreter;
the clinician sees the choice and the shared heart in 3D. Also the patient's time-zone setting
and the clinician's hours per day, days off and extra hours. Every screen is axe-clean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from .support import (
    LiveServer,
    Person,
    add_user_via_cli,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
PHONE: ViewportSize = {"width": 360, "height": 740}


def token(base: str, person: Person) -> dict:
    answer = httpx.post(
        f"{base}/api/auth/token",
        data={"username": person.email, "password": person.password},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def call(method: str, base: str, path: str, headers: dict, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{base}{path}", headers=headers, timeout=10, **kwargs)


def admitted_visit(base: str, clinician: Person, patient: Person) -> tuple[dict, dict]:
    """Book the first free slot, check in and admit, all through the API."""
    doc, me = token(base, clinician), token(base, patient)
    clinician_id = call("GET", base, "/api/me", doc).json()["id"]
    slots = call(
        "GET", base, f"/api/care/clinicians/{clinician_id}/slots", me,
        params={"visit_type": "follow-up"},
    ).json()["slots"]  # fmt: skip
    made = call(
        "POST", base, "/api/care/appointments", me,
        json={"clinician_id": clinician_id, "start": slots[0]["start"], "reason": "Knee pain"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    appt = made.json()
    checks = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}
    done = call(
        "POST", base, f"/api/care/appointments/{appt['id']}/check-in", me,
        json={"device_check": checks},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    room = call("POST", base, f"/api/care/appointments/{appt['id']}/admit", doc)
    assert room.status_code == 200, room.text
    return appt, room.json()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


@pytest.fixture(scope="module")
def clinician(live_server: LiveServer) -> Person:
    person = new_person(f"Dr. Choice {new_person().email[4:10]}", role="clinician")
    add_user_via_cli(live_server, person)
    answer = call(
        "PUT", live_server.base_url, "/api/care/availability", token(live_server.base_url, person),
        json={"time_zone": "UTC", "buffer_minutes": 0, "languages": ["en"], "weekly": ALL_DAY},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return person


def test_decide_together_in_the_consult_room(
    browser: Browser, live_server: LiveServer, clinician: Person
) -> None:
    base = live_server.base_url
    patient = new_person("Rosa Decide")
    register_via_api(base, patient)
    interpreter = new_person("Ines Interpreter", role="clinician")
    add_user_via_cli(live_server, interpreter)
    me = token(base, patient)
    mine_id = call("GET", base, "/api/me", me).json()["patient_id"]
    call("PATCH", base, f"/api/patients/{mine_id}", me, json={"preferred_language": "es"})
    _, room = admitted_visit(base, clinician, patient)
    space = room["space_id"]
    # A heart rate the patient measured at home: the clinician's panel shows recent vitals.
    reading = {
        "header": {
            "id": "e2e-consult-hr",
            "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
        },
        "body": {
            "heart_rate": {"value": 74, "unit": "beats/min"},
            "effective_time_frame": {"date_time": datetime.now(UTC).isoformat()},
        },
    }
    stored = call(
        "POST", base, "/api/monitoring/readings", me,
        json={"patient_id": mine_id, "data_points": [reading]},
    )  # fmt: skip
    assert stored.status_code == 200 and stored.json()["accepted"] == 1, stored.text
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    phone_context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    errors: list[str] = []
    try:
        # The clinician, in the consult room (2D), sees whose visit it is and their language.
        desk = desk_context.new_page()
        desk.on("pageerror", lambda error: errors.append(f"clinician: {error}"))
        sign_in(desk, base, clinician)
        desk.goto(f"{base}/spaces/{space}?mode=2d")
        panel = desk.locator("cv-consult-panel")
        expect(panel.get_by_role("heading", name="Consultation: Rosa Decide")).to_be_visible()
        expect(panel).to_contain_text("Preferred language: es")
        # The latest values are in the side panel beside the call; the room's panel keeps the trend.
        side = desk.locator(".consult-side")
        expect(side.locator("tr[data-code='8867-4']")).to_contain_text("74")
        vitals = panel.locator(".consult-vitals")
        expect(vitals.locator("cv-vitals-chart canvas").first).to_be_attached()
        expect(vitals.locator("tr[data-code]")).to_have_count(0)
        for name, helps, risk in (
            ("Physiotherapy", "Stronger muscles in 6 weeks", "Sore for a few days"),
            ("Knee replacement", "Lasting relief", "Surgery and months of recovery"),
        ):
            panel.get_by_label("Name of the choice (plain words)").fill(name)
            panel.get_by_label("What could help").fill(helps)
            panel.get_by_label("What could go wrong").fill(risk)
            panel.get_by_role("button", name="Share this choice").click()
            expect(panel.get_by_role("status").first).to_contain_text(f"“{name}” is shared")
        # A shared heart model for both to turn.
        desk.wait_for_function("() => window.careverseWorld && window.careverseWorld.you")
        panel.get_by_role("button", name="Show the heart").click()
        expect(desk.locator("cv-world-objects, cv-world-2d").first).to_contain_text("Heart model")
        assert run_axe(desk) == []

        # The patient on a phone: both choices side by side; says what matters and chooses.
        phone = phone_context.new_page()
        phone.on("pageerror", lambda error: errors.append(f"patient: {error}"))
        sign_in(phone, base, patient)
        phone.goto(f"{base}/spaces/{space}?mode=2d")
        mine = phone.locator("cv-consult-panel")
        options = mine.locator(".care-option")
        expect(options).to_have_count(2)
        first, second = (options.nth(i).bounding_box() for i in range(2))
        assert first and second and abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]
        expect(options.nth(1)).to_contain_text("Surgery and months of recovery")
        mine.get_by_label("What matters most to you?").fill("Walking my dog every day")
        mine.get_by_label("Physiotherapy").check()
        mine.get_by_role("button", name="Save my choice").click()
        expect(mine.get_by_text("Saved: you chose Physiotherapy.")).to_be_visible()
        # Chat kept with the visit, and an interpreter invited by e-mail.
        mine.get_by_label("Message").fill("Can my daughter listen in next time?")
        mine.get_by_role("button", name="Send").click()
        mine.get_by_label("Who are you inviting?").select_option("interpreter")
        mine.get_by_label("Their e-mail address").fill(interpreter.email)
        mine.get_by_role("button", name="Invite", exact=True).click()
        expect(mine.get_by_text("Invited: Interpreter.")).to_be_visible()
        no_sideways_scroll(phone)
        assert run_axe(phone) == []
        guest = call("GET", base, f"/api/care/rooms/{space}", token(base, interpreter))
        assert guest.status_code == 200 and guest.json()["role_in_room"] == "interpreter"

        # The clinician sees the chat message, and the choice when they look again.
        expect(panel.locator(".consult-chat__log")).to_contain_text("daughter", timeout=15_000)
        panel.get_by_role("button", name="Show the patient\u2019s latest choice").click()
        expect(panel).to_contain_text("The patient\u2019s choice: Physiotherapy")
        expect(panel).to_contain_text("Walking my dog every day")
        # In 3D the shared heart is drawn from the project's own glTF model (served with the app).
        with desk.expect_response(
            lambda r: "/assets/heart-" in r.url and r.url.endswith(".glb"), timeout=30_000
        ) as model:
            desk.goto(f"{base}/spaces/{space}?mode=3d")
        assert model.value.status == 200
        assert model.value.body()[:4] == b"glTF"
        assert errors == []
    finally:
        desk_context.close()
        phone_context.close()


def test_time_zone_setting_and_clinician_hours(browser: Browser, live_server: LiveServer) -> None:
    base = live_server.base_url
    doctor = new_person(f"Dr. Hours {new_person().email[4:10]}", role="clinician")
    add_user_via_cli(live_server, doctor)
    patient = new_person("Tomo Zone")
    register_via_api(base, patient)
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, patient)
        page.goto(f"{base}/appointments")
        page.get_by_text("Times are shown in").click()
        page.get_by_label("Show my appointment times in this time zone").select_option("Asia/Tokyo")
        page.get_by_role("button", name="Save time zone").click()
        expect(page.get_by_text("Times are now shown in Asia/Tokyo.")).to_be_visible()
        expect(page.get_by_text("Times are shown in Asia/Tokyo")).to_be_visible()
        assert call("GET", base, "/api/care/preferences", token(base, patient)).json() == {
            "time_zone": "Asia/Tokyo"
        }
        no_sideways_scroll(page)
        assert run_axe(page) == []

        # The clinician: Monday and Wednesday only, a day off and some extra hours.
        desk_context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
        desk = desk_context.new_page()
        desk.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(desk, base, doctor)
        desk.goto(f"{base}/consultations")
        desk.get_by_text("Your weekday hours").click()
        desk.locator("#hours-zone").fill("Europe/Paris")
        for day in range(7):
            box = desk.locator(f"#hours-works-{day}")
            box.set_checked(day in (0, 2))
        desk.locator("#hours-start-2").fill("13:00")
        desk.locator("#hours-end-2").fill("18:30")
        desk.get_by_role("button", name="Save hours").click()
        expect(desk.get_by_text("Your hours are saved.")).to_be_visible()
        hours = call("GET", base, "/api/care/availability", token(base, doctor)).json()
        assert hours["time_zone"] == "Europe/Paris"
        assert [(w["weekday"], w["start"], w["end"]) for w in hours["weekly"]] == [
            (0, "09:00", "17:00"),
            (2, "13:00", "18:30"),
        ]
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        desk.get_by_text("Days off and extra hours").click()
        desk.get_by_label("Date").fill(tomorrow)
        desk.get_by_label("What changes").select_option("off")
        desk.get_by_role("button", name="Add this change").click()
        expect(desk.get_by_text(f"Time off on {tomorrow} is saved.")).to_be_visible()
        desk.get_by_label("Date").fill(tomorrow)
        desk.get_by_label("What changes").select_option("extra")
        desk.locator("#override-start").fill("18:00")
        desk.locator("#override-end").fill("20:00")
        desk.get_by_role("button", name="Add this change").click()
        expect(desk.locator("[data-override]")).to_have_count(2)
        expect(desk.locator("[data-override]").nth(0)).to_contain_text("day off")
        no_sideways_scroll(desk)
        assert run_axe(desk) == []
        desk.locator("[data-override]").nth(0).get_by_role("button").click()
        expect(desk.locator("[data-override]")).to_have_count(1)
        assert errors == []
        desk_context.close()
    finally:
        context.close()
