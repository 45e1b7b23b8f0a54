"""Exposure therapy in two browsers: a therapist and their patient run a step. The patient rates
SUDS when prompted (keys and buttons), the therapist raises the intensity and the patient's scene
changes, the patient pauses with one key and the therapist sees it live, the therapist ends the
session, the patient rates after and answers the SSQ, and the session is logged."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .support import LiveServer, api_as, care_team, new_person, ok, run_axe, sign_in

pytestmark = pytest.mark.e2e

SCENES = ["heights", "crowd", "spider"]


def steps(count: int = 10) -> list[dict]:
    return [
        {
            "description": f"Exposure step {i + 1}",
            "scene": SCENES[i % 3],
            "height_m": 2.0 + i if SCENES[i % 3] == "heights" else None,
            "crowd_density": 0.5 if SCENES[i % 3] == "crowd" else None,
            "proximity_m": 3.0 if SCENES[i % 3] != "heights" else None,
            "noise": 0.0,
            "expected_suds": 10 * (i + 1),
        }
        for i in range(count)
    ]


def scene_params(page: Page) -> dict:
    raw = page.locator("#exposure-stage").get_attribute("data-scene-params")
    return json.loads(raw or "{}")


def test_a_therapist_and_a_patient_run_an_exposure_step(live_server: LiveServer, browser):
    base_url = live_server.base_url
    therapist = new_person("Dr. Ines Exposure", role="clinician")
    patient = new_person("Sam Exposure")
    patient_id = care_team(live_server, therapist, patient)

    theirs = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    mine = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        t_page = theirs.new_page()
        sign_in(t_page, base_url, therapist)
        t_page.goto(f"{base_url}/patients/{patient_id}/exposure")
        expect(t_page.get_by_role("heading", level=1)).to_have_text("Exposure therapy")
        # The builder: a hierarchy marked ready with one step is refused, with the reason.
        t_page.get_by_label("Title").fill("Heights, crowds, spiders")
        t_page.get_by_label("What the patient does").fill("Look down from a first-floor window")
        t_page.get_by_label("Ready for sessions").check()
        t_page.get_by_role("button", name="Save the hierarchy").click()
        expect(t_page.get_by_role("alert")).to_contain_text("10 to 15 steps")
        # The full hierarchy (10 steps) through the API, then the page shows it.
        with api_as(base_url, therapist) as as_therapist:
            ok(
                as_therapist.post(
                    f"/api/wellbeing/exposure/patients/{patient_id}/hierarchies",
                    json={"title": "Heights, crowds, spiders", "steps": steps(), "ready": True},
                ),
                201,
            )
        t_page.reload()
        expect(t_page.get_by_role("button", name="Start step 10")).to_be_visible()

        p_page = mine.new_page()
        p_page.add_init_script("localStorage.setItem('careverse.exposure.promptSeconds', '2')")
        sign_in(p_page, base_url, patient)
        p_page.goto(f"{base_url}/wellbeing")
        p_page.get_by_role("link", name="Exposure therapy").click()
        expect(p_page).to_have_url(f"{base_url}/wellbeing/exposure")
        p_page.get_by_role("button", name="Start step 1", exact=True).click()

        # SUDS before, by key: 4 is 40.
        expect(p_page.get_by_role("heading", name="Before you start")).to_be_focused()
        p_page.keyboard.press("4")
        expect(p_page.get_by_role("status").filter(has_text="40 recorded")).to_be_visible()
        # The scene: a glass floor 2 m up (step 1 as planned), drawn in 3D.
        stage = p_page.locator("#exposure-stage")
        expect(stage).to_have_attribute("data-scene", "heights")
        assert scene_params(p_page)["height_m"] == 2.0
        expect(stage.locator("canvas")).to_have_count(1)
        p_page.wait_for_function("window.__exposureScene?.params.height_m === 2")
        # The therapist sees the session live.
        expect(t_page.locator(".exposure-live-latest")).to_have_text("Latest SUDS: 40")

        # The prompt during the session (every minute; two seconds here), answered by touch.
        expect(p_page.get_by_role("heading", name="How anxious do you feel now")).to_be_visible(
            timeout=10_000
        )
        p_page.locator(".suds-buttons").get_by_role("button", name="70", exact=True).click()
        expect(t_page.locator(".exposure-live-latest")).to_have_text("Latest SUDS: 70")

        # The therapist raises the intensity: the patient's scene follows, live.
        t_page.get_by_label("Intensity").fill("100")
        expect(p_page.locator(".exposure-intensity")).to_have_text("Intensity 100 of 100")
        p_page.wait_for_function("window.__exposureScene?.params.height_m === 3")
        assert scene_params(p_page)["height_m"] == 3.0
        assert scene_params(p_page)["ground_depth_m"] == 3.0

        # One key pauses; the therapist sees it.
        p_page.locator("h1").click()
        p_page.keyboard.press("p")
        expect(p_page.locator(".exposure-paused")).to_be_visible()
        expect(t_page.locator(".exposure-live-status")).to_have_attribute("data-status", "paused")
        expect(t_page.get_by_role("status").filter(has_text="The patient paused")).to_be_visible()

        # The therapist ends it; the patient rates after and answers the SSQ.
        t_page.get_by_role("button", name="End the session").click()
        expect(p_page.get_by_role("heading", name="Now that it is over")).to_be_visible()
        p_page.locator(".suds-buttons").get_by_role("button", name="20", exact=True).click()
        expect(
            p_page.get_by_role("heading", name="How do you feel after the session?")
        ).to_be_visible()
        for item in p_page.locator("fieldset.ssq-item").all():
            item.get_by_label("None").check()
        p_page.locator("fieldset.ssq-item").nth(0).get_by_label("Slight").check()
        p_page.get_by_role("button", name="Send", exact=True).click()
        expect(
            p_page.get_by_role("status").filter(has_text="Simulator sickness total")
        ).to_have_text(
            "Simulator sickness total 7.48"  # general discomfort slight: (1 + 1) x 3.74
        )

        # The session is logged, on both pages and in the record.
        expect(t_page.locator("table.exposure-sessions tbody tr")).to_have_count(1)
        expect(p_page.locator("table.exposure-sessions tbody tr")).to_have_count(1)
        with api_as(base_url, therapist) as as_therapist:
            (logged,) = ok(
                as_therapist.get(f"/api/wellbeing/exposure/patients/{patient_id}/sessions")
            )["sessions"]
        assert [(s["phase"], s["value"]) for s in logged["suds"]][:2] == [
            ("before", 40),
            ("during", 70),
        ]
        assert logged["suds"][-1] == {**logged["suds"][-1], "phase": "after", "value": 20}
        kinds = [(e["kind"], e["role"]) for e in logged["events"]]
        assert kinds == [
            ("started", "patient"),
            ("intensity", "clinician"),
            ("paused", "patient"),
            ("stopped", "clinician"),
        ]
        assert logged["ssq"]["total"] == 7.48
    finally:
        theirs.close()
        mine.close()


def test_the_exposure_pages_pass_axe_in_2d(live_server: LiveServer, browser):
    base_url = live_server.base_url
    therapist = new_person("Dr. Axe Exposure", role="clinician")
    patient = new_person("Axe Exposure")
    patient_id = care_team(live_server, therapist, patient)
    with api_as(base_url, therapist) as as_therapist:
        ok(
            as_therapist.post(
                f"/api/wellbeing/exposure/patients/{patient_id}/hierarchies",
                json={"title": "Crowds", "steps": steps(), "ready": True},
            ),
            201,
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, base_url, patient)
        page.goto(f"{base_url}/wellbeing/exposure?mode=2d")
        expect(page.get_by_role("button", name="Start step 2")).to_be_visible()
        assert run_axe(page) == []
        page.get_by_role("button", name="Start step 2").click()
        expect(page.get_by_role("heading", name="Before you start")).to_be_focused()
        assert run_axe(page) == []
        page.locator(".suds-buttons").get_by_role("button", name="30", exact=True).click()
        # The 2D mode: the scene in words, the same controls, no canvas.
        expect(page.locator(".exposure-words")).to_contain_text("people per square metre")
        expect(page.locator("#exposure-stage canvas")).to_have_count(0)
        expect(page.get_by_role("button", name="Pause (P)")).to_be_visible()
        assert run_axe(page) == []
        page.get_by_role("button", name="Pause (P)").click()
        expect(page.get_by_role("button", name="Resume")).to_be_visible()
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, base_url, therapist)
        page.goto(f"{base_url}/patients/{patient_id}/exposure")
        expect(page.locator(".exposure-live-status")).to_have_attribute("data-status", "paused")
        assert run_axe(page) == []
    finally:
        context.close()
