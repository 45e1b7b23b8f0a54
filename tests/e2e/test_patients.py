"""The clinician's "Patients" and the caregiver's "People I support" in a real browser: the
clinician filters their patients by risk, opens a record and sees its vitals and problems; the
caregiver, on a 360 px phone, sees who they support, what each delegation allows and until
when, and everything about the person in the third person. Every screen is axe-clean."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .support import (
    LiveServer,
    Person,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]
PHONE = {"width": 360, "height": 740}
DEVICES_OK = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}


def ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def vital_signs(at: datetime, hr: float, spo2: float, sbp: float, rr: float, temp: float) -> list:
    """One full set of NEWS2 vital signs as Open mHealth data points."""

    def point(schema: str, body: dict) -> dict:
        return {
            "header": {
                "id": str(uuid.uuid4()),
                "schema_id": {"namespace": "omh", "name": schema, "version": "1.0"},
            },
            "body": {**body, "effective_time_frame": {"date_time": at.isoformat()}},
        }

    return [
        point("heart-rate", {"heart_rate": {"value": hr, "unit": "beats/min"}}),
        point("oxygen-saturation", {"oxygen_saturation": {"value": spo2, "unit": "%"}}),
        point(
            "blood-pressure",
            {
                "systolic_blood_pressure": {"value": sbp, "unit": "mmHg"},
                "diastolic_blood_pressure": {"value": 70, "unit": "mmHg"},
            },
        ),
        point("respiratory-rate", {"respiratory_rate": {"value": rr, "unit": "breaths/min"}}),
        point("body-temperature", {"body_temperature": {"value": temp, "unit": "C"}}),
    ]


@dataclass
class Practice:
    clinician: Person
    amara: Person
    ben: Person
    caregiver: Person


def send_readings(base: str, patient: Person, patient_id: str, values: tuple) -> None:
    with api_as(base, patient) as client:
        for minutes_ago in (60, 2):
            at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
            body = {"patient_id": patient_id, "data_points": vital_signs(at, *values)}
            assert ok(client.post("/api/monitoring/readings", json=body))["rejected"] == []


@pytest.fixture(scope="module")
def practice(live_server: LiveServer) -> Practice:
    """A clinician caring for Amara (unwell, a visit with a coded problem) and Ben (well); a
    patient not theirs; a caregiver Amara shared her vitals and appointments with."""
    base = live_server.base_url
    admin = new_person("Ada Admin", role="admin")
    clinician = new_person("Dr. Noor Rivera", role="clinician")
    for staff in (admin, clinician):
        add_user_via_cli(live_server, staff)
    amara, ben, eve = new_person("Amara Osei"), new_person("Ben Calm"), new_person("Eve Elsewhere")
    caregiver = new_person("Kofi Osei", role="caregiver")
    for person in (amara, ben, eve, caregiver):
        register_via_api(base, person)
    ids = {}
    for person in (amara, ben, eve):
        with api_as(base, person) as client:
            ids[person.email] = ok(client.get("/api/me"))["patient_id"]

    with api_as(base, admin) as as_admin, api_as(base, clinician) as as_doctor:
        doctor_id = ok(as_doctor.get("/api/me"))["id"]
        ok(as_doctor.put("/api/care/availability", json={
            "time_zone": "UTC", "buffer_minutes": 0, "languages": ["en"], "weekly": ALL_DAY,
        }))  # fmt: skip
        for person in (amara, ben):
            ok(as_admin.post("/api/admin/care-relationships", json={
                "clinician_id": doctor_id, "patient_id": ids[person.email],
            }), 201)  # fmt: skip

    # NEWS2: Amara RR 26 (3) + SpO2 90 (3) + SBP 95 (2) + pulse 128 (2) + 39.2 °C (2): high.
    send_readings(base, amara, ids[amara.email], (128, 90, 95, 26, 39.2))
    send_readings(base, ben, ids[ben.email], (72, 97, 124, 14, 36.8))
    send_readings(base, eve, ids[eve.email], (128, 90, 95, 26, 39.2))

    # A visit with Amara (booked, checked in, admitted) in which a problem is coded.
    with api_as(base, amara) as as_amara, api_as(base, clinician) as as_doctor:
        slots = ok(as_amara.get(f"/api/care/clinicians/{doctor_id}/slots",
                                params={"visit_type": "follow-up"}))["slots"]  # fmt: skip
        appt = ok(as_amara.post("/api/care/appointments", json={
            "clinician_id": doctor_id, "start": slots[0]["start"], "reason": "Cough and fever",
        }), 201)  # fmt: skip
        ok(as_amara.post(f"/api/care/appointments/{appt['id']}/check-in",
                         json={"device_check": DEVICES_OK}))  # fmt: skip
        room = ok(as_doctor.post(f"/api/care/appointments/{appt['id']}/admit"))
        ok(as_doctor.post(f"/api/care/encounters/{room['encounter_id']}/problems", json={
            "text": "Community-acquired pneumonia", "system": "snomed", "code": "385093006",
        }), 201)  # fmt: skip
        ok(as_doctor.post(f"/api/care/patients/{ids[amara.email]}/allergies", json={
            "substance": "Penicillin", "reaction": "Hives", "criticality": "high",
        }), 201)  # fmt: skip
        ok(as_amara.post("/api/me/delegations", json={
            "caregiver_email": caregiver.email,
            "scopes": ["vitals:read", "appointments:write", "consults:read", "record:read"],
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        }), 201)  # fmt: skip
    # The caregiver books Amara's next visit (in the check-in window) for the waiting room.
    with api_as(base, caregiver) as as_carer:
        ok(as_carer.post("/api/care/appointments", json={
            "clinician_id": doctor_id, "start": slots[1]["start"], "reason": "Follow-up",
            "patient_id": ids[amara.email],
        }), 201)  # fmt: skip
    return Practice(clinician, amara, ben, caregiver)


def test_the_clinician_filters_patients_by_risk_and_opens_a_record(
    browser: Browser, live_server: LiveServer, practice: Practice
) -> None:
    base = live_server.base_url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, practice.clinician)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
        expect(page).to_have_url(f"{base}/patients")
        expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
        rows = page.locator(".patient-row")
        expect(rows).to_have_count(2)  # her own patients only
        expect(rows.first).to_contain_text("Amara Osei")
        expect(rows.first).to_contain_text("High risk")
        expect(rows.first).to_contain_text(re.compile(r"NEWS2 1[0-9]"))
        expect(page.get_by_text("Eve Elsewhere")).to_have_count(0)
        assert run_axe(page) == []

        low = page.get_by_role("button", name="Low risk")
        low.click()
        expect(low).to_have_attribute("aria-pressed", "true")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Ben Calm")
        low.click()
        page.get_by_role("button", name="High risk").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Amara Osei")

        rows.first.get_by_role("link", name="Amara Osei").click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/patients/[0-9a-f-]+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Amara Osei")
        problems = page.get_by_role("region", name="Problems")
        expect(problems).to_contain_text("Community-acquired pneumonia")
        vitals = page.get_by_role("region", name="Vital signs")
        expect(vitals.locator("canvas").first).to_be_visible()
        visits = page.get_by_role("region", name="Visits and notes")
        expect(visits).to_contain_text("Dr. Noor Rivera")
        expect(visits).to_contain_text("Cough and fever")
        messages = page.get_by_role("link", name="Messages with Amara")
        expect(messages).to_have_attribute("href", re.compile(r"^/inbox\?patient=[0-9a-f-]+$"))
        expect(page.get_by_role("heading", name="Care-plan rules")).to_be_visible()
        assert run_axe(page) == []

        # The health record: add a problem and a medicine, then stop the medicine.
        problems.get_by_text("Add a problem").click()
        problems.get_by_label("Problem").fill("Type 2 diabetes")
        problems.get_by_role("button", name="Add the problem").click()
        expect(
            page.get_by_role("status").filter(has_text="The problem is on the list.")
        ).to_be_visible()
        expect(problems).to_contain_text("Type 2 diabetes")
        medicines = page.get_by_role("region", name="Medicines, allergies and care plans")
        medicines.get_by_text("Add a medicine").click()
        medicines.get_by_label("Medicine").fill("Amoxicillin")
        medicines.get_by_label("Dose").fill("500 mg three times a day")
        medicines.get_by_role("button", name="Add the medicine").click()
        expect(medicines).to_contain_text("Amoxicillin — 500 mg three times a day")
        medicines.get_by_role("button", name="Stop Amoxicillin").click()
        expect(medicines.locator("li.item", has_text="Amoxicillin")).to_contain_text("Stopped")
        assert run_axe(page) == []

        page.reload()  # the record is a bookmarkable page
        expect(page.get_by_role("heading", level=1)).to_have_text("Amara Osei")
        assert errors == []
    finally:
        context.close()


def test_the_caregiver_sees_the_people_they_support_in_the_third_person_on_a_phone(
    browser: Browser, live_server: LiveServer, practice: Practice
) -> None:
    base = live_server.base_url
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in(page, base, practice.caregiver)
        page.get_by_role("main").get_by_role("link", name="People I support").click()
        expect(page).to_have_url(f"{base}/people")
        expect(page.get_by_role("heading", level=1)).to_have_text("People I support")
        person = page.locator("li.item", has_text="Amara Osei")
        expect(person).to_contain_text("What Amara lets you do")
        expect(person).to_contain_text(re.compile(r"Until \d{1,2} \w+ \d{4}"))
        expect(person).to_contain_text("See their vitals")
        expect(page.get_by_text("coming soon")).to_have_count(0)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"the people page is {width}px wide"
        assert run_axe(page) == []

        person.get_by_role("link", name="Amara's vitals").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Amara's vitals")
        score = page.get_by_role("region", name="Amara's early warning score")
        expect(score).to_contain_text("Amara's early warning score is")
        expect(score).to_contain_text("Their care team has been told")
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"the vitals page is {width}px wide"
        assert run_axe(page) == []

        page.go_back()
        page.locator("li.item", has_text="Amara Osei").get_by_role(
            "link", name="Amara's appointments"
        ).click()
        expect(page).to_have_url(f"{base}/appointments")
        mine = page.get_by_role("heading", name="Appointments of the people you support")
        expect(mine).to_be_visible()
        expect(page.get_by_role("heading", name="Your appointments")).to_have_count(0)

        # Checked in for Amara's next visit, the waiting room speaks of her.
        page.locator("li.care-item", has_text="Amara Osei").get_by_role(
            "button", name="Check in"
        ).click()
        page.get_by_role("main").get_by_role("button", name="Check in").click()
        expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()
        expect(page.locator("main")).to_contain_text("when it is Amara's turn")
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))
        page.get_by_role("button", name="Back").click()

        # Her visit summary and the shared decision speak of Amara, never to the caregiver as her.
        visit = page.locator("li.care-item", has_text="Amara Osei").filter(
            has=page.get_by_role("button", name="Visit summary")
        )
        visit.get_by_role("button", name="Visit summary").click()
        title = page.get_by_role("heading", name="Amara's visit with Dr. Noor Rivera")
        expect(title).to_be_visible()
        expect(page.locator("main")).to_contain_text("What we talked about")
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))
        assert run_axe(page) == []
        page.get_by_role("button", name="Back").click()
        page.get_by_role("button", name="Decide together").click()
        expect(page.locator("main")).to_contain_text("Amara's visit with Dr. Noor Rivera on")
        expect(page.locator("main")).to_contain_text(
            "The clinician has not shared any choices with Amara yet."
        )
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))

        # Amara shared her record: "Amara's health", from People I support, read only.
        page.goto(f"{base}/people")
        page.locator("li.item", has_text="Amara Osei").get_by_role(
            "link", name="Amara's health"
        ).click()
        expect(page).to_have_url(re.compile(r"/people/[0-9a-f-]+/health$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Amara's health")
        expect(page.get_by_role("region", name="Amara's conditions")).to_be_visible()
        allergies = page.get_by_role("region", name="Allergies and intolerances")
        expect(allergies).to_contain_text("Allergic to Penicillin")
        expect(allergies).to_contain_text("always tell anyone who treats Amara.")
        expect(page.get_by_role("region", name="Amara's medicines")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))
        expect(page.get_by_role("heading", name="Add a reading")).to_have_count(0)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"Amara's health page is {width}px wide"
        assert run_axe(page) == []
    finally:
        context.close()
