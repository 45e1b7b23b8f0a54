"""The world in the browser: two people meet in a space, see and follow each other, chat; the 3D
scene draws something; the 2D mode is accessible and downloads no three.js."""

from __future__ import annotations

import itertools
import math
import re
import struct
import zlib
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from careverse.world.instance import Instance
from careverse.world.templates import TEMPLATES

from .support import (
    CSP_RECORDER,
    LiveServer,
    Person,
    add_user_via_cli,
    api_as,
    new_person,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e

# ---- helpers ---------------------------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB or RGBA PNG (what Chromium's screenshots are) with zlib alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    width = height = channels = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(height * stride)
    previous = bytearray(stride)
    pos = 0
    for row in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + previous[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        out[row * stride : (row + 1) * stride] = line
        previous = line
    return width, height, channels, bytes(out)


def luminance_spread(png: bytes) -> tuple[float, int]:
    """Standard deviation of brightness and the number of distinct colours (sampled)."""
    width, height, channels, pixels = png_pixels(png)
    values: list[float] = []
    colours: set[tuple[int, int, int]] = set()
    for y in range(0, height, 3):
        for x in range(0, width, 3):
            o = (y * width + x) * channels
            r, g, b = pixels[o], pixels[o + 1], pixels[o + 2]
            values.append(0.2126 * r + 0.7152 * g + 0.0722 * b)
            colours.add((r >> 3, g >> 3, b >> 3))
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return spread, len(colours)


def enter(page: Page, base_url: str, space_id: str, query: str = "") -> str:
    """Open the space and wait for the welcome; answer one's own avatar id."""
    page.goto(f"{base_url}/spaces/{space_id}{query}")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    page.wait_for_function("() => !!window.careverseWorld && !!window.careverseWorld.you")
    return page.evaluate("window.careverseWorld.you")


def position_of(page: Page, avatar_id: str) -> list[float] | None:
    return page.evaluate(
        "(id) => window.careverseWorld.avatars().find((a) => a.id === id)?.p ?? null", avatar_id
    )


def announced(page: Page, text: str) -> None:
    """The space's live region (for screen readers) has said ``text``."""
    expect(page.locator("cv-space > .visually-hidden[role=status]")).to_contain_text(text)


def new_page(context: BrowserContext, errors: list[str]) -> Page:
    page = context.new_page()
    page.add_init_script(CSP_RECORDER)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clinician(live_server: LiveServer) -> Person:
    person = new_person("Dr Lin Okafor", role="clinician")
    add_user_via_cli(live_server, person)
    return person


@pytest.fixture(scope="module")
def patient(live_server: LiveServer) -> Person:
    person = new_person("Sam Patel")
    register_via_api(live_server.base_url, person)
    return person


@pytest.fixture(scope="module")
def space_id(live_server: LiveServer, clinician: Person) -> str:
    with api_as(live_server.base_url, clinician) as api:
        answer = api.post("/api/spaces", json={"name": "Garden meet", "template": "therapy-garden"})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]


def spawn_point(template: str, account_id: str) -> tuple[float, float]:
    """Where the server places someone arriving in a fresh space (world/instance.py)."""
    return Instance.spawn_point(SimpleNamespace(template=TEMPLATES[template]), account_id)  # type: ignore[arg-type]


@pytest.fixture
def apart(live_server: LiveServer, clinician: Person) -> tuple[Person, str]:
    """A patient who arrives at least 6 m from the clinician in a new garden, so there is always
    a walk to watch (arrival points follow from account ids: we register until one is far)."""
    with api_as(live_server.base_url, clinician) as api:
        answer = api.post("/api/spaces", json={"name": "Walk garden", "template": "therapy-garden"})
        assert answer.status_code == 201, answer.text
        garden = answer.json()["id"]
        here = spawn_point("therapy-garden", api.get("/api/me").json()["id"])
    for _ in range(20):  # each try is far with odds of about 3 in 4
        person = new_person("Noor Haddad")
        register_via_api(live_server.base_url, person)
        with api_as(live_server.base_url, person) as api:
            there = spawn_point("therapy-garden", api.get("/api/me").json()["id"])
        if math.dist(here, there) >= 6:
            return person, garden
    raise AssertionError("no patient arrived far enough from the clinician in 20 tries")


@pytest.fixture
def two_contexts(browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", "bypass_csp": True}
    first = browser.new_context(**options)
    second = browser.new_context(**options)
    for context in (first, second):
        context.set_default_timeout(20_000)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


# ---- tests -----------------------------------------------------------------------------------


def test_create_a_space_from_the_list(page: Page, base_url: str, clinician: Person):
    sign_in(page, base_url, clinician)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Spaces").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spaces")
    page.get_by_label("Name").fill("Tuesday support circle")
    page.get_by_label("Kind of space").select_option("support-circle")
    page.get_by_role("button", name="Create space").click()
    expect(page).to_have_url(re.compile(r"/spaces/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday support circle")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    page.get_by_role("link", name="Leave space").click()
    listed = page.locator(".space-card", has_text="Tuesday support circle")
    expect(listed).to_contain_text("Support circle")


def test_two_people_meet_move_and_chat_in_3d(
    two_contexts, base_url: str, clinician: Person, patient: Person, space_id: str
):
    errors: list[str] = []
    ctx_a, ctx_b = two_contexts
    a, b = new_page(ctx_a, errors), new_page(ctx_b, errors)
    sign_in(a, base_url, clinician)
    sign_in(b, base_url, patient)

    a.get_by_role("navigation", name="Main").get_by_role("link", name="Spaces").click()
    a.get_by_role("link", name="Garden meet").click()
    expect(a.get_by_text("Connected", exact=True)).to_be_visible()
    a.wait_for_function("() => window.careverseWorld?.you")
    id_a = a.evaluate("window.careverseWorld.you")
    assert a.evaluate("window.careverseWorld.mode") == "3d"
    id_b = enter(b, base_url, space_id)

    # Each sees the other: in the people list and among the avatars.
    expect(a.locator(".person__name", has_text=patient.display_name)).to_be_visible()
    expect(b.locator(".person__name", has_text=clinician.display_name)).to_be_visible()
    a.wait_for_function(
        "(id) => window.careverseWorld.avatars().some((x) => x.id === id)", arg=id_b
    )
    b.wait_for_function(
        "(id) => window.careverseWorld.avatars().some((x) => x.id === id)", arg=id_a
    )

    # B walks forward with the keyboard; A sees B's position change.
    before = position_of(a, id_b)
    assert before is not None
    b.locator(".world-viewport").focus()
    b.keyboard.down("w")
    b.wait_for_timeout(1200)
    b.keyboard.up("w")
    a.wait_for_function(
        """([id, x, z]) => {
          const p = window.careverseWorld.avatars().find((v) => v.id === id)?.p;
          return p && Math.hypot(p[0] - x, p[2] - z) > 1.5;
        }""",
        arg=[id_b, before[0], before[2]],
    )
    mine = b.evaluate(
        "window.careverseWorld.avatars().find((v) => v.id === window.careverseWorld.you).p"
    )
    seen = position_of(a, id_b)
    assert seen is not None
    a.wait_for_function(
        """([id, x, z]) => {
          const p = window.careverseWorld.avatars().find((v) => v.id === id)?.p;
          return p && Math.hypot(p[0] - x, p[2] - z) < 0.2;
        }""",
        arg=[id_b, mine[0], mine[2]],
    )

    # A chat message crosses.
    a.get_by_label("Message").fill("Welcome to the garden, Sam.")
    a.get_by_role("button", name="Send", exact=True).click()
    expect(b.locator(".chat-log")).to_contain_text("Welcome to the garden, Sam.")
    expect(b.locator(".chat-log")).to_contain_text(clinician.display_name)

    # The 3D canvas draws a scene, not a blank.
    canvas = a.locator(".world-viewport canvas")
    expect(canvas).to_be_visible()
    a.wait_for_timeout(500)
    spread, colours = luminance_spread(canvas.screenshot())
    assert spread > 8 and colours > 40, (spread, colours)

    # Switching to the 2D view drops the canvas and keeps the connection.
    a.get_by_role("button", name="Use the 2D view").click()
    expect(a.get_by_role("heading", name="Where you are")).to_be_visible()
    expect(a.locator("canvas")).to_have_count(0)
    assert a.evaluate("window.careverseWorld.mode") == "2d"
    expect(a.get_by_text("Connected", exact=True)).to_be_visible()

    assert errors == []
    for page in (a, b):
        assert page.evaluate("window.__cspViolations") == []


def test_2d_mode_is_accessible_and_loads_no_three_js(
    two_contexts, base_url: str, clinician: Person, apart: tuple[Person, str]
):
    patient, space_id = apart  # they arrive at least 6 m apart: B always has a walk to A
    errors: list[str] = []
    ctx_a, ctx_b = two_contexts
    a, b = new_page(ctx_a, errors), new_page(ctx_b, errors)
    sign_in(a, base_url, clinician)
    sign_in(b, base_url, patient)
    # The list of spaces, with the form to create one, is accessible too.
    a.goto(f"{base_url}/spaces")
    expect(a.get_by_role("link", name="Walk garden")).to_be_visible()
    assert run_axe(a) == []
    id_a = enter(a, base_url, space_id, "?mode=2d")

    scripts: list[str] = []
    b.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    id_b = enter(b, base_url, space_id, "?mode=2d")
    assert b.evaluate("window.careverseWorld.mode") == "2d"
    assert not [url for url in scripts if re.search(r"scene3d|three|GLTF", url)], scripts
    assert b.locator("canvas").count() == 0

    expect(b.locator(".person__name", has_text=clinician.display_name)).to_be_visible()
    expect(b.get_by_role("heading", name="Where you are")).to_be_visible()

    # Keyboard only: go near the other person; both the announcement and A's view follow.
    before = math.dist(position_of(b, id_a) or [0, 0, 0], position_of(b, id_b) or [0, 0, 0])
    assert before >= 6, before  # as arranged by the fixture: never skipped
    go = b.get_by_role("button", name=f"Go near {clinician.display_name}")
    go.focus()
    b.keyboard.press("Enter")
    # Meanwhile A draws B smoothly: in between the positions the 10 Hz deltas carry, and
    # always forward (A is in 2D here, so its page is idle enough to sample on a timer).
    samples = a.evaluate(
        """(id) => new Promise((done) => {
          const drawn = [], raw = [];
          const end = performance.now() + 1000;
          const tick = () => {
            const d = window.careverseWorld.drawn(id);
            const r = window.careverseWorld.avatars().find((v) => v.id === id)?.p;
            if (d) drawn.push(d);
            if (r) raw.push(r);
            if (performance.now() < end) setTimeout(tick, 15); else done({ drawn, raw });
          };
          tick();
        })""",
        id_b,
    )
    drawn, raw = samples["drawn"], samples["raw"]
    between = [p for p in drawn if min(math.dist(p, r) for r in raw) > 0.02]
    assert len(between) >= 3, samples
    start = drawn[0]
    for p, q in itertools.pairwise(drawn):
        assert math.dist(start, q) >= math.dist(start, p) - 0.05, samples
    announced(b, f"You are near {clinician.display_name}")
    expect(b.locator("cv-world-2d")).to_contain_text(f"Near you: {clinician.display_name}")
    a_pos = position_of(b, id_a)
    assert a_pos is not None
    a.wait_for_function(
        """([x, z]) => window.careverseWorld.avatars().some(
          (v) => v.id !== window.careverseWorld.you && Math.hypot(v.p[0] - x, v.p[2] - z) < 2.5)""",
        arg=[a_pos[0], a_pos[2]],
    )

    # The facilitator places a poster; it survives in the list with its full text.
    a.get_by_text("Place something here").click()
    a.get_by_label("Title").fill("Breathing exercise")
    a.get_by_label("Text").fill("Breathe in for four, hold for four, out for six.")
    a.get_by_role("button", name="Place it").click()
    poster = b.locator(".world-object", has_text="Breathing exercise")
    expect(poster).to_contain_text("Breathe in for four, hold for four, out for six.")
    announced(b, "New Poster: Breathing exercise")
    b.get_by_role("button", name="Go near Breathing exercise").click()
    announced(b, "You are near Breathing exercise")

    # Chat from the keyboard, announced in the log.
    b.get_by_label("Message").fill("Hello from the list view")
    b.keyboard.press("Enter")
    expect(a.locator(".chat-log")).to_contain_text("Hello from the list view")

    # A dropped connection comes back by itself, in the same place; the other sees it return.
    b.evaluate("window.careverseWorld.connection.socket.close(4999, 'test drop')")
    expect(b.get_by_text("Connected", exact=True)).to_be_visible()
    announced(b, "Connected again.")
    expect(b.locator(".person__name", has_text=clinician.display_name)).to_be_visible()
    expect(a.locator(".person__name", has_text=patient.display_name)).to_be_visible()

    for page in (a, b):
        violations = run_axe(page)
        assert violations == [], violations
    assert not [url for url in scripts if re.search(r"scene3d|three|GLTF", url)], scripts
    assert errors == []
