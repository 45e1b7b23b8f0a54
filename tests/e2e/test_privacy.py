"""The patient's Privacy & data page in a real browser: access history, consents, caregivers,
the record export and deleting the account; and the caregiver's side of a delegation."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

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

# "3 May 2026 at 14:05": the test browser's locale is en-GB.
WHEN = r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}"


def me(client: httpx.Client) -> dict:
    answer = client.get("/api/me")
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def admin(live_server: LiveServer) -> Person:
    created = new_person("Ada Admin", role="admin")
    add_user_via_cli(live_server, created)
    return created


def open_privacy(page: Page, base_url: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Privacy & data").click()
    expect(page).to_have_url(f"{base_url}/privacy")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Privacy & data")
    expect(heading).to_be_focused()
    expect(page).to_have_title("Privacy & data — Careverse")


def section(page: Page, title: str) -> Locator:
    return page.get_by_role("region", name=title, exact=True)


def card(region: Locator, title: str) -> Locator:
    return region.get_by_role("listitem").filter(
        has=region.page.get_by_role("heading", name=title, exact=True)
    )


def test_access_history_says_who_saw_the_record_in_plain_words(
    page: Page,
    problems: PageProblems,
    live_server: LiveServer,
    person: Person,
    admin: Person,
):
    base_url = live_server.base_url
    clinician = new_person("Dr. Sofia Rivera", role="clinician")
    add_user_via_cli(live_server, clinician)
    with api_as(base_url, person) as as_patient:
        patient_id = me(as_patient)["patient_id"]
    with api_as(base_url, clinician) as as_clinician, api_as(base_url, admin) as as_admin:
        clinician_id = me(as_clinician)["id"]
        answer = as_admin.post(
            "/api/admin/care-relationships",
            json={"clinician_id": clinician_id, "patient_id": patient_id},
        )
        assert answer.status_code == 201, answer.text
        answer = as_clinician.get(f"/api/patients/{patient_id}")
        assert answer.status_code == 200, answer.text
        answer = as_clinician.post(
            "/api/privacy/break-glass",
            json={"patient_id": patient_id, "reason": "Found unconscious; checking allergies"},
        )
        assert answer.status_code == 201, answer.text

    sign_in(page, base_url, person)
    open_privacy(page, base_url)
    history = section(page, "Who has seen my record")
    viewed = rf"Dr\. Sofia Rivera viewed your record on {WHEN} — reason: your care"
    expect(history.get_by_text(re.compile(rf"^{viewed}$"))).to_be_visible()
    emergency = history.get_by_role("listitem").filter(has_text="Emergency access")
    expect(emergency).to_have_count(1)
    expect(emergency).to_contain_text(
        re.compile(
            rf"Dr\. Sofia Rivera used emergency access to your record on {WHEN}"
            r" — reason: “Found unconscious; checking allergies”"
        )
    )
    expect(history).to_contain_text(
        re.compile(rf"Ada Admin added a clinician to your care team on {WHEN}")
    )
    # Newest first: the emergency access came last.
    expect(history.get_by_role("listitem").first).to_contain_text("emergency access")
    assert_clean_load(page, problems)


def test_research_consent_is_granted_then_withdrawn(page: Page, base_url: str, person: Person):
    sign_in(page, base_url, person)
    open_privacy(page, base_url)
    consents = section(page, "Your consent choices")
    research = card(consents, "Research")
    expect(research).to_contain_text("You have not agreed.")
    expect(card(consents, "Your care team")).to_contain_text("Your care team can see your record.")

    research.get_by_role("button", name="Agree to research use").click()
    expect(consents.get_by_role("status")).to_have_text(re.compile("You have agreed"))
    expect(research).to_contain_text("You have agreed to research use.")
    expect(consents.get_by_role("heading", name="Research")).to_be_focused()
    with api_as(base_url, person) as as_patient:
        active = [c for c in as_patient.get("/api/me/consents").json() if c["status"] == "active"]
    assert [(c["purpose"], c["decision"]) for c in active] == [("research", "permit")]

    page.reload()
    research = card(section(page, "Your consent choices"), "Research")
    research.get_by_role("button", name="Withdraw my agreement to research use").click()
    expect(research).to_contain_text("You have not agreed.")
    expect(section(page, "Your consent choices").get_by_role("status")).to_have_text(
        re.compile("Your agreement is withdrawn")
    )
    with api_as(base_url, person) as as_patient:
        research_consents = [
            c for c in as_patient.get("/api/me/consents").json() if c["purpose"] == "research"
        ]
    assert [c["status"] for c in research_consents] == ["inactive"]


def test_caregiver_sees_the_patient_until_access_is_removed(
    browser, page: Page, base_url: str, person: Person
):
    caregiver = new_person("Carla Giver", role="caregiver")
    register_via_api(base_url, caregiver)
    until = (date.today() + timedelta(days=30)).isoformat()

    sign_in(page, base_url, person)
    open_privacy(page, base_url)
    people = section(page, "People who can act for me")
    expect(people.get_by_text("No one can act for you at the moment.")).to_be_visible()
    email = people.get_by_label("Their email address")
    email.fill(f"nobody-{caregiver.email}")
    people.get_by_label("See your record").check()
    people.get_by_label("Until", exact=True).fill(until)
    people.get_by_role("button", name="Give access").click()
    expect(email).to_be_focused()
    expect(email).to_have_accessible_description(
        re.compile("Ask them to sign up as a caregiver first")
    )

    email.fill(caregiver.email)
    people.get_by_role("button", name="Give access").click()
    expect(people.get_by_role("status")).to_have_text(
        re.compile(r"Carla Giver can now act for you until \d{1,2} [A-Z][a-z]+ \d{4}\.")
    )
    granted = card(people, "Carla Giver")
    expect(granted).to_contain_text("See your record")
    expect(people.get_by_label("See your record")).not_to_be_checked()

    caregiver_context = browser.new_context(locale="en-GB")
    try:
        caregiver_page = caregiver_context.new_page()
        sign_in(caregiver_page, base_url, caregiver)
        supported = section(caregiver_page, "People who have shared access with you")
        patient_card = card(supported, person.display_name)
        expect(patient_card).to_contain_text("See their record")

        granted.get_by_role("button", name="Remove access for Carla Giver").click()
        expect(people.get_by_role("status")).to_have_text("Carla Giver can no longer act for you.")
        expect(people.get_by_role("heading", name="Carla Giver")).to_have_count(0)

        caregiver_page.reload()
        supported = section(caregiver_page, "People who have shared access with you")
        expect(supported.get_by_text("No one has shared access with you yet.")).to_be_visible()
        expect(supported.get_by_role("heading", name=person.display_name)).to_have_count(0)
    finally:
        caregiver_context.close()


def test_download_my_record(page: Page, problems: PageProblems, base_url: str, person: Person):
    sign_in(page, base_url, person)
    open_privacy(page, base_url)
    export = section(page, "Download my record")
    with page.expect_download() as downloading:
        export.get_by_role("button", name="Download my record").click()
    download = downloading.value
    assert download.suggested_filename == "careverse-record.json"
    bundle = json.loads(download.path().read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    patients = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert len(patients) == 1
    expect(export.get_by_role("status")).to_have_text(re.compile("Your record is ready"))

    with page.expect_download() as downloading:
        export.get_by_role("button", name="Download a readable copy").click()
    readable = downloading.value
    assert readable.suggested_filename == "careverse-record.html"
    document = readable.path().read_text(encoding="utf-8")
    assert "Health record of Grace Hopper" in document
    assert "<script" not in document.lower()
    expect(export.get_by_role("status")).to_have_text(re.compile("careverse-record.html"))
    assert_clean_load(page, problems)


def test_deleting_the_account_is_scheduled_then_cancelled(
    page: Page, base_url: str, person: Person
):
    sign_in(page, base_url, person)
    open_privacy(page, base_url)
    deletion = section(page, "Delete my account")
    start = deletion.get_by_role("button", name="Delete my account")
    start.click()
    confirm = deletion.get_by_role("group", name="Before you delete your account")
    expect(confirm.get_by_role("heading")).to_be_focused()
    expect(confirm).to_contain_text("30 days from now")
    expect(confirm).to_contain_text("without your name")
    confirm.get_by_role("button", name="Cancel").click()
    expect(start).to_be_focused()

    start.click()
    deletion.get_by_role("button", name="Yes, delete my account").click()
    expect(deletion.get_by_role("status")).to_have_text(
        re.compile(r"Your account will be deleted on \d{1,2} [A-Z][a-z]+ \d{4}\.")
    )
    with api_as(base_url, person) as as_patient:
        assert as_patient.get("/api/me/erasure").json()["status"] == "scheduled"

    page.reload()
    deletion = section(page, "Delete my account")
    expect(deletion).to_contain_text("Deletion scheduled")
    deletion.get_by_role("button", name="Keep my account").click()
    expect(deletion.get_by_role("status")).to_have_text("Your account will not be deleted.")
    expect(deletion.get_by_role("button", name="Delete my account")).to_be_visible()
    with api_as(base_url, person) as as_patient:
        assert as_patient.get("/api/me/erasure").json() == {"status": "none", "due_at": None}


def test_privacy_page_passes_axe_and_fits_a_phone(browser, base_url: str, person: Person):
    """With something in every section, on a 360-px phone."""
    caregiver = new_person("Carla Giver", role="caregiver")
    register_via_api(base_url, caregiver)
    with api_as(base_url, person) as as_patient:
        patient_id = me(as_patient)["patient_id"]
        answer = as_patient.post(
            "/api/me/delegations",
            json={
                "caregiver_email": caregiver.email,
                "scopes": ["record:read", "vitals:read", "appointments:write"],
                "expires_at": f"{date.today() + timedelta(days=90)}T12:00:00Z",
            },
        )
        assert answer.status_code == 201, answer.text
        answer = as_patient.post(
            "/api/me/consents",
            json={
                "purpose": "org-sharing",
                "decision": "permit",
                "organization": "Riverside Clinic",
            },
        )
        assert answer.status_code == 201, answer.text
    with api_as(base_url, caregiver) as as_caregiver:
        assert as_caregiver.get(f"/api/patients/{patient_id}").status_code == 200
        # Seeing is not changing: refused, and the patient sees the refusal.
        answer = as_caregiver.patch(
            f"/api/patients/{patient_id}", json={"phone": "+44 20 7946 0000"}
        )
        assert answer.status_code == 403, answer.text

    # axe is injected as an inline script, which the page's CSP rightly forbids.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()

        def assert_fits() -> None:
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{page.url} is {width}px wide"

        sign_in(page, base_url, person)
        page.goto(f"{base_url}/privacy")
        history = section(page, "Who has seen my record")
        expect(history).to_contain_text(
            re.compile(
                rf"Carla Giver viewed your record on {WHEN}"
                " — reason: acting for you, with your permission"
            )
        )
        refused = history.get_by_role("listitem").filter(has_text="Refused")
        refusal = rf"^Carla Giver was refused permission to change your record on {WHEN}$"
        expect(refused.get_by_text(re.compile(refusal))).to_be_visible()
        people = section(page, "People who can act for me")
        expect(card(people, "Carla Giver")).to_contain_text("Book and change your appointments")
        expect(section(page, "Your consent choices")).to_contain_text(
            "Shared with Riverside Clinic"
        )
        deletion = section(page, "Delete my account")
        deletion.get_by_role("button", name="Delete my account").click()
        people.get_by_role("button", name="Give access").click()  # errors showing
        expect(people.get_by_role("alert")).to_have_text(re.compile("Please correct"))
        assert_fits()
        assert run_axe(page) == []

        # The in-page contents lead to each section without leaving the page.
        page.get_by_role("navigation", name="On this page").get_by_role(
            "link", name="Download my record"
        ).click()
        expect(page).to_have_url(f"{base_url}/privacy#export")
        expect(section(page, "Download my record")).to_be_in_viewport()
        expect(deletion.get_by_role("group")).to_be_visible()
    finally:
        context.close()
