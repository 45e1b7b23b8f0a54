"""Issue 17's organiser screens in Chromium, on a phone: a volunteer signs up and logs hours, an
organiser confirms them, the volunteer downloads the certificate (a PDF); an organiser approves a
mentor's application from the screen; a facilitator writes a session note. Each page axe-clean."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from careverse.mentoring import training

from .support import (
    LiveServer,
    add_user_via_cli,
    api_as,
    care_team,
    new_person,
    ok,
    register_via_api,
    run_axe,
)
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 360, "height": 740}


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport=PHONE, locale="en-GB", bypass_csp=True, accept_downloads=True
    )


def fits(page: Page) -> None:
    """No horizontal scrolling at 360 px, and no serious axe violation."""
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert run_axe(page) == []


def public_community(server: LiveServer, name: str, kind: str = "caregiver") -> str:
    """A public community, made by an admin of its own (only admins make communities)."""
    base, admin = server.base_url, new_person("Ada Admin", role="admin")
    add_user_via_cli(server, admin)
    slug = f"c-{uuid.uuid4().hex[:8]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": slug, "name": name, "kind": kind, "visibility": "public",
            "description": "For the organiser screens test.", "guidelines": "Be kind."}),
           201)  # fmt: skip
    return slug


def group_now(server: LiveServer, lead, name: str, admission: str) -> str:
    """A group led by ``lead`` (made here) whose session is open now; its slug."""
    add_user_via_cli(server, lead)
    community = public_community(server, "Carers together")
    now = datetime.now(UTC)
    slug = f"g-{uuid.uuid4().hex[:6]}"
    with api_as(server.base_url, lead) as as_lead:
        ok(as_lead.post(f"/api/groups/communities/{community}", json={
            "slug": slug, "name": name, "timezone": "UTC", "first_date": now.date().isoformat(),
            "start_time": now.strftime("%H:%M"), "duration_minutes": 120, "every_weeks": 1,
            "capacity": 8, "admission": admission,
            "ground_rules": "One voice at a time; you may pass."}), 201)  # fmt: skip
    return slug


def test_volunteer_logs_hours_organiser_confirms_certificate_downloads(
    browser: Browser, live_server: LiveServer, tmp_path: Path
):
    base = live_server.base_url
    organiser = new_person("Olga Organiser", role="moderator")
    volunteer = new_person("Vic Volunteer", role="caregiver")
    add_user_via_cli(live_server, organiser)
    register_via_api(base, volunteer)
    title = f"Greeter in the clinic lobby {uuid.uuid4().hex[:4]}"
    slug = public_community(live_server, "Volunteers' corner")

    org_context, vol_context = phone(browser), phone(browser)
    try:
        o, v = org_context.new_page(), vol_context.new_page()
        sign_in_page(o, base, organiser)
        o.goto(f"{base}/volunteering/new")
        expect(o.get_by_role("heading", level=1)).to_have_text("Post an opportunity")
        o.get_by_label("Community").select_option(slug)
        o.get_by_label("Title").fill(title)
        o.get_by_label("What it involves").fill("Tuesday mornings, two hours.")
        fits(o)
        o.get_by_role("button", name="Post").click()
        expect(o.get_by_role("heading", level=1)).to_have_text(title)
        expect(o.get_by_text("No hours are waiting.")).to_be_visible()

        sign_in_page(v, base, volunteer)
        v.goto(f"{base}/volunteering")
        v.get_by_label("Search opportunities").fill(title.split()[-1])
        v.get_by_role("button", name="Search").click()
        expect(v.get_by_role("link", name=title)).to_have_count(1)
        fits(v)
        v.get_by_role("link", name=title).click()
        v.get_by_role("button", name="Sign up").click()
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        v.get_by_label("Day").fill(yesterday)
        v.get_by_label("Hours", exact=True).fill("2.5")
        v.get_by_label("Note (optional)").fill("Morning shift")
        v.get_by_role("button", name="Log hours").click()
        expect(v.get_by_text("waiting for confirmation")).to_be_visible()
        fits(v)

        o.reload()
        card = o.locator("li.card").filter(has_text="Vic Volunteer")
        expect(card).to_contain_text("2.5 h")
        fits(o)
        card.get_by_role("button", name="Confirm hours of Vic Volunteer").click()
        expect(o.get_by_text("Confirmed the hours of Vic Volunteer.")).to_be_visible()
        expect(o.get_by_text("No hours are waiting.")).to_be_visible()

        v.reload()
        expect(v.get_by_text("confirmed", exact=True)).to_be_visible()
        v.goto(f"{base}/volunteering/me")
        expect(v.get_by_text(f"{title}: 2.5 h")).to_be_visible()
        fits(v)
        with v.expect_download() as info:
            v.get_by_role("link", name="Download my certificate (PDF)").click()
        saved = tmp_path / "certificate.pdf"
        info.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
    finally:
        org_context.close()
        vol_context.close()


def test_organiser_approves_a_mentor_application_from_the_screen(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    organiser = new_person("Otto Organiser", role="moderator")
    applicant = new_person("Ana Applicant")
    add_user_via_cli(live_server, organiser)
    register_via_api(base, applicant)
    slug = public_community(live_server, "Kidney friends", kind="condition")
    with api_as(base, applicant) as as_applicant:
        ok(as_applicant.post(f"/api/mentoring/communities/{slug}/apply", json={
            "condition": "kidney transplant", "stage": "after surgery", "languages": ["en"],
            "age_band": "25-34", "gender": "woman", "availability": ["tue-eve"], "capacity": 2,
            "about": "Transplant in 2023."}), 201)  # fmt: skip
        right = [q["correct"] for q in training.QUESTIONS]
        assert ok(as_applicant.post(f"/api/mentoring/communities/{slug}/quiz",
                                    json={"answers": right}))["passed"]  # fmt: skip

    context = phone(browser)
    try:
        page = context.new_page()
        sign_in_page(page, base, organiser)
        page.goto(f"{base}/mentoring")
        page.get_by_role("link", name="Mentoring organisers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring organisers")
        card = page.locator("li.card").filter(has_text="Ana Applicant")
        expect(card).to_contain_text("Training quiz passed: 4 of 4")
        expect(page.get_by_role("heading", name="Reports")).to_be_visible()
        fits(page)
        card.get_by_role("button", name="Approve Ana Applicant").click()
        expect(page.get_by_text("Ana Applicant is approved as a mentor.")).to_be_visible()
        expect(page.locator("li.card").filter(has_text="Ana Applicant")).to_have_count(0)
    finally:
        context.close()
    with api_as(base, applicant) as as_applicant:
        (mine,) = ok(as_applicant.get("/api/mentoring/me"))["mentors"]
        assert mine["status"] == "approved"

    context = phone(browser)
    try:  # the mentor pauses new matches from their own page
        page = context.new_page()
        sign_in_page(page, base, applicant)
        page.goto(f"{base}/mentoring/apply")
        page.get_by_role("button", name="Pause new mentees").click()
        expect(page.get_by_text("Paused: nobody new is matched with you")).to_be_visible()
        fits(page)
    finally:
        context.close()


def test_facilitator_writes_a_session_note(browser: Browser, live_server: LiveServer):
    base = live_server.base_url
    lead = new_person("Fay Facilitator", role="moderator")
    slug = group_now(live_server, lead, "Morning carers' circle", "request")
    with api_as(base, lead) as as_lead:
        ok(as_lead.post(f"/api/groups/{slug}/session/join", json={"mode": "text"}))

    context = phone(browser)
    try:
        page = context.new_page()
        sign_in_page(page, base, lead)
        page.goto(f"{base}/groups/{slug}")
        expect(page.get_by_role("heading", name="Session notes")).to_be_visible()
        expect(page.get_by_text("Nobody is waiting.")).to_be_visible()
        expect(page.get_by_text("No notes on this session yet.")).to_be_visible()
        fits(page)
        page.get_by_label("New note").fill("Quiet start; check in with the newcomer next week.")
        page.get_by_role("button", name="Save note").click()
        expect(page.get_by_text("Note saved.")).to_be_visible()
        notes = page.get_by_role("list", name="Notes on this session")
        expect(notes).to_contain_text("Quiet start; check in with the newcomer next week.")
        fits(page)
    finally:
        context.close()


def test_clinician_refers_and_sees_the_group_record_only_with_consent(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    clinician = new_person("Dr Cleo Referrer", role="clinician")
    patient = new_person("Pat Member")
    patient_id = care_team(live_server, clinician, patient)
    lead = new_person("Lee Facilitator", role="moderator")
    slug = group_now(live_server, lead, "Pacing circle", "referral")

    context = phone(browser)
    try:
        page = context.new_page()
        sign_in_page(page, base, clinician)
        page.goto(f"{base}/groups/{slug}")
        page.get_by_label("Patient in your care").select_option(label="Pat Member")
        page.get_by_role("button", name="Refer to this group").click()
        expect(page.get_by_text("Pat Member was referred and told")).to_be_visible()
        fits(page)
        with api_as(base, patient) as as_patient:  # the patient joins and comes to the session
            ok(as_patient.post(f"/api/groups/{slug}/join",
                               json={"accept_rules": True, "rules_version": 1}))  # fmt: skip
            ok(as_patient.post(f"/api/groups/{slug}/session/join", json={"mode": "voice"}))

        page.goto(f"{base}/patients/{patient_id}")
        page.get_by_role("button", name="Show shared group attendance").click()
        expect(page.get_by_text("Nothing to show: the patient has not shared")).to_be_visible()
        fits(page)
        with api_as(base, patient) as as_patient:  # now the patient shares this group
            ok(as_patient.put(f"/api/groups/{slug}/sharing", json={"share": True}))
        page.reload()
        page.get_by_role("button", name="Show shared group attendance").click()
        record = page.locator("cv-patient-groups li.card").filter(has_text="Pacing circle")
        expect(record).to_contain_text("attended")
        fits(page)
    finally:
        context.close()
