"""Anatomy lessons in Chromium: alone at phone width (layers, labels, a quiz with feedback,
axe-clean), and as a group in the lab: the instructor opens a lesson and points out a part, and
the trainee's screen follows."""

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
def two_pages(browser) -> Iterator[tuple[Page, Page]]:
    contexts = [
        browser.new_context(viewport={"width": 360, "height": 800}, locale="en-GB",
                            bypass_csp=True)
        for _ in range(2)
    ]  # fmt: skip
    for context in contexts:
        context.set_default_timeout(20_000)
    yield contexts[0].new_page(), contexts[1].new_page()
    for context in contexts:
        context.close()


def test_lesson_alone_and_as_a_group(two_pages: tuple[Page, Page], live_server: LiveServer):
    base_url = live_server.base_url
    teacher_page, trainee_page = two_pages
    teacher = new_person("Dr Ada Tutor", role="clinician")
    add_user_via_cli(live_server, teacher)
    trainee = new_person("Sam Trainee")
    register_via_api(base_url, trainee)
    errors: list[str] = []
    for page, person in ((teacher_page, teacher), (trainee_page, trainee)):
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base_url, person)

    # Alone: the knee, a label pointed out, a layer hidden, the quiz answered.
    page = trainee_page
    page.goto(f"{base_url}/training/lessons/knee")
    expect(page.get_by_role("heading", name="The knee")).to_be_visible()
    page.get_by_label("Point out Ligaments").check()
    expect(page.get_by_test_id("lesson-label")).to_contain_text("cruciate")
    page.get_by_label("Show Menisci").uncheck()
    expect(page.get_by_label("Show Menisci")).not_to_be_checked()
    page.get_by_label("The medial collateral ligament").check()
    page.get_by_role("button", name="Check my answer").first.click()
    expect(page.get_by_test_id("lesson-feedback-0")).to_contain_text("Not quite.")
    page.get_by_label("The anterior cruciate ligament").check()
    page.get_by_role("button", name="Check my answer").first.click()
    expect(page.get_by_test_id("lesson-feedback-0")).to_contain_text("Correct.")
    expect(page.get_by_test_id("lesson-score")).to_have_text("1 of 2 right.")
    assert run_axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # As a group in the lab: the instructor steers, the trainee follows.
    with api_as(base_url, teacher) as api:
        answer = api.post("/api/spaces", json={"name": "Anatomy sim", "template": "training-lab"})
        space_id = answer.json()["id"]
    for p in two_pages:
        p.goto(f"{base_url}/training/lab/{space_id}")
        expect(p.locator(".lab-status")).to_contain_text("Waiting for the instructor")
    teacher_page.get_by_label("Model", exact=True).select_option("heart")
    teacher_page.get_by_role("button", name="Open a group lesson").click()
    expect(trainee_page.get_by_role("heading", name="The heart")).to_be_visible()
    expect(trainee_page.get_by_label("Show Great veins")).to_be_disabled()
    teacher_page.get_by_label("Point out Great arteries").check()
    expect(trainee_page.get_by_test_id("lesson-label")).to_contain_text("aortic arch")
    expect(trainee_page.get_by_label("Point out Great arteries")).to_be_checked()
    teacher_page.get_by_label("Show Epicardial fat").uncheck()
    expect(trainee_page.get_by_label("Show Epicardial fat")).not_to_be_checked()
    assert run_axe(trainee_page) == []
    teacher_page.get_by_role("button", name="Close the lesson").click()
    expect(trainee_page.get_by_role("heading", name="The heart")).to_have_count(0)
    assert errors == []
