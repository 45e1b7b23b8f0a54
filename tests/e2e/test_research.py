"""Research in the browser, on a phone: a researcher builds a cohort over consented patients,
sees its suppressed count, asks for an export and reads its k-anonymity report; the approver
approves it; the pages are axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api, run_axe
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e


def test_researcher_builds_a_cohort_and_sees_the_export_report(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin = new_person("Ada Approver", role="admin")
    researcher = new_person("Rhea Researcher", role="researcher")
    add_user_via_cli(live_server, admin)
    add_user_via_cli(live_server, researcher)
    with api_as(base, admin) as as_admin:
        admin_id = ok(as_admin.get("/api/me"))["id"]
    with api_as(base, researcher) as as_researcher:
        study = ok(as_researcher.post("/api/research/studies", json={
            "title": "Sleep and steps", "protocol": "Do more steps mean better sleep?",
            "approver_id": admin_id, "k": 3}), 201)  # fmt: skip
    with api_as(base, admin) as as_admin:
        ok(as_admin.post(f"/api/research/studies/{study['id']}/approve"))
    for n in range(3):
        patient = new_person(f"Pat Participant {n}")
        register_via_api(base, patient)
        with api_as(base, patient) as as_patient:
            answer = as_patient.post(f"/api/research/studies/{study['id']}/consent")
            assert answer.status_code == 204, answer.text

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in_page(page, base, researcher)
        page.get_by_role("main").get_by_role("link", name="Cohorts", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
        page.get_by_role("link", name="Sleep and steps").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sleep and steps")
        page.get_by_label("Cohort name").fill("Everyone")
        page.get_by_role("button", name="Build cohort and count").click()
        card = page.locator("cv-research-cohorts li.card").filter(has_text="Everyone")
        expect(card.get_by_text("< 11 consented patients")).to_be_visible()
        assert run_axe(page) == []
        card.get_by_role("button", name="Export “Everyone”").click()
        expect(page.get_by_text("Export requested: it waits for the approver.")).to_be_visible()
        report = page.locator("cv-research-export-list .export-report")
        expect(report.get_by_text("k-anonymity: 3 (required 3)")).to_be_visible()
        expect(report.get_by_text("Passed: the export may be approved.")).to_be_visible()
        expect(page.get_by_text("Waiting for approval")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert run_axe(page) == []
    finally:
        context.close()

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", bypass_csp=True
    )
    try:
        page = context.new_page()
        sign_in_page(page, base, admin)
        page.goto(f"{base}/cohorts/studies/{study['id']}")
        page.get_by_role("button", name="Approve this export").click()
        expect(page.get_by_text("Ready")).to_be_visible()
        expect(page.get_by_role("button", name="Download cohort.csv (3 records)")).to_be_visible()
        assert run_axe(page) == []
    finally:
        context.close()
