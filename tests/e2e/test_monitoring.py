"""Remote monitoring screens in a real browser: the clinician's panel sorted by risk with live
alerts and one-click acknowledge, and the patient's own vitals page with charts and plain words.

Readings come in the way devices send them: a device is registered and paired, and posts Open
mHealth data points with its own credential.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from .support import (
    LiveServer,
    PageProblems,
    Person,
    add_user_via_cli,
    api_as,
    assert_clean_load,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


def ok(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


# ---- readings as a device sends them ---------------------------------------------------------


def data_point(schema: str, body: dict, at: datetime) -> dict:
    return {
        "header": {
            "id": str(uuid.uuid4()),
            "schema_id": {"namespace": "omh", "name": schema, "version": "1.0"},
        },
        "body": {**body, "effective_time_frame": {"date_time": at.isoformat()}},
    }


def vital_signs(at: datetime, hr: float, spo2: float, sbp: float, rr: float, temp: float) -> list:
    return [
        data_point("heart-rate", {"heart_rate": {"value": hr, "unit": "beats/min"}}, at),
        data_point("oxygen-saturation", {"oxygen_saturation": {"value": spo2, "unit": "%"}}, at),
        data_point(
            "blood-pressure",
            {
                "systolic_blood_pressure": {"value": sbp, "unit": "mmHg"},
                "diastolic_blood_pressure": {"value": round(sbp * 0.62), "unit": "mmHg"},
            },
            at,
        ),
        data_point(
            "respiratory-rate", {"respiratory_rate": {"value": rr, "unit": "breaths/min"}}, at
        ),
        data_point("body-temperature", {"body_temperature": {"value": temp, "unit": "C"}}, at),
    ]


STABLE = (72, 97, 124, 14, 36.8)
# NEWS2 of the last set: RR 26 (3) + SpO2 90 (3) + SBP 95 (2) + pulse 128 (2) + 39.2 °C (2).
DETERIORATED = (128, 90, 95, 26, 39.2)


def day_of_readings(end: datetime, start_values: tuple, end_values: tuple) -> list:
    """A reading of every vital sign each hour for 24 hours, moving from start to end values."""
    points = []
    for step in range(25):
        share = step / 24
        values = [a + (b - a) * share for a, b in zip(start_values, end_values, strict=True)]
        at = end - timedelta(hours=24 - step)
        points += vital_signs(at, *(round(v, 1) for v in values))
    return points


@dataclass
class Device:
    credential: str

    def send(self, base_url: str, points: list) -> None:
        answer = httpx.post(
            f"{base_url}/api/monitoring/readings",
            json={"data_points": points},
            headers={"Authorization": f"Bearer {self.credential}"},
            timeout=30,
        )
        body = ok(answer)
        assert body["rejected"] == [], body["rejected"]


def pair_device(as_owner: httpx.Client, patient_id: str) -> Device:
    """Register a device for the patient, get a pairing code and pair it like a device would."""
    device = ok(
        as_owner.post(
            "/api/monitoring/devices",
            json={"patient_id": patient_id, "kind": "wearable", "label": "Wristband"},
        ),
        201,
    )
    code = ok(as_owner.post(f"/api/monitoring/devices/{device['id']}/pairing-code"), 201)["code"]
    paired = ok(httpx.post(f"{as_owner.base_url}/api/monitoring/pair", json={"code": code}))
    return Device(paired["credential"])


# ---- the people ------------------------------------------------------------------------------


@dataclass
class Ward:
    clinician: Person
    stable: Person
    stable_id: str
    stable_device: Device
    deteriorating: Person
    deteriorating_id: str
    stranger: Person
    stranger_id: str


def patient_id_of(base_url: str, person: Person) -> str:
    with api_as(base_url, person) as client:
        return ok(client.get("/api/me"))["patient_id"]


@pytest.fixture(scope="module")
def ward(live_server: LiveServer) -> Ward:
    """A clinician caring for a stable and a deteriorating patient, and a patient not theirs."""
    base_url = live_server.base_url
    admin = new_person("Ada Admin", role="admin")
    clinician = new_person("Dr. Mira Okafor", role="clinician")
    add_user_via_cli(live_server, admin)
    add_user_via_cli(live_server, clinician)
    stable = new_person("Sam Steady")
    deteriorating = new_person("Dee Decline")
    stranger = new_person("Olive Elsewhere")
    for person in (stable, deteriorating, stranger):
        register_via_api(base_url, person)
    ids = {p.email: patient_id_of(base_url, p) for p in (stable, deteriorating, stranger)}

    with api_as(base_url, admin) as as_admin, api_as(base_url, clinician) as as_clinician:
        clinician_id = ok(as_clinician.get("/api/me"))["id"]
        for person in (stable, deteriorating):
            ok(
                as_admin.post(
                    "/api/admin/care-relationships",
                    json={"clinician_id": clinician_id, "patient_id": ids[person.email]},
                ),
                201,
            )
        # The deteriorating patient's care plan: told when oxygen goes below 92 %.
        ok(
            as_clinician.post(
                f"/api/monitoring/patients/{ids[deteriorating.email]}/rules",
                json={
                    "kind": "threshold",
                    "code": "59408-5",
                    "op": "<",
                    "value": 92,
                    "severity": "high",
                },
            ),
            201,
        )

    now = datetime.now(UTC) - timedelta(minutes=2)
    devices = {}
    for person, end_values in (
        (stable, STABLE),
        (deteriorating, DETERIORATED),
        (stranger, DETERIORATED),
    ):
        with api_as(base_url, person) as as_patient:
            devices[person.email] = pair_device(as_patient, ids[person.email])
        devices[person.email].send(base_url, day_of_readings(now, STABLE, end_values))

    return Ward(
        clinician=clinician,
        stable=stable,
        stable_id=ids[stable.email],
        stable_device=devices[stable.email],
        deteriorating=deteriorating,
        deteriorating_id=ids[deteriorating.email],
        stranger=stranger,
        stranger_id=ids[stranger.email],
    )


def patient_rows(page: Page) -> Locator:
    return page.get_by_role("list", name="Patients, most at risk first").locator(":scope > li")


def row_of(page: Page, name: str) -> Locator:
    return patient_rows(page).filter(has=page.get_by_role("heading", name=name))


def open_panel(page: Page, base_url: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Monitoring")
    ).click()
    expect(page).to_have_url(f"{base_url}/monitoring")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring")
    expect(patient_rows(page).first).to_be_visible()


# ---- the clinician -------------------------------------------------------------------------


def test_panel_sorts_by_risk_and_alerts_arrive_live(
    page: Page, problems: PageProblems, live_server: LiveServer, ward: Ward
):
    base_url = live_server.base_url
    sign_in(page, base_url, ward.clinician)
    open_panel(page, base_url)

    # Most at risk first, the band in words; only the clinician's own patients.
    rows = patient_rows(page)
    expect(rows).to_have_count(2)
    first = rows.nth(0)
    expect(first.get_by_role("heading", name="Dee Decline")).to_be_visible()
    expect(first.locator(".risk")).to_contain_text("High risk")
    expect(rows.nth(1).get_by_role("heading", name="Sam Steady")).to_be_visible()
    expect(rows.nth(1).locator(".risk")).to_contain_text("Low risk")
    expect(page.get_by_text("Olive Elsewhere")).to_have_count(0)
    # Latest vital signs with units and sparklines.
    expect(first.locator(".vital-strip")).to_contain_text("90 %")
    expect(first.locator("svg.sparkline").first).to_be_visible()
    # The care-plan rule on the deteriorating patient has fired, with why.
    expect(first.locator(".alert").filter(has_text="92")).to_be_visible()

    # A reading that breaches a rule: the alert appears without a reload, and is announced.
    expect(page.locator(".live-state")).to_contain_text(re.compile(r"^\s*Live"))
    with api_as(base_url, ward.clinician) as as_clinician:
        ok(
            as_clinician.post(
                f"/api/monitoring/patients/{ward.stable_id}/rules",
                json={
                    "kind": "threshold",
                    "code": "8867-4",
                    "op": ">",
                    "value": 110,
                    "severity": "medium",
                },
            ),
            201,
        )
    time.sleep(1)  # the stream subscribes just after it answers
    page.evaluate("window.__noReload = true")
    ward.stable_device.send(
        base_url,
        [
            data_point(
                "heart-rate",
                {"heart_rate": {"value": 131, "unit": "beats/min"}},
                datetime.now(UTC) - timedelta(seconds=5),
            )
        ],
    )
    steady = row_of(page, "Sam Steady")
    alert = steady.locator(".alert").filter(has_text="110")
    expect(alert).to_be_visible(timeout=15_000)
    assert page.evaluate("window.__noReload") is True  # the page was not reloaded
    nav_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Monitoring")
    )
    expect(nav_link).to_have_accessible_name(re.compile(r"Monitoring\s*\d+ open alerts"))
    expect(page.locator("[aria-live]").filter(has_text="Sam Steady")).to_have_count(1)
    expect(alert).to_contain_text("Open")

    # One click takes it on.
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_contain_text("Acknowledged by you")
    expect(alert.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Alert acknowledged")).to_be_visible()
    with api_as(base_url, ward.clinician) as as_clinician:
        acknowledged = ok(as_clinician.get("/api/monitoring/alerts?status=acknowledged"))["alerts"]
    assert any(a["patient_id"] == ward.stable_id for a in acknowledged)

    # The Alerts area lists every patient's alerts, the acknowledged one too.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Alerts", exact=True
    ).click()
    everyone = page.get_by_role("list", name="Alerts, most urgent first")
    expect(everyone.locator(".alert").filter(has_text="Dee Decline").first).to_be_visible()
    expect(everyone.locator(".alert").filter(has_text="110")).to_contain_text("Acknowledged by you")
    page.go_back()
    steady = row_of(page, "Sam Steady")

    # The patient's own view: NEWS2, targets and charts.
    steady.get_by_role("link", name="Sam Steady").click()
    expect(page).to_have_url(re.compile(r"/monitoring\?patient="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Steady")
    rules = page.get_by_role("region", name="Care-plan rules")
    expect(rules).to_contain_text("Heart rate goes above 110")
    expect(page.locator("cv-vitals-chart canvas").first).to_be_visible()

    # Add a rule with the form, then delete it.
    rules.get_by_label("Kind of rule").select_option(label="No readings for a time")
    rules.get_by_label("Hours without readings").fill("6")
    rules.get_by_role("button", name="Add rule").click()
    expect(rules.get_by_role("status")).to_have_text("Rule added: No readings at all for 6 hours.")
    rules.get_by_role("button", name="Delete rule: No readings at all for 6 hours").click()
    expect(rules.get_by_role("status")).to_have_text(
        "Rule deleted: No readings at all for 6 hours."
    )
    expect(rules.get_by_role("listitem").filter(has_text="6 hours")).to_have_count(0)

    # Bedside observations complete the score.
    news2 = page.get_by_role("region", name="NEWS2")
    expect(news2).to_contain_text("not recorded")
    news2.get_by_label("Alert", exact=True).check()
    news2.get_by_role("button", name="Record observation").click()
    expect(page.get_by_role("status").filter(has_text="Observation recorded")).to_be_visible()
    expect(news2.locator(".news2__partial")).to_have_count(0)
    news2.get_by_label("Use SpO₂ scale 2").check()
    news2.get_by_role("button", name="Save NEWS2 settings").click()
    expect(page.get_by_role("status").filter(has_text="scale 2")).to_be_visible()
    assert_clean_load(page, problems)

    # A patient who is not theirs stays hidden, even by address.
    page.goto(f"{base_url}/monitoring?patient={ward.stranger_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient not found")
    with api_as(base_url, ward.clinician) as as_clinician:
        assert (
            as_clinician.get(f"/api/monitoring/patients/{ward.stranger_id}/news2").status_code
            == 404
        )


def test_clinician_panel_has_no_serious_accessibility_problems(
    browser: Browser, live_server: LiveServer, ward: Ward
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in(page, live_server.base_url, ward.clinician)
        open_panel(page, live_server.base_url)
        expect(patient_rows(page)).to_have_count(2)
        assert run_axe(page) == []
        page.goto(f"{live_server.base_url}/alerts")
        expect(page.get_by_role("list", name="Alerts, most urgent first")).to_be_visible()
        assert run_axe(page) == []
        page.goto(f"{live_server.base_url}/monitoring")
        row_of(page, "Dee Decline").get_by_role("link", name="Dee Decline").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Dee Decline")
        expect(page.locator("cv-vitals-chart canvas").first).to_be_visible()
        assert run_axe(page) == []
    finally:
        context.close()


# ---- the patient ---------------------------------------------------------------------------


def test_patient_sees_vitals_charted_and_explained_on_a_phone(
    browser: Browser, live_server: LiveServer, ward: Ward
):
    base_url = live_server.base_url
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in(page, base_url, ward.deteriorating)
        page.get_by_role("main").get_by_role("link", name="Vitals").click()
        expect(page).to_have_url(f"{base_url}/vitals")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your vitals")

        # Plain words: the latest value, and the target the care team set.
        oxygen = page.get_by_role("region", name="Oxygen level")
        expect(oxygen).to_contain_text(re.compile(r"Your oxygen level was 90 %"))
        expect(oxygen).to_contain_text("Your care team asked to be told if it goes below 92 %.")
        score = page.get_by_role("region", name="Your early warning score")
        expect(score).to_contain_text("High risk")
        expect(score).to_contain_text("Your care team has been told")

        # A chart is drawn, and a table says the same in text.
        canvas = oxygen.locator("canvas").first
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, box
        expect(oxygen.get_by_role("figure")).to_contain_text("lowest 90 %")
        oxygen.get_by_text("Show the readings as a table").click()
        expect(oxygen.get_by_role("table")).to_be_visible()

        # Another range redraws from the server's downsampled buckets.
        page.get_by_role("radio", name="30 days").check()
        expect(oxygen.locator("canvas").first).to_be_visible()

        # Devices: the one paired in the set-up, and a pairing code for a new one.
        devices = page.get_by_role("region", name="Devices")
        expect(devices).to_contain_text("Wristband")
        devices.get_by_label("Name").fill("Bedroom oximeter")
        devices.get_by_role("button", name="Add device and get a pairing code").click()
        expect(devices.locator(".pairing__code")).to_have_text(re.compile(r"\S{6,}"))

        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"the vitals page is {width}px wide"
        assert run_axe(page) == []
    finally:
        context.close()


def test_caregiver_sees_the_vitals_a_patient_shared(
    page: Page, problems: PageProblems, live_server: LiveServer, ward: Ward
):
    base_url = live_server.base_url
    caregiver = new_person("Cara Kin", role="caregiver")
    register_via_api(base_url, caregiver)
    with api_as(base_url, ward.deteriorating) as as_patient:
        ok(
            as_patient.post(
                "/api/me/delegations",
                json={
                    "caregiver_email": caregiver.email,
                    "scopes": ["vitals:read"],
                    "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
                },
            ),
            201,
        )
    sign_in(page, base_url, caregiver)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vitals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dee's vitals")
    oxygen = page.get_by_role("region", name="Oxygen level")
    expect(oxygen).to_contain_text("Dee's oxygen level was 90 %")
    expect(oxygen.locator("canvas").first).to_be_visible()
    # The early warning score is about someone else: said in the third person, with its time.
    score = page.get_by_role("region", name="Dee's early warning score")
    expect(score).to_contain_text("Dee's early warning score is")
    expect(score).to_contain_text("Their care team has been told")
    expect(score).to_contain_text(re.compile(r"scored at \d{1,2}:\d{2}"))
    expect(oxygen).to_contain_text("Their care team asked to be told if it goes below 92 %.")
    # Nothing on the page speaks to the caregiver as if they were the patient.
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\b[Yy]our\b"))
    # Seeing is not managing: without "vitals:write" there are no devices to change.
    expect(page.get_by_role("region", name="Devices")).to_have_count(0)
    assert_clean_load(page, problems)


def test_a_rise_to_high_is_announced_as_an_escalation_and_refiring_is_a_count(
    page: Page, problems: PageProblems, live_server: LiveServer, ward: Ward
):
    base_url = live_server.base_url
    admin = new_person("Ann Admin", role="admin")
    add_user_via_cli(live_server, admin)
    patient = new_person("Esme Escalate")
    register_via_api(base_url, patient)
    patient_id = patient_id_of(base_url, patient)
    with api_as(base_url, ward.clinician) as as_clinician, api_as(base_url, admin) as as_admin:
        clinician_id = ok(as_clinician.get("/api/me"))["id"]
        ok(
            as_admin.post(
                "/api/admin/care-relationships",
                json={"clinician_id": clinician_id, "patient_id": patient_id},
            ),
            201,
        )
    with api_as(base_url, patient) as as_patient:
        device = pair_device(as_patient, patient_id)
    device.send(base_url, vital_signs(datetime.now(UTC) - timedelta(minutes=1), *STABLE))

    sign_in(page, base_url, ward.clinician)
    open_panel(page, base_url)
    expect(page.locator(".live-state")).to_contain_text(re.compile(r"^\s*Live"))
    time.sleep(1)  # the stream subscribes just after it answers
    page.evaluate("window.__noReload = true")
    row = row_of(page, "Esme Escalate")
    # The card's figure is the latest score, labelled so, with its time.
    expect(row.locator(".news2")).to_contain_text("Latest NEWS2")
    expect(row.locator(".news2")).to_contain_text(re.compile(r"scored at \d{1,2}:\d{2}"))

    medium = (115, 94, 124, 22, 36.8)  # NEWS2 5: pulse 2, breathing 2, SpO2 1
    device.send(base_url, vital_signs(datetime.now(UTC), *medium))
    alert = row.locator(".alert").filter(has_text="NEWS2 5")
    expect(alert).to_be_visible(timeout=15_000)
    device.send(base_url, vital_signs(datetime.now(UTC), *medium))
    # Firing again is a count and a time on the same alert, not another alert or announcement.
    expect(alert).to_contain_text(re.compile(r"fired 2 times, last at \d{1,2}:\d{2}"))
    expect(row.locator(".alert")).to_have_count(1)

    high = (115, 93, 124, 22, 38.5)  # NEWS2 7: and SpO2 2, temperature 1
    device.send(base_url, vital_signs(datetime.now(UTC), *high))
    announced = page.locator("[aria-live]").filter(has_text="escalated to high")
    expect(announced).to_have_count(1, timeout=15_000)
    expect(announced).to_contain_text("Alert for Esme Escalate escalated to high (was medium)")
    expect(announced).to_contain_text("NEWS2 7:")  # why, with the values that raised it
    risen = row.locator(".alert")
    expect(risen).to_have_count(1)
    expect(risen).to_contain_text("NEWS2 7")
    expect(risen).to_contain_text("fired 3 times")
    expect(row.locator(".news2 .risk__total")).to_have_text("7")
    assert page.evaluate("window.__noReload") is True
    assert_clean_load(page, problems)
