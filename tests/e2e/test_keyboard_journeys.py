"""Issue 16 item 5: keyboard-only journeys in Chromium (WCAG 2.1.1 Keyboard, 2.4.7 Focus Visible,
2.4.11 Focus Not Obscured). Only keys are pressed — Tab, Shift+Tab, Enter, Space, arrows — and
text is typed into the focused field; nothing is clicked. After every key that moves focus, the
focused element must show a focus indicator (an outline or ring on it, its label or its parent)
and be inside the viewport and not covered by anything else (the sticky header, a toast).

Journeys, as the demo patient on the demo server: sign in; book an appointment; check in and
enter the waiting room (and its garden); answer the PHQ-9 from the wellbeing page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from careverse import demo

from .support import LiveServer, Person, run_server

pytestmark = pytest.mark.e2e

# What is focused, whether its focus is shown, and whether it can be seen where it is.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const name = (e) => e ? `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
    + `${[...e.classList].map((c) => '.' + c).join('')}` : 'none';
  // Focus in the browser's own frame (tabbing out of the page), or not yet anywhere after a
  // page change: nothing of the page to show.
  if (!el || el === document.body) return { ok: true, what: 'none' };
  // A heading or region the page moved focus to (tabindex -1) is not a control: no ring needed.
  const control = el.tabIndex >= 0;
  const ringOf = (e) => {
    if (!e) return false;
    const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  };
  const ring = ringOf(el) || [...(el.labels || [])].some(ringOf) || ringOf(el.parentElement);
  const r = el.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
    && r.right > 0 && r.left < innerWidth;
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const shown = !!hit && (hit === el || el.contains(hit) || hit.contains(el)
    || [...(el.labels || [])].some((l) => l.contains(hit)));
  return { ok: (ring || !control) && inView && shown, what: name(el), ring, inView,
    coveredBy: shown ? null : name(hit) };
}"""


class Keyboard:
    """Keys only, with the focus checked after each move; what went wrong is kept in ``wrong``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.wrong: list[str] = []

    def check_focus(self, step: str) -> None:
        state = self.page.evaluate(FOCUS_STATE)
        if not state["ok"]:
            self.wrong.append(f"{step}: {state}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.check_focus(key)

    def tab_to(self, target: Locator, *, backwards: bool = False, most: int = 80) -> None:
        """Tab (or Shift+Tab) until ``target`` has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(most):
            if target.evaluate("(e) => e === document.activeElement"):
                return
            self.press(key)
        raise AssertionError(f"{target} not reached with {key} in {most} presses")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("careverse-demo-keys")
    with run_server(data_dir, command="demo") as url:
        yield LiveServer(url, data_dir)


def demo_patient() -> Person:
    who = next(p for p in demo.PEOPLE if p.role.value == "patient")
    return Person(who.email, demo.DEMO_PASSWORD, who.name, "patient")


@pytest.fixture
def keys(browser: Browser) -> Iterator[Keyboard]:
    # A laptop-sized window: the phone's sweep is test_phone_pages.py.
    context = browser.new_context(viewport={"width": 1024, "height": 700}, locale="en-GB")
    context.set_default_timeout(20_000)
    try:
        yield Keyboard(context.new_page())
    finally:
        context.close()


def sign_in_by_keyboard(keys: Keyboard, base: str, person: Person) -> None:
    page = keys.page
    page.goto(f"{base}/signin")
    keys.tab_to(page.get_by_label("Email address"))
    keys.type(person.email)
    keys.tab_to(page.get_by_label("Password"))
    keys.type(person.password)
    keys.press("Enter")
    expect(page).to_have_url(f"{base}/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")


def test_sign_in_with_the_keyboard_only(keys: Keyboard, demo_server: LiveServer):
    page = keys.page
    sign_in_by_keyboard(keys, demo_server.base_url, demo_patient())
    # The skip link is the first stop and leads to the page's main content.
    page.goto(f"{demo_server.base_url}/home")
    keys.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    keys.press("Enter")
    assert page.evaluate("document.activeElement.closest('main') !== null || location.hash")
    assert keys.wrong == [], "\n".join(keys.wrong)


def test_book_check_in_and_wait_with_the_keyboard_only(keys: Keyboard, demo_server: LiveServer):
    base, page = demo_server.base_url, keys.page
    sign_in_by_keyboard(keys, base, demo_patient())
    page.goto(f"{base}/appointments")
    keys.tab_to(page.get_by_role("button", name=re.compile(r"^Book with ")).first)
    keys.press("Enter")

    # Today (the demo's clinicians are free within the hour): its first time.
    day = page.locator(".care-days button:not([disabled])").first
    expect(day).to_be_visible()
    keys.tab_to(day)
    keys.press("Enter")
    expect(day).to_have_attribute("aria-pressed", "true")
    slot = page.locator(".care-slots button").first
    keys.tab_to(slot)
    keys.press("Enter")
    confirm = page.locator(".care-confirm")
    expect(confirm.get_by_role("heading", name="Check and confirm your booking")).to_be_focused()
    keys.tab_to(page.get_by_label("What would you like to talk about?"))
    keys.type("Tired all week")
    keys.tab_to(page.get_by_role("button", name="Confirm booking"))
    keys.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Booked:")

    # The soonest visit opens for check-in: the device check, then the waiting room.
    keys.tab_to(page.get_by_role("button", name="Check in").first, backwards=True)
    keys.press("Enter")
    check = page.get_by_role("heading", name="Check your camera, microphone and sound")
    expect(check).to_be_visible()
    keys.tab_to(page.locator("#care-check-in"))
    keys.press("Enter")
    garden = page.get_by_role("link", name="Wait in the garden")
    expect(garden).to_be_visible()
    keys.tab_to(garden, backwards=True)
    keys.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/spaces/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    keys.tab_to(page.locator(".skip-link"), backwards=True)
    assert keys.wrong == [], "\n".join(keys.wrong)


def test_answer_the_phq9_with_the_keyboard_only(keys: Keyboard, demo_server: LiveServer):
    base, page = demo_server.base_url, keys.page
    sign_in_by_keyboard(keys, base, demo_patient())
    page.goto(f"{base}/wellbeing")
    keys.tab_to(page.get_by_role("button", name="PHQ-9", exact=True))
    keys.press("Enter")
    expect(page.get_by_role("heading", name="PHQ-9")).to_be_focused()
    items = page.locator("fieldset.questionnaire-item")
    expect(items).to_have_count(9)
    for index in range(9):
        # Tab enters each question's radio group on its first answer; Space chooses it.
        keys.tab_to(items.nth(index).get_by_label("Not at all"))
        keys.press("Space")
        expect(items.nth(index).get_by_label("Not at all")).to_be_checked()
    # Arrows move the choice within a question (the last one to "Several days" and back).
    keys.press("ArrowDown")
    expect(items.nth(8).get_by_label("Several days")).to_be_checked()
    keys.press("ArrowUp")
    expect(items.nth(8).get_by_label("Not at all")).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Send my answers"))
    keys.press("Enter")
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    expect(page.get_by_role("table")).to_be_visible()  # the results so far, this one in it
    assert keys.wrong == [], "\n".join(keys.wrong)
