"""Breathing and biofeedback in a real browser: a patient opens the breathing page from
Wellbeing, rates their stress, starts paced breathing; a simulated wearable (a paired device)
posts RR intervals through the monitoring ingest; the page shows live RMSSD equal, to one
decimal, to neurokit2's on the same beats; the session is saved with its summary. Also: a
Bluetooth heart-rate strap (0x2A37 notifications with RR intervals, the browser API simulated),
reduced motion, and axe."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import httpx
import neurokit2 as nk
import numpy as np
import pytest
from playwright.sync_api import Page, expect

from .support import (
    LiveServer,
    PageProblems,
    Person,
    api_as,
    assert_clean_load,
    new_person,
    ok,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e


def rr_series(n: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    out, t = [], 0.0
    for _ in range(n):
        value = float(round(860 + 60 * math.sin(2 * math.pi * 0.1 * t) + rng.normal(0, 9)))
        out.append(value)
        t += value / 1000.0
    return out


def registered(base_url: str, name: str) -> Person:
    person = new_person(name)
    register_via_api(base_url, person)
    return person


def nk_rmssd(rr: list[float]) -> float:
    peaks = np.concatenate([[0], np.cumsum(rr)]).astype(int)
    return float(nk.hrv_time(peaks, sampling_rate=1000)["HRV_RMSSD"].iloc[0])


def rr_points(rr: list[float], tag: str) -> list[dict]:
    """Open mHealth rr-interval data points, each timed at its end beat, the last one now."""
    at = datetime.now(UTC) - timedelta(milliseconds=sum(rr))
    points = []
    for i, value in enumerate(rr):
        at += timedelta(milliseconds=value)
        points.append({
            "header": {"id": f"{tag}-{i}",
                       "schema_id": {"namespace": "omh", "name": "rr-interval", "version": "1.0"}},
            "body": {"rr_interval": {"value": value, "unit": "ms"},
                     "effective_time_frame": {"date_time": at.isoformat()}},
        })  # fmt: skip
    return points


def pair_wearable(base_url: str, as_patient: httpx.Client, patient_id: str) -> str:
    device = ok(
        as_patient.post(
            "/api/monitoring/devices",
            json={"patient_id": patient_id, "kind": "wearable", "label": "Chest strap"},
        ),
        201,
    )
    code = ok(as_patient.post(f"/api/monitoring/devices/{device['id']}/pairing-code"), 201)["code"]
    return ok(httpx.post(f"{base_url}/api/monitoring/pair", json={"code": code}))["credential"]


def test_a_wearable_streams_rr_and_the_page_shows_neurokit2s_rmssd(
    page: Page, problems: PageProblems, live_server: LiveServer
):
    base_url = live_server.base_url
    patient = registered(base_url, "Bree Calloway")
    sign_in(page, base_url, patient)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wellbeing").click()
    page.get_by_role("link", name="Breathe: paced breathing with biofeedback").click()
    expect(page).to_have_url(f"{base_url}/wellbeing/breathe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Breathe")

    stress = page.get_by_label("How stressed do you feel right now?")
    stress.focus()
    stress.press("ArrowRight")
    stress.press("ArrowRight")  # 5 -> 7, with the keyboard
    expect(stress).to_have_value("7")
    page.get_by_label("Breaths a minute").select_option("5.5")
    page.get_by_role("button", name="Start breathing").click()
    expect(page.get_by_role("heading", name="Breathing at 5.5 a minute")).to_be_focused()
    expect(page.get_by_role("img", name="Breathing pacer at 5.5 breaths a minute")).to_be_visible()
    expect(page.get_by_label("Play a soft tone with each breath")).not_to_be_checked()
    expect(page.locator("[data-stream=connected]")).to_have_count(1)

    # The wearable: paired like a device, it sends its beats every ten.
    rr = rr_series(30, seed=21)  # about 26 s: all inside the 30-second window
    with api_as(base_url, patient) as as_patient:
        patient_id = ok(as_patient.get("/api/me"))["patient_id"]
        credential = pair_wearable(base_url, as_patient, patient_id)
    points = rr_points(rr, f"e2e-{patient.email}")
    for start in range(0, len(points), 10):
        answer = httpx.post(
            f"{base_url}/api/monitoring/readings", json={"data_points": points[start : start + 10]},
            headers={"Authorization": f"Bearer {credential}"}, timeout=30,
        )  # fmt: skip
        assert ok(answer)["accepted"] == 10
    expected = nk_rmssd(rr)
    expect(page.locator("[data-live=rmssd]")).to_have_text(f"{expected:.1f} ms")
    expect(page.locator("[data-live=heart-rate]")).to_have_text(
        f"{60000 / np.mean(rr):.0f} a minute"
    )
    live = page.get_by_role("region", name="Your heart, live")
    expect(live).to_contain_text("From your wearable")

    page.get_by_role("button", name="Stop").click()
    after = page.get_by_label("How stressed do you feel now?")
    expect(page.get_by_role("heading", name="How do you feel now?")).to_be_focused()
    after.focus()
    for _ in range(3):
        after.press("ArrowLeft")  # 5 -> 2
    page.get_by_role("button", name="Save this session").click()
    done = page.get_by_role("region", name="Session saved")
    expect(done).to_contain_text("stress 7 → 2")
    expect(done).to_contain_text(f"RMSSD {expected:.1f} ms")
    history = page.get_by_role("region", name="Your breathing sessions")
    expect(history.get_by_role("row")).to_have_count(2)  # the header and this session
    expect(history).to_contain_text("5.5 breaths a minute")
    assert_clean_load(page, problems)


def run_axe_ok(page: Page) -> bool:
    violations = run_axe(page)
    assert violations == [], violations
    return True


STRAP = """
(() => {
  const rr = %s;
  class Characteristic extends EventTarget {
    async startNotifications() {
      // Two beats a notification: flags 0x10 (8-bit heart rate, RR present), RR in 1/1024 s.
      let i = 0;
      const send = () => {
        if (i >= rr.length) return;
        const pair = rr.slice(i, i + 2);
        const view = new DataView(new ArrayBuffer(2 + 2 * pair.length));
        view.setUint8(0, 0x10);
        view.setUint8(1, 70);
        pair.forEach((v, n) => view.setUint16(2 + 2 * n, v, true));
        this.value = view;
        this.dispatchEvent(new Event('characteristicvaluechanged'));
        i += 2;
        setTimeout(send, 20);
      };
      setTimeout(send, 50);
      return this;
    }
  }
  const characteristic = new Characteristic();
  const server = {
    getPrimaryService: async () => ({ getCharacteristic: async () => characteristic }),
    disconnect() {},
  };
  Object.defineProperty(navigator, 'bluetooth', {
    value: { requestDevice: async () => ({ gatt: { connect: async () => server } }) },
  });
})();
"""


def test_a_bluetooth_strap_gives_live_rmssd_in_the_page(browser, base_url: str):
    raw = [round(v * 1024 / 1000) for v in rr_series(24, seed=5)]  # 1/1024 s units
    rr_ms = [v * 1000 / 1024 for v in raw]
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    try:
        context.add_init_script(STRAP % raw)
        page = context.new_page()
        sign_in(page, base_url, registered(base_url, "Strap Wearer"))
        page.goto(f"{base_url}/wellbeing/breathe")
        page.get_by_role("button", name="Connect a Bluetooth heart-rate strap").click()
        expect(page.locator("[data-live=rmssd]")).to_have_text(f"{nk_rmssd_ms(rr_ms):.1f} ms")
        expect(page.get_by_role("region", name="Your heart, live")).to_contain_text(
            "From the heart-rate strap"
        )
        assert run_axe_ok(page)
    finally:
        context.close()


def nk_rmssd_ms(rr: list[float]) -> float:
    """neurokit2 on fractional-ms intervals (as RRI, all successive)."""
    return float(nk.hrv_time({"RRI": np.array(rr)})["HRV_RMSSD"].iloc[0])


def test_reduced_motion_keeps_the_pacer_still_and_bluetooth_is_hidden_without_it(
    browser, base_url: str
):
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    try:
        page = context.new_page()
        page.add_init_script("Object.defineProperty(navigator, 'bluetooth', {value: undefined})")
        sign_in(page, base_url, registered(base_url, "Still Breather"))
        page.goto(f"{base_url}/wellbeing/breathe")
        expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("Bluetooth"))).to_have_count(0)
        page.get_by_role("button", name="Start breathing").click()
        expect(page.locator(".pacer.pacer--still")).to_have_count(1)
        expect(page.locator(".pacer-phase")).to_contain_text(re.compile("Breathe (in|out)"))
        assert run_axe_ok(page)
    finally:
        context.close()
