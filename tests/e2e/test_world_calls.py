"""A voice and video call between two people in one space, in Debian Chromium with fake media.

Two browser contexts (two people) enter the same space, both press "Join call", and the
peer-to-peer connection must come up on both sides with the other's video playing; muting
disables the audio track being sent, and leaving hangs up on the other side.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .support import (
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    Person,
    add_user_via_cli,
    new_person,
    register_via_api,
    sign_in,
)

pytestmark = pytest.mark.e2e

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

CONNECTED = """() => {
  const calls = window.careverseWorld && window.careverseWorld.calls;
  const peers = calls ? calls.peers() : [];
  return peers.length === 1 && peers[0].state === 'connected';
}"""

VIDEO_TIME = """() => {
  const video = document.querySelector('video[data-peer]');
  return video ? [video.videoWidth, video.currentTime] : [0, 0];
}"""

ROUTE = """() => {
  const world = window.careverseWorld;
  const peer = world.calls.peers()[0];
  const where = Object.fromEntries(world.avatars().map((a) => [a.id, a.p]));
  const [me, them] = [where[world.you], where[peer.id]];
  const distance = Math.hypot(them[0] - me[0], them[2] - me[2]);
  return { ...world.calls.audioRoute(peer.id), distance };
}"""

AUDIO_SENDER_ENABLED = """() => {
  const calls = window.careverseWorld.calls;
  const pc = calls.connection(calls.peers()[0].id);
  const sender = pc.getSenders().find((s) => s.track && s.track.kind === 'audio');
  return sender.track.enabled;
}"""


@pytest.fixture(scope="module")
def media_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with a fake camera and microphone, and no permission prompt."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA
    )
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def call_space(live_server: LiveServer) -> tuple[str, Person, Person]:
    """A consult room made by a clinician, and a patient who may enter it (open to members)."""
    clinician = new_person("Dr. Rivera", role="clinician")
    add_user_via_cli(live_server, clinician)
    patient = new_person("Amara Okafor")
    register_via_api(live_server.base_url, patient)
    token = httpx.post(
        f"{live_server.base_url}/api/auth/token",
        data={"username": clinician.email, "password": clinician.password},
        timeout=10,
    ).json()["access_token"]
    answer = httpx.post(
        f"{live_server.base_url}/api/spaces",
        json={"name": "Call test room", "template": "consult-room", "access": "members"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], clinician, patient


def enter(
    context: BrowserContext, base_url: str, person: Person, space_id: str, errors: list[str]
) -> Page:
    """Sign in and enter the space in 2D mode (no 3D download needed for a call)."""
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{person.display_name}: {error}"))
    sign_in(page, base_url, person)
    page.goto(f"{base_url}/spaces/{space_id}?mode=2d")
    page.wait_for_function("() => window.careverseWorld && window.careverseWorld.calls")
    return page


def panel_violations(page: Page) -> list[dict]:
    """Serious and critical axe-core violations inside the call panel."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(
        """async () => {
          const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
          const r = await axe.run('cv-call-panel', { runOnly: { type: 'tag', values: tags } });
          return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def media_context(browser: Browser, base_url: str) -> BrowserContext:
    """A person's browser with camera and microphone allowed (CSP bypassed to inject axe)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    context.grant_permissions(["camera", "microphone"], origin=base_url)
    context.set_default_timeout(20_000)
    return context


def test_two_people_call_each_other_mute_and_hang_up(
    media_browser: Browser, base_url: str, call_space: tuple[str, Person, Person]
) -> None:
    space_id, clinician, patient = call_space
    first_context = media_context(media_browser, base_url)
    second_context = media_context(media_browser, base_url)
    errors: list[str] = []
    try:
        first = enter(first_context, base_url, clinician, space_id, errors)
        second = enter(second_context, base_url, patient, space_id, errors)
        for page in (first, second):
            page.get_by_role("button", name="Join call").click()
        for page in (first, second):
            page.wait_for_function(CONNECTED, timeout=30_000)

        # Each side plays the other's (fake) camera: frames have a size and time moves on.
        for page in (first, second):
            page.wait_for_function(f"() => ({VIDEO_TIME})()[0] > 0", timeout=15_000)
            _, before = page.evaluate(VIDEO_TIME)
            page.wait_for_function(f"() => ({VIDEO_TIME})()[1] > {before}", timeout=10_000)
        assert panel_violations(second) == []

        # A consult room starts in meeting mode (everyone straight ahead, same volume); with
        # spatial audio on, the voice sits where the other avatar stands, relative to the listener.
        route = second.evaluate(ROUTE)
        assert route["routing"] == "direct"
        meeting = second.get_by_role("switch", name="Meeting mode")
        expect(meeting).to_be_checked()
        meeting.uncheck()
        route = second.evaluate(ROUTE)
        assert route["routing"] == "hrtf"
        assert abs(math.hypot(route["dx"], route["dz"]) - route["distance"]) < 0.3

        # Per-person volume, by keyboard: ten steps of 5 % down from full.
        volume = second.get_by_label(f"Volume for {clinician.display_name}")
        expect(volume).to_have_value("100")
        volume.focus()
        for _ in range(10):
            volume.press("ArrowLeft")
        expect(volume).to_have_value("50")
        assert second.evaluate(ROUTE)["volume"] == 0.5

        # Mute stops the microphone's track on the connection; unmute restarts it.
        assert first.evaluate(AUDIO_SENDER_ENABLED) is True
        first.get_by_role("button", name="Mute", exact=True).click()
        assert first.evaluate(AUDIO_SENDER_ENABLED) is False
        first.get_by_role("button", name="Unmute").click()
        assert first.evaluate(AUDIO_SENDER_ENABLED) is True

        # Leaving hangs up on the other side too.
        first.get_by_role("button", name="Leave call").click()
        expect(first.get_by_role("button", name="Join call")).to_be_visible()
        second.wait_for_function(
            "() => window.careverseWorld.calls.peers().length === 0", timeout=10_000
        )
        expect(second.locator("video[data-peer]")).to_have_count(0)
        assert errors == []
    finally:
        first_context.close()
        second_context.close()


NEAREST_SIX = """async () => {
  // A second CallManager on its own signalling stub: eight people in the call around us.
  const CallManager = window.careverseWorld.calls.constructor;
  const sent = [];
  const limits = [];
  const calls = new CallManager({ selfId: 'm-self', send: (to, kind) => sent.push([to, kind]) });
  calls.addEventListener('limit', (event) => limits.push(event.detail));
  await calls.join({ audio: false, video: false });
  // A facilitator's mute holds against the person's own Unmute until they lift it.
  calls.setModerated('m-self', true);
  calls.setMuted(false);
  const heldMute = calls.muted && calls.moderatorMuted;
  calls.setModerated('m-self', false);
  calls.setMuted(false);
  const released = !calls.muted;
  const ids = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `p-${n}`);
  calls.handleSignal('m-self', 'calls', JSON.stringify(['m-self', ...ids]));
  const around = (far) =>
    ids.map((id, i) => ({ id, name: `P${i}`, x: id === far ? 40 : i + 1, y: 0, z: 0 }));
  calls.update({ x: 0, y: 0, z: 0, yaw: 0 }, around(null));
  const panel = document.createElement('cv-call-panel');
  panel.calls = calls;
  document.body.append(panel);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
  await settle(); // offers are made asynchronously
  await panel.updateComplete;
  const first = calls.peers().map((p) => p.id).sort();
  const note = panel.querySelector('.call__note')?.textContent.trim();
  // The nearest walks away: hung up on, and the seventh gets a place.
  calls.update({ x: 0, y: 0, z: 0, yaw: 0 }, around('p-1'));
  const second = calls.peers().map((p) => p.id).sort();
  await settle();
  calls.leave();
  panel.remove();
  return { first, second, note, limits, sent, heldMute, released };
}"""


def test_a_call_connects_to_the_six_nearest_and_says_so(
    media_browser: Browser, base_url: str, call_space: tuple[str, Person, Person]
) -> None:
    space_id, _, patient = call_space
    context = media_context(media_browser, base_url)
    errors: list[str] = []
    try:
        page = enter(context, base_url, patient, space_id, errors)
        result = page.evaluate(NEAREST_SIX)
        assert result["first"] == [f"p-{n}" for n in range(1, 7)]
        assert result["second"] == [f"p-{n}" for n in range(2, 8)]
        assert result["note"] == "Audio from the 6 nearest people; move closer to talk to others."
        assert result["limits"][0] == {"connected": 6, "waiting": 2}
        offers = [to for to, kind in result["sent"] if kind == "offer"]
        assert offers == [f"p-{n}" for n in range(1, 8)]
        assert ["p-1", "bye"] in result["sent"]
        assert ["*", "call"] in result["sent"]
        assert result["heldMute"] and result["released"]
        assert errors == []
    finally:
        context.close()
