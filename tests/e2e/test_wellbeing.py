"""Wellbeing in a real browser: a patient answers the PHQ-9 with item 9 endorsed, sees the crisis
screen with the site's resources and the offer of the C-SSRS screener, answers it; the clinician
sees the urgent alerts with their reasons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from careverse.kernel.config import DEFAULT_CRISIS_RESOURCES

from .support import (
    LiveServer,
    PageProblems,
    Person,
    api_as,
    assert_clean_load,
    care_team,
    new_person,
    ok,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


def test_item9_shows_the_crisis_screen_and_alerts_the_clinician(
    page: Page, problems: PageProblems, live_server: LiveServer, browser
):
    base_url = live_server.base_url
    clinician = new_person("Dr. Noor Haddad", role="clinician")
    patient = new_person("Pat Rowe")
    patient_id = care_team(live_server, clinician, patient)

    sign_in(page, base_url, patient)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wellbeing").click()
    expect(page).to_have_url(f"{base_url}/wellbeing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wellbeing")
    page.get_by_role("button", name="PHQ-9").click()
    expect(page.get_by_role("heading", name="PHQ-9")).to_be_focused()
    items = page.locator("fieldset.questionnaire-item")
    expect(items).to_have_count(9)
    for index in range(8):
        items.nth(index).get_by_label("Not at all").check()
    items.nth(8).get_by_label("Several days").check()
    page.get_by_role("button", name="Send my answers").click()

    crisis = page.get_by_role("alert").filter(has_text="Help is available now")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text(DEFAULT_CRISIS_RESOURCES["en"].phone)
    expect(crisis).to_contain_text("We have told your care team")
    page.get_by_role("button", name="Answer six more questions").click()

    # The C-SSRS screener, with its skip: no to question 2 leaves out questions 3 to 5.
    expect(page.get_by_role("heading", name="C-SSRS Screener")).to_be_focused()
    items = page.locator("fieldset.questionnaire-item")
    expect(items).to_have_count(3)  # q1, q2, q6
    items.nth(0).get_by_label("Yes").check()
    items.nth(1).get_by_label("No").check()
    expect(items).to_have_count(3)
    items.nth(1).get_by_label("Yes").check()
    expect(items).to_have_count(6)  # q3-q5 asked after a yes to q2
    items.nth(1).get_by_label("No").check()
    expect(items).to_have_count(3)
    items.nth(2).get_by_label("No").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("button", name="Answer six more questions")).to_have_count(0)
    history = page.get_by_role("table")
    expect(history).to_contain_text("risk: low")
    expect(history).to_contain_text(re.compile(r"score 1 \(minimal\)"))
    assert_clean_load(page, problems)

    with api_as(base_url, clinician) as as_clinician:
        found = ok(as_clinician.get("/api/monitoring/alerts"))["alerts"]
    whys = sorted(a["why"] for a in found if a["source"] == "wellbeing")
    assert whys == [
        "C-SSRS screener: low risk (yes to question 1, wish to be dead)",
        "PHQ-9 item 9 answered 'several days'",
    ]
    assert all(a["severity"] == "high" and a["acknowledge_by"] for a in found)

    # The clinician's view of the patient lists the results, item 9 marked.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        theirs = context.new_page()
        sign_in(theirs, base_url, clinician)
        theirs.goto(f"{base_url}/monitoring?patient={patient_id}")
        # The urgent alerts on the clinician's screen, each with why.
        whys_shown = theirs.locator(".alert-list .alert__why")
        expect(whys_shown.filter(has_text="PHQ-9 item 9 answered 'several days'")).to_be_visible()
        expect(whys_shown.filter(has_text="C-SSRS screener: low risk")).to_be_visible()
        results = theirs.get_by_role("region", name="Questionnaires")
        expect(results.get_by_role("row")).to_have_count(3)  # the header and two results
        expect(results).to_contain_text("item 9 endorsed")
        expect(results).to_contain_text("C-SSRS")
    finally:
        context.close()


def test_the_questionnaire_and_crisis_screens_pass_axe(browser, base_url: str, person: Person):
    # axe is injected as an inline script, which the page's CSP rightly forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, base_url, person)
        page.goto(f"{base_url}/wellbeing")
        page.get_by_role("button", name="PHQ-2").click()
        expect(page.get_by_role("heading", name="PHQ-2")).to_be_focused()
        assert run_axe(page) == []
        page.get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="C-SSRS Screener").click()
        items = page.locator("fieldset.questionnaire-item")
        items.nth(0).get_by_label("No").check()
        items.nth(1).get_by_label("Yes").check()
        for index in (2, 3, 4, 5):
            items.nth(index).get_by_label("No").check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("alert").filter(has_text="Help is available now")).to_be_visible()
        assert run_axe(page) == []
    finally:
        context.close()


def test_a_clinician_schedules_a_questionnaire_and_the_patient_sees_the_change_charted(
    page: Page, live_server: LiveServer, browser
):
    base_url = live_server.base_url
    clinician = new_person("Dr. Ines Okafor", role="clinician")
    patient = new_person("Sol Ferreira")
    patient_id = care_team(live_server, clinician, patient)

    # The clinician asks for a GAD-7 every week from the patient's view.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        theirs = context.new_page()
        sign_in(theirs, base_url, clinician)
        theirs.goto(f"{base_url}/monitoring?patient={patient_id}")
        panel = theirs.get_by_role("region", name="Questionnaire schedule")
        expect(panel).to_contain_text("No questionnaires scheduled.")
        panel.get_by_label("Questionnaire").select_option(label="GAD-7")
        panel.get_by_label("Every (days)").fill("7")
        panel.get_by_role("button", name="Schedule").click()
        expect(panel).to_contain_text("GAD-7 every 7 days")
        expect(panel).to_contain_text("due now")
    finally:
        context.close()

    # The patient, on a phone, sees it asked and due, answers it twice (a drop of 12 points).
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, base_url, patient)
    page.goto(f"{base_url}/wellbeing")
    asked = page.get_by_role("region", name="Asked by your care team")
    expect(asked).to_contain_text("GAD-7 every 7 days")
    start_first = page.get_by_role("button", name="Answer GAD-7 now")
    start_again = page.get_by_role("button", name="GAD-7", exact=True)
    for start, score_label in ((start_first, "Nearly every day"), (start_again, "Several days")):
        start.click()
        expect(page.get_by_role("heading", name="GAD-7")).to_be_focused()
        items = page.locator("fieldset.questionnaire-item")
        for index in range(7):
            items.nth(index).get_by_label(score_label).check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_focused()
    expect(page.get_by_role("region", name="Asked by your care team")).to_contain_text("next on")
    chart = page.locator("cv-wellbeing-chart figure[data-instrument='gad7'] svg")
    expect(chart).to_have_attribute("aria-label", re.compile(r"GAD-7: 2 results, from 21 to 7"))
    expect(chart).to_have_attribute("aria-label", re.compile(r"important improvement"))
    expect(page.get_by_role("table")).to_contain_text("an important improvement since the first")
