"""Issue 12 item 9, the phone: every page the demo's people can open is fine on a 360x740 phone.

The pages come from the client's own route table and role areas (``client_routes.mjs`` reads
``client/src/router.ts`` and ``roles.ts`` at run time), so a page added later is checked without
touching this file; routes with a parameter (``/spaces/:id``, ...) are opened through the first
link to them found on the other pages. Each page: no horizontal scrolling, no JavaScript error,
no 5xx answer, axe-clean, a visible ``h1``. Also: the demo has something to show (a space of each
kind); in a space the 3D view and its joystick are inside the first screen, the header folds away
(and stays folded), the page scrolls by swiping outside the 3D view, and the 2D wording is right.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize, expect

from careverse import demo

from .support import (
    CSP_RECORDER,
    REPO,
    LiveServer,
    Person,
    api_as,
    run_axe,
    run_server,
    sign_in,
)

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 360, "height": 740}
# One account per role, the first the demo has of each.
DEMO_PEOPLE: dict[str, demo.DemoPerson] = {}
for _person in demo.PEOPLE:
    DEMO_PEOPLE.setdefault(_person.role.value, _person)
ROLES = sorted(DEMO_PEOPLE)
# The widest element's description, when a page is wider than the phone.
# (Right to left, a page overflows on the left: both edges count.)
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
    || e.getBoundingClientRect().left < -0.5)
  .slice(-3)
  .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`
    + ` ${Math.round(e.getBoundingClientRect().right)}`)"""


def person_of(role: str) -> Person:
    who = DEMO_PEOPLE[role]
    return Person(who.email, demo.DEMO_PASSWORD, who.name, role)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``careverse demo``: the server with the demo's people and content."""
    data_dir = tmp_path_factory.mktemp("careverse-demo")
    with run_server(data_dir, command="demo") as url:
        yield LiveServer(url, data_dir)


@pytest.fixture(scope="module")
def client_routes(browser: Browser) -> dict:
    """What each role (and a visitor) can open, from the client's route table: the table is
    bundled from the sources and asked in a blank page of the browser."""
    done = subprocess.run(
        ["node", str(REPO / "tests" / "e2e" / "client_routes.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><title>routes</title>")
        page.add_script_tag(content=done.stdout)
        return page.evaluate("(roles) => careverseRouteInventory(roles)", ROLES)
    finally:
        context.close()


@dataclass
class Watched:
    """What went wrong on a page while it was watched."""

    errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.errors.clear()
        self.server_errors.clear()


def phone_page(browser: Browser, **options) -> tuple[BrowserContext, Page, Watched]:
    # CSP bypassed only so that axe can be injected.
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", bypass_csp=True, **options
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.add_init_script(CSP_RECORDER)
    watched = Watched()
    page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            watched.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda answer: (
            watched.server_errors.append(f"{answer.status} {answer.url}")
            if answer.status >= 500
            else None
        ),
    )
    return context, page, watched


def settle(page: Page) -> None:
    """Wait until the page has loaded what it shows (no "Loading…" left in it)."""
    expect(page.locator("main")).to_have_attribute("aria-busy", "false")
    page.wait_for_load_state("networkidle")
    with contextlib.suppress(AssertionError):
        # Some parts load on demand or keep polling: the page is checked as it stands by then.
        expect(page.locator("main .loading")).to_have_count(0, timeout=5_000)


def check_page(page: Page, watched: Watched, path: str, direction: str = "ltr") -> list[str]:
    """Everything wrong with the page shown at ``path`` (empty when it is fine)."""
    settle(page)
    wrong: list[str] = []
    if page.evaluate("document.documentElement.dir") != direction:
        wrong.append(f"{path}: not {direction}")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        wrong.append(f"{path}: {width}px wide ({page.evaluate(WIDEST)})")
    if not page.locator("h1").first.is_visible():
        wrong.append(f"{path}: no visible h1")
    wrong += [f"{path}: {error}" for error in watched.errors]
    wrong += [f"{path}: {answer}" for answer in watched.server_errors]
    wrong += [f"{path}: CSP {v}" for v in page.evaluate("window.__cspViolations")]
    wrong += [f"{path}: axe {v['id']} {v['targets']}" for v in run_axe(page)]
    watched.clear()
    return wrong


def visit_all(
    page: Page, watched: Watched, base_url: str, pages: list[str], patterns, direction: str = "ltr"
) -> list[str]:
    """Open each page, then one page of each route with a parameter, through a link to it."""
    wrong: list[str] = []
    found: dict[str, str] = {}
    for path in pages:
        page.goto(f"{base_url}{path}")
        wrong += check_page(page, watched, path, direction)
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map((a) => a.pathname)")
        for pattern in patterns:
            if pattern["name"] not in found:
                match = next((h for h in hrefs if re.match(pattern["regex"], h)), None)
                if match:
                    found[pattern["name"]] = match
    for path in found.values():
        page.goto(f"{base_url}{path}")
        wrong += check_page(page, watched, path, direction)
    return wrong


# ---- every page --------------------------------------------------------------------------------


def test_a_visitor_s_pages_fit_a_phone(browser: Browser, demo_server: LiveServer, client_routes):
    context, page, watched = phone_page(browser)
    try:
        pages = client_routes["visitor"]["pages"] + ["/no-such-page"]
        assert "/signin" in pages
        wrong = visit_all(page, watched, demo_server.base_url, pages, [])
    finally:
        context.close()
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role_fits_a_phone(
    browser: Browser, demo_server: LiveServer, client_routes, role: str
):
    routes = client_routes["roles"][role]
    visitor = set(client_routes["visitor"]["pages"])
    # Pages anyone may open are checked once, for the visitor; the home and every area here.
    pages = [path for path in routes["pages"] if path not in visitor]
    assert "/home" in pages and "/spaces" in pages
    context, page, watched = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of(role))
        watched.clear()
        wrong = visit_all(page, watched, demo_server.base_url, pages, routes["patterns"])
    finally:
        context.close()
    assert wrong == [], "\n".join(wrong)


def in_arabic(page: Page) -> None:
    """Arabic from the page footer's switch (signed in, this also sets the account's language)."""
    page.locator("#language-picker").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


# Issue 16 item 5: the same sweep in Arabic, right to left (after the English one: it turns
# each demo account Arabic, and back to English when done).


def test_a_visitor_s_pages_in_arabic_fit_a_phone(
    browser: Browser, demo_server: LiveServer, client_routes
):
    context, page, watched = phone_page(browser)
    try:
        page.goto(f"{demo_server.base_url}/signin")
        in_arabic(page)
        pages = client_routes["visitor"]["pages"] + ["/no-such-page"]
        wrong = visit_all(page, watched, demo_server.base_url, pages, [], "rtl")
    finally:
        context.close()
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role_in_arabic_fits_a_phone(
    browser: Browser, demo_server: LiveServer, client_routes, role: str
):
    routes = client_routes["roles"][role]
    visitor = set(client_routes["visitor"]["pages"])
    pages = [path for path in routes["pages"] if path not in visitor]
    context, page, watched = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of(role))
        in_arabic(page)
        watched.clear()
        wrong = visit_all(page, watched, demo_server.base_url, pages, routes["patterns"], "rtl")
    finally:
        context.close()
        with api_as(demo_server.base_url, person_of(role)) as api:
            api.patch("/api/me", json={"preferred_language": "en"}).raise_for_status()
    assert wrong == [], "\n".join(wrong)


def test_the_demo_has_a_space_of_each_kind_for_everyone(browser: Browser, demo_server: LiveServer):
    """Item 10's demo check: a new patient is not met by an empty world."""
    context, page, _ = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of("patient"))
        page.goto(f"{demo_server.base_url}/spaces")
        cards = page.locator(".space-card")
        for _, name, _ in demo.DEMO_SPACES:
            expect(cards.filter(has_text=name)).to_have_count(1)
    finally:
        context.close()


# ---- in a space ----------------------------------------------------------------------------------


def enter_space(page: Page, base_url: str, name: str, query: str = "") -> None:
    page.goto(f"{base_url}/spaces")
    href = page.get_by_role("link", name=name).get_attribute("href")
    page.goto(f"{base_url}{href}{query}")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()


def inside_the_screen(box) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= PHONE["width"]
        and box["y"] + box["height"] <= PHONE["height"]
    )


def test_the_3d_view_and_its_joystick_are_on_the_first_screen(
    browser: Browser, demo_server: LiveServer
):
    context, page, watched = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of("patient"))
        enter_space(page, demo_server.base_url, "Clinic lobby")
        canvas = page.locator(".world-viewport canvas")
        expect(canvas).to_be_visible()
        joystick = page.locator(".world-joystick")
        expect(joystick).to_be_visible()
        assert page.evaluate("window.scrollY") == 0

        # With the header shown (the first visit's default), on the first screen already.
        header = page.locator("#site-header")
        expect(header).to_be_visible()
        box = canvas.bounding_box()
        assert box is not None and box["y"] < PHONE["height"], box
        assert inside_the_screen(joystick.bounding_box()), joystick.bounding_box()
        top_with_header = box["y"]

        # Folded away, the world moves up; the choice holds on the next visit.
        fold = page.get_by_role("button", name="Top bar")
        expect(fold).to_have_attribute("aria-expanded", "true")
        expect(fold).to_have_attribute("aria-controls", "site-header")
        fold.click()
        expect(fold).to_have_attribute("aria-expanded", "false")
        expect(header).to_be_hidden()
        folded_box = canvas.bounding_box()
        assert folded_box is not None and folded_box["y"] < top_with_header - 40, folded_box
        page.reload()
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Top bar")).to_have_attribute(
            "aria-expanded", "false"
        )
        expect(header).to_be_hidden()
        expect(canvas).to_be_visible()
        assert inside_the_screen(joystick.bounding_box()), joystick.bounding_box()
        # Brought back with the keyboard.
        page.get_by_role("button", name="Top bar").focus()
        page.keyboard.press("Enter")
        expect(header).to_be_visible()
        expect(page.get_by_role("button", name="Top bar")).to_have_attribute(
            "aria-expanded", "true"
        )
        assert watched.errors == [] and watched.server_errors == []
    finally:
        context.close()


def test_swiping_outside_the_3d_view_scrolls_the_page_and_inside_it_does_not(
    browser: Browser, demo_server: LiveServer
):
    context, page, _ = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of("clinician"))
        enter_space(page, demo_server.base_url, "Training lab")
        viewport = page.locator(".world-viewport")
        expect(viewport.locator("canvas")).to_be_visible()
        assert viewport.evaluate("(e) => getComputedStyle(e).touchAction") == "none"
        assert page.evaluate("getComputedStyle(document.body).touchAction") == "auto"
        cdp = context.new_cdp_session(page)

        def swipe_up_at(y: float) -> None:
            """A finger put down at ``y``, moved 200 px up, lifted (real touch events)."""
            touch = "Input.dispatchTouchEvent"
            cdp.send(touch, {"type": "touchStart", "touchPoints": [{"x": 180, "y": y}]})
            for step in range(1, 11):
                point = {"x": 180, "y": y - 20 * step}
                cdp.send(touch, {"type": "touchMove", "touchPoints": [point]})
            cdp.send(touch, {"type": "touchEnd", "touchPoints": []})

        box = viewport.bounding_box()
        assert box is not None
        swipe_up_at(box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") == 0, "a swipe on the 3D view scrolled the page"
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert heading is not None
        swipe_up_at(heading["y"] + heading["height"] / 2)
        page.wait_for_function("() => window.scrollY > 100")
        # Below the view (its hint, the panels), too.
        top = page.evaluate("window.scrollY")
        below = page.locator("#world-keys").bounding_box()
        assert below is not None and below["y"] + 200 < PHONE["height"], below
        swipe_up_at(below["y"] + 200)
        page.wait_for_function("(top) => window.scrollY > top + 100", arg=top)
    finally:
        context.close()


def test_the_phone_header_is_one_row_with_a_menu_the_keyboard_opens(
    browser: Browser, demo_server: LiveServer
):
    context, page, _ = phone_page(browser)
    try:
        sign_in(page, demo_server.base_url, person_of("caregiver"))
        header = page.locator("#site-header").bounding_box()
        assert header is not None and header["height"] <= 72, header
        menu = page.get_by_role("button", name="Menu")
        nav = page.get_by_role("navigation", name="Main")
        account = page.get_by_role("navigation", name="Account")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(nav).to_be_hidden()
        expect(account).to_be_hidden()
        menu.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(nav.get_by_role("link", name="People I support")).to_be_visible()
        expect(account.get_by_role("button", name="Sign out")).to_be_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_focused()
        expect(nav).to_be_hidden()
    finally:
        context.close()


def test_the_2d_view_words_who_is_near_and_counts_people_right(
    browser: Browser, demo_server: LiveServer
):
    first, a, _ = phone_page(browser)
    second, b, _ = phone_page(browser)
    try:
        sign_in(a, demo_server.base_url, person_of("patient"))
        enter_space(a, demo_server.base_url, "Patients' gallery", "?mode=2d")
        where = a.locator(".world-2d")
        expect(where).to_contain_text("No one else is here yet.")
        expect(a.get_by_role("heading", name="People around you (0)")).to_be_visible()

        sign_in(b, demo_server.base_url, person_of("moderator"))
        b.goto(f"{demo_server.base_url}/spaces")
        card = b.locator(".space-card", has_text="Patients' gallery")
        expect(card).to_contain_text(re.compile(r"\b1 person inside"))
        enter_space(b, demo_server.base_url, "Patients' gallery", "?mode=2d")

        expect(a.get_by_role("heading", name="People around you (1)")).to_be_visible()
        expect(a.locator(".person__name", has_text=DEMO_PEOPLE["moderator"].name)).to_be_visible()
        for page in (a, b):
            text = page.locator(".world-2d").inner_text()
            assert "No one is near you" not in text and "No one else is here" not in text, text
        listing = second.new_page()
        listing.goto(f"{demo_server.base_url}/spaces")
        card = listing.locator(".space-card", has_text="Patients' gallery")
        expect(card).to_contain_text(re.compile(r"\b2 people inside"))
    finally:
        first.close()
        second.close()


def test_a_visit_s_waiting_garden_and_consult_room_fit_a_phone(
    browser: Browser, demo_server: LiveServer
):
    """The consult-style pages, reached as a visit reaches them: booked, checked in, admitted."""
    base = demo_server.base_url
    patient, clinician = person_of("patient"), person_of("clinician")
    with api_as(base, clinician) as api:
        clinician_id = api.get("/api/me").json()["id"]
    with api_as(base, patient) as api:
        slots = api.get(
            f"/api/care/clinicians/{clinician_id}/slots", params={"visit_type": "follow-up"}
        ).json()["slots"]
        # Item 10: the demo's clinicians can be booked whenever the demo is started.
        assert slots, "the demo's clinician has no free slot"
        soonest = datetime.fromisoformat(slots[0]["start"])
        assert soonest < datetime.now(UTC) + timedelta(hours=1), soonest
        made = api.post(
            "/api/care/appointments",
            json={"clinician_id": clinician_id, "start": slots[0]["start"], "reason": "Dizzy"},
        )
        assert made.status_code == 201, made.text
        checks = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}
        waiting = api.post(
            f"/api/care/appointments/{made.json()['id']}/check-in", json={"device_check": checks}
        )
        assert waiting.status_code == 200, waiting.text
    garden = waiting.json()["waiting_space_id"]

    wrong: list[str] = []
    context, page, watched = phone_page(browser)
    try:
        sign_in(page, base, patient)
        watched.clear()
        wrong += visit_all(page, watched, base, ["/appointments", f"/spaces/{garden}"], [])
        with api_as(base, clinician) as api:
            admitted = api.post(f"/api/care/appointments/{made.json()['id']}/admit")
            assert admitted.status_code == 200, admitted.text
        room = f"/spaces/{admitted.json()['space_id']}"
        wrong += visit_all(page, watched, base, [room], [])
    finally:
        context.close()
    context, page, watched = phone_page(browser)
    try:
        sign_in(page, base, clinician)
        watched.clear()
        wrong += visit_all(page, watched, base, ["/consultations", room], [])
    finally:
        context.close()
    assert wrong == [], "\n".join(wrong)


def test_a_facilitator_confirms_a_removal_in_the_page_not_in_a_browser_dialog(
    browser: Browser, demo_server: LiveServer
):
    first, host, _ = phone_page(browser)
    second, guest, _ = phone_page(browser)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    host.on("dialog", refuse)
    try:
        sign_in(host, demo_server.base_url, person_of("moderator"))  # runs the support circle
        enter_space(host, demo_server.base_url, "Tuesday support circle", "?mode=2d")
        sign_in(guest, demo_server.base_url, person_of("caregiver"))
        enter_space(guest, demo_server.base_url, "Tuesday support circle", "?mode=2d")
        name = DEMO_PEOPLE["caregiver"].name

        remove = host.get_by_role("button", name=f"Remove {name}")
        remove.click()
        question = host.get_by_role("group", name=f"Remove {name} from this space?")
        expect(question).to_be_visible()
        expect(question.get_by_role("button", name="Remove")).to_be_focused()
        question.get_by_role("button", name="Cancel").click()
        expect(question).to_be_hidden()
        expect(host.get_by_role("heading", name=re.compile("^People around you"))).to_be_focused()
        expect(guest.get_by_text("Connected", exact=True)).to_be_visible()

        remove.click()
        question.get_by_role("button", name="Remove").click()
        removed = guest.get_by_text("A facilitator removed you from this space.")
        expect(removed.first).to_be_visible()
        expect(host.locator(".person__name", has_text=name)).to_have_count(0)
        assert dialogs == []
    finally:
        first.close()
        second.close()
