"""``careverse bench lightpath``: what a patient on a slow phone link waits for (issue 16, item 6).

Starts ``careverse demo`` (its demo data, SQLite in a fresh data directory) on a free port, books
and checks in a visit for the demo patient through the API, then drives Debian's Chromium
(Playwright) with Chrome DevTools Protocol throttling:

- network: ``Network.emulateNetworkConditions`` at 400 kbit/s down and up with 400 ms round trip
  (DevTools' "Slow 3G" shape), cache on, as a phone would keep it between pages;
- CPU: ``Emulation.setCPUThrottlingRate`` 4 (four times slower than this machine).

Measured (seconds, from the navigation or click that starts each step):

- ``signin_s``: a cold load of ``/signin`` until the form can be used (e-mail field and sign-in
  button on the page, the button not busy);
- ``waiting_room_s``: from pressing "Sign in" to the waiting room of the checked-in visit (the
  home page, then ``/appointments`` opened from the address bar, its "Waiting room" button
  pressed, the waiting room's heading shown);
- ``group_room_s``: from opening the demo's support circle (``/spaces/<id>``, 2D chosen) to its
  2D room on the page;

and the bytes the browser received in each step (``encodedDataLength``: compressed, headers
included). Targets (issue 16): sign-in within 5 s, waiting room within 8 s. A figure, not a test.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator

import httpx

from careverse.bench.world import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PATIENT = "amara@careverse.example.org"
CLINICIAN = "dr.rivera@careverse.example.org"
SUPPORT_ROOM_TEMPLATE = "support-circle"
DEVICES_OK = {"camera": "ok", "microphone": "ok", "speaker": "ok", "connection": "ok"}
# Slow 3G: 400 kbit/s each way, 400 ms round trip. Throughput in bytes per second for CDP.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
CPU_SLOWDOWN = 4


@contextlib.contextmanager
def demo_server(timeout: float = 120) -> Iterator[str]:
    """``careverse demo`` on a free port with a fresh data directory; yields its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env["CAREVERSE_DATA_DIR"] = tempfile.mkdtemp(prefix="careverse-lightpath-")
    env["CAREVERSE_LOG_LEVEL"] = "WARNING"
    with serve(env, timeout, command="demo") as (url, _process):
        yield url


def _token(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    answer = client.post("/api/auth/token", data={"username": email, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def prepare(url: str, password: str) -> str:
    """Book the demo patient's next visit with her clinician and check in; return the support
    circle's space id."""
    with httpx.Client(base_url=url, timeout=20) as client:
        me, doc = _token(client, PATIENT, password), _token(client, CLINICIAN, password)
        clinician_id = client.get("/api/me", headers=doc).json()["id"]
        slots = client.get(
            f"/api/care/clinicians/{clinician_id}/slots", headers=me,
            params={"visit_type": "follow-up"},
        ).json()["slots"]  # fmt: skip
        made = client.post(
            "/api/care/appointments", headers=me,
            json={"clinician_id": clinician_id, "start": slots[0]["start"], "reason": "Check-up"},
        )  # fmt: skip
        made.raise_for_status()
        checked = client.post(
            f"/api/care/appointments/{made.json()['id']}/check-in", headers=me,
            json={"device_check": DEVICES_OK},
        )  # fmt: skip
        checked.raise_for_status()
        spaces = client.get("/api/spaces", headers=me).json()
        return next(s["id"] for s in spaces if s["template"] == SUPPORT_ROOM_TEMPLATE)


class Received:
    """Bytes the browser received (compressed, headers included), from CDP's Network events."""

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, event: dict) -> None:
        self.total += int(event.get("encodedDataLength", 0))

    def take(self) -> int:
        taken, self.total = self.total, 0
        return taken


def run_lightpath_bench() -> dict:
    from playwright.sync_api import sync_playwright

    from careverse.demo import DEMO_PASSWORD

    with demo_server() as url:
        room = prepare(url, DEMO_PASSWORD)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True
                )
                # The room in 2D: the light path's world (three.js is never fetched).
                context.add_init_script(
                    "localStorage.setItem('careverse.world.settings', '{\"mode\":\"2d\"}')"
                )
                page = context.new_page()
                page.set_default_timeout(120_000)
                cdp = context.new_cdp_session(page)
                received = Received()
                cdp.on("Network.loadingFinished", received)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})

                start = time.monotonic()
                page.goto(f"{url}/signin", wait_until="commit")
                page.locator("#signin-title").wait_for()
                page.locator("button[type=submit][aria-disabled=false]").wait_for()
                signin_s = time.monotonic() - start
                signin_bytes = received.take()

                page.get_by_label("Email address").fill(PATIENT)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                start = time.monotonic()
                page.locator("button[type=submit]").click()
                page.wait_for_url(f"{url}/home")
                page.goto(f"{url}/appointments", wait_until="commit")
                page.locator("button", has_text="Waiting room").first.click()
                page.locator("#care-wait").wait_for()
                waiting_s = time.monotonic() - start
                waiting_bytes = received.take()

                start = time.monotonic()
                page.goto(f"{url}/spaces/{room}", wait_until="commit")
                page.locator("cv-world-2d").wait_for()
                group_s = time.monotonic() - start
                group_bytes = received.take()
            finally:
                browser.close()
    return {
        "profile": {
            "network": "400 kbit/s down and up, 400 ms RTT (CDP Network.emulateNetworkConditions)",
            "cpu_slowdown": CPU_SLOWDOWN,
            "viewport": "390x844 mobile, 2D world",
        },
        "signin_s": round(signin_s, 2),
        "signin_bytes": signin_bytes,
        "waiting_room_s": round(waiting_s, 2),
        "waiting_room_bytes": waiting_bytes,
        "group_room_s": round(group_s, 2),
        "group_room_bytes": group_bytes,
        "targets": {"signin_s": 5, "waiting_room_s": 8},
        "within_targets": signin_s <= 5 and waiting_s <= 8,
    }
