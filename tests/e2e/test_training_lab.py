"""Issue 19's Done-when in Chromium: an instructor and two trainees in the training lab; one
gives oxygen, the other fluids; the monitor changes for all three; the scenario ends; the
debrief replays the timeline with the actions marked, and the score."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .support import (
    LiveServer,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def three_pages(browser) -> Iterator[tuple[Page, Page, Page]]:
    contexts = [
        browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
        )
        for _ in range(3)
    ]
    for context in contexts:
        context.set_default_timeout(20_000)
    yield contexts[0].new_page(), contexts[1].new_page(), contexts[2].new_page()
    for context in contexts:
        context.close()


def test_instructor_and_two_trainees_run_a_scenario_to_its_debrief(
    three_pages: tuple[Page, Page, Page], live_server: LiveServer
):
    base_url = live_server.base_url
    teacher_page, one_page, two_page = three_pages
    teacher = new_person("Dr Ada Tutor", role="clinician")
    add_user_via_cli(live_server, teacher)
    one, two = new_person("Sam Trainee"), new_person("Kim Trainee")
    for trainee in (one, two):
        register_via_api(base_url, trainee)
    with api_as(base_url, teacher) as api:
        answer = api.post("/api/spaces", json={"name": "Ward sim", "template": "training-lab"})
        assert answer.status_code == 201, answer.text
        space_id = answer.json()["id"]

    errors: list[str] = []
    for page, person in ((teacher_page, teacher), (one_page, one), (two_page, two)):
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base_url, person)
        page.goto(f"{base_url}/training/lab/{space_id}")
        expect(page.locator(".lab-status")).to_contain_text("Waiting for the instructor")
    expect(one_page.get_by_role("button", name="Start", exact=True)).to_have_count(0)
    assert run_axe(one_page) == []

    teacher_page.get_by_label("Scenario", exact=True).select_option("haemorrhage")
    teacher_page.get_by_label("Speed (scenario seconds per second)").fill("5")
    teacher_page.get_by_role("button", name="Start", exact=True).click()
    for page in three_pages:
        expect(page.locator(".lab-status")).to_contain_text("Running")
        expect(page.locator('[data-vital="on_oxygen"]')).to_have_text("No")
    # The monitor's waveforms are drawn from the vitals: the ECG strip has a trace on it.
    expect(one_page.locator("canvas[data-wave=ecg]")).to_be_visible()
    one_page.wait_for_function(
        """() => {
          const c = document.querySelector('canvas[data-wave=ecg]');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let lit = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 150) lit++;
          return lit > 50;
        }"""
    )

    # One trainee gives oxygen, the other fluids: the monitor changes for all three.
    one_page.get_by_label("Intervention", exact=True).select_option("oxygen")
    one_page.get_by_label("flow l min").fill("15")
    one_page.get_by_role("button", name="Give").click()
    two_page.get_by_label("Intervention", exact=True).select_option("fluid_bolus")
    two_page.get_by_label("volume ml").fill("1000")
    two_page.get_by_role("button", name="Give").click()
    for page in three_pages:
        expect(page.locator('[data-vital="on_oxygen"]')).to_have_text("Yes")
        log = page.locator(".lab-log")
        expect(log).to_contain_text("Oxygen (flow l min 15)")
        expect(log).to_contain_text("Fluid bolus (volume ml 1000)")
    assert run_axe(teacher_page) == []

    # At the bedside: examining shows findings from the vitals (training/findings.py) and is
    # logged as the ABCDE assessment; asking shows the patient's answer.
    one_page.get_by_role("button", name="Examine", exact=True).click()
    findings = one_page.locator(".lab-findings")
    expect(findings).to_contain_text("Capillary refill")
    expect(findings).to_contain_text("Responsiveness")
    expect(teacher_page.locator(".lab-log")).to_contain_text("Abcde assessment")
    two_page.get_by_role("button", name="Ask how they feel").click()
    expect(two_page.locator(".lab-findings")).to_contain_text("How are you feeling?")
    assert run_axe(one_page) == []

    teacher_page.get_by_role("button", name="End the scenario").click()
    for page in three_pages:
        expect(page.locator(".lab-status")).to_contain_text("Ended")

    # The debrief: the timeline with the actions marked, the score, the instructor's notes.
    one_page.get_by_role("link", name="Go to the debrief").click()
    expect(one_page.get_by_role("heading", name="Debrief:")).to_be_visible()
    actions = one_page.get_by_test_id("debrief-actions")
    expect(actions).to_contain_text("Oxygen (flow l min 15)")
    expect(actions).to_contain_text("Fluid bolus (volume ml 1000)")
    expect(actions).to_contain_text("Sam Trainee")
    expect(actions).to_contain_text("Kim Trainee")
    expect(one_page.get_by_role("heading", name="Team score")).to_be_visible()
    expect(one_page.get_by_role("heading", name="Score of Sam Trainee")).to_be_visible()
    expect(one_page.get_by_role("heading", name="Score of Kim Trainee")).to_have_count(0)
    expect(one_page.locator("cv-vitals-chart canvas").first).to_be_visible()
    assert run_axe(one_page) == []
    with one_page.expect_download() as got:
        one_page.get_by_role("button", name="Download the debrief (PDF)").click()
    pdf = got.value
    assert pdf.suggested_filename.startswith("debrief-haemorrhage")
    with open(pdf.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"

    teacher_page.get_by_role("link", name="Go to the debrief").click()
    teacher_page.get_by_label("Instructor notes").nth(3).fill("Call for help sooner.")
    teacher_page.get_by_role("button", name="Save notes").click()
    expect(teacher_page.locator(".debrief-page [role=status]")).to_contain_text("Notes saved.")
    one_page.reload()
    expect(one_page.get_by_text("Call for help sooner.")).to_be_visible()
    assert errors == []


def test_the_lab_works_inside_the_space_page_on_its_one_socket(
    three_pages: tuple[Page, Page, Page], live_server: LiveServer
):
    base_url = live_server.base_url
    teacher_page, trainee_page, _ = three_pages
    teacher = new_person("Dr Lee Tutor", role="clinician")
    add_user_via_cli(live_server, teacher)
    trainee = new_person("Ash Trainee")
    register_via_api(base_url, trainee)
    with api_as(base_url, teacher) as api:
        answer = api.post("/api/spaces", json={"name": "Resus sim", "template": "training-lab"})
        assert answer.status_code == 201, answer.text
        space_id = answer.json()["id"]
    errors: list[str] = []
    for page, person in ((teacher_page, teacher), (trainee_page, trainee)):
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base_url, person)
    teacher_page.goto(f"{base_url}/training/lab/{space_id}")
    trainee_page.goto(f"{base_url}/spaces/{space_id}?mode=2d")
    expect(trainee_page.get_by_text("Connected", exact=True)).to_be_visible()
    lab = trainee_page.locator("cv-lab-page")
    expect(lab.get_by_role("heading", name="Simulation lab")).to_be_visible()

    teacher_page.get_by_label("Scenario", exact=True).select_option("anaphylaxis")
    teacher_page.get_by_role("button", name="Start", exact=True).click()
    expect(lab.locator(".lab-status")).to_contain_text("Running")
    lab.get_by_label("Intervention", exact=True).select_option("oxygen")
    lab.get_by_label("flow l min").fill("15")
    lab.get_by_role("button", name="Give").click()
    expect(teacher_page.locator('[data-vital="on_oxygen"]')).to_have_text("Yes")
    expect(teacher_page.locator(".lab-log")).to_contain_text("Ash Trainee")
    # Still one connection: the space page was not replaced by a second socket.
    expect(trainee_page.get_by_text("Connected", exact=True)).to_be_visible()
    assert run_axe(trainee_page) == []
    # In 3D the patient lies on the bed, posed by ACVPU (frames drawn without an error), and
    # the embedded panel's Examine still answers.
    trainee_page.goto(f"{base_url}/spaces/{space_id}?mode=3d")
    expect(trainee_page.locator("canvas.world-canvas")).to_be_visible()
    lab = trainee_page.locator("cv-lab-page")
    expect(lab.locator(".lab-status")).to_contain_text("Running")
    trainee_page.wait_for_timeout(1000)
    lab.get_by_role("button", name="Examine", exact=True).click()
    expect(lab.locator(".lab-findings")).to_contain_text("Responsiveness")
    assert errors == []
