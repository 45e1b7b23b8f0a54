"""``careverse bench exposure``: the exposure scenes' frame time in headless Chromium.

A node runs in a process of its own (``careverse serve`` on a fresh data directory, serving the
built client). A patient and their therapist are made in the database; the therapist writes a
ten-step hierarchy whose steps are the benchmarked scenes; for each scene the patient starts a
session on its step (intensity 50: the step as planned) and rates SUDS before, and Debian's
Chromium (Playwright, headless, the browser tests' flags) opens ``/wellbeing/exposure`` signed
in as the patient at 1280x720, which draws the scene at its default quality. After a warm-up,
the page's own ``requestAnimationFrame`` intervals are sampled for ``seconds``: the time from one
frame to the next, which is what the patient sees (60 fps is at most 16.7 ms).

Each scene is measured twice: ``as_shipped`` (a scene that does not move is drawn only when it
changes) and ``every_frame`` (drawn every frame, as in VR or while anything moves: the cost of a
frame). ``floor`` is the browser's own: a canvas of the same size cleared every frame.

``--gl swiftshader`` (default) is what the browser tests run: ``--disable-gpu``, i.e. ANGLE on
SwiftShader, a software Vulkan; ``--gl llvmpipe`` asks ANGLE for OpenGL ES through EGL, which on
a machine without a GPU is Mesa's llvmpipe (software too, multi-threaded). The GL renderer string
is in the answer, so it is plain which one drew.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from careverse.bench.crisis_alerts import seed_care_team
from careverse.bench.seed import BOT_PASSWORD
from careverse.bench.world import bench_environment, serve

CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = [
    "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
GL_ARGS = {
    "swiftshader": ["--disable-gpu"],  # as tests/e2e: ANGLE on SwiftShader (software Vulkan)
    "llvmpipe": ["--use-gl=angle", "--use-angle=gl-egl", "--ignore-gpu-blocklist"],
}
FRAME_BUDGET_MS = 1000 / 60
# The benchmarked steps (at intensity 50 the parameters are exactly these).
SCENES: dict[str, dict] = {
    "heights": {"scene": "heights", "height_m": 50.0},
    "crowd": {"scene": "crowd", "crowd_density": 4.0, "proximity_m": 1.0},  # 800 figures
    "spider": {"scene": "spider", "proximity_m": 0.5},
    "speaking": {"scene": "speaking", "crowd_density": 1.0, "proximity_m": 2.0},
}
RENDERER_JS = """() => {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
}"""
DRAW_EVERY_FRAME_KEY = "careverse.exposure.drawEveryFrame"  # as exposure-scene.ts reads it
# The browser's own floor: a canvas of the same size cleared every frame, nothing drawn.
FLOOR_HTML = """<canvas id="c" width="%d" height="%d"></canvas><script>
const gl = document.getElementById('c').getContext('webgl2', {antialias: false});
const clear = (now) => { gl.clearColor((now %% 1000) / 1000, 0.5, 0.5, 1);
  gl.clear(gl.COLOR_BUFFER_BIT); requestAnimationFrame(clear); };
requestAnimationFrame(clear);
</script>"""
SAMPLE_JS = """(seconds) => new Promise((done) => {
  const gaps = []; let last = 0; const end = performance.now() + seconds * 1000;
  const tick = (now) => {
    if (last) gaps.push(now - last);
    last = now;
    if (now < end) requestAnimationFrame(tick); else done(gaps);
  };
  requestAnimationFrame(tick);
})"""


def _steps() -> list[dict]:
    chosen = list(SCENES.values())
    return [
        {**chosen[i % len(chosen)], "description": f"Bench step {i + 1}", "noise": 0.0,
         "expected_suds": 10 * (i + 1)}
        for i in range(10)
    ]  # fmt: skip


def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.url.path} answered {response.status_code}")
    return response.json() if response.content else {}


def _figures(gaps: list[float]) -> dict:
    ordered = sorted(gaps)
    if not ordered:
        return {"frames": 0}
    mean = statistics.fmean(ordered)
    return {
        "frames": len(ordered),
        "mean_ms": round(mean, 2),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "max_ms": round(ordered[-1], 2),
        "fps": round(1000 / mean, 1),
        # 60 fps within the display's own jitter: frames come on a 16.7 ms beat.
        "holds_60_fps": 1000 / mean >= 58.5,
    }


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(BOT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/home")


def _scene(page: Page, url: str, api: httpx.Client, hierarchy: str, name: str,
           seconds: float, warmup: float) -> dict:  # fmt: skip
    """Start a session on the scene's step, open the page, and sample its frames."""
    session = _ok(
        api.post(
            "/api/wellbeing/exposure/sessions",
            json={"hierarchy_id": hierarchy, "step": list(SCENES).index(name), "intensity": 50},
        )
    )
    path = f"/api/wellbeing/exposure/sessions/{session['id']}"
    try:
        _ok(api.post(f"{path}/suds", json={"phase": "before", "value": 40}))
        page.goto(f"{url}/wellbeing/exposure")
        page.wait_for_function(
            f"window.__exposureScene?.params.scene === '{name}'", timeout=120_000
        )
        page.wait_for_timeout(warmup * 1000)
        gaps = page.evaluate(SAMPLE_JS, seconds)
        shown = page.evaluate("window.__exposureScene")
    finally:
        _ok(api.post(f"{path}/control", json={"action": "stop"}))
    return {
        **_figures(gaps),
        "drawing": shown.get("drawing"),
        "pixel_ratio": shown.get("pixelRatio"),
        "draw_calls": shown.get("drawCalls"),
        "triangles": shown.get("triangles"),
        "shown": shown.get("shown"),
    }


def _measure(url: str, email: str, api: httpx.Client, hierarchy: str, scenes: list[str],
             gl: str, seconds: float, warmup: float, size: tuple[int, int]) -> dict:  # fmt: skip
    out: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*BASE_ARGS, *GL_ARGS[gl]]
        )
        try:
            for mode, every_frame in (("as_shipped", "0"), ("every_frame", "1")):
                # bypass_csp: Playwright's waits evaluate expressions, which the CSP forbids.
                context = browser.new_context(
                    viewport={"width": size[0], "height": size[1]}, locale="en-GB",
                    bypass_csp=True,
                )  # fmt: skip
                context.set_default_timeout(60_000)
                # No SUDS prompt during the measurement (it asks every minute by default).
                context.add_init_script(
                    "localStorage.setItem('careverse.exposure.promptSeconds', '86400');"
                    f"localStorage.setItem('{DRAW_EVERY_FRAME_KEY}', '{every_frame}')"
                )
                page = context.new_page()
                _sign_in(page, url, email)
                out.setdefault("gl_renderer", page.evaluate(RENDERER_JS))
                if "floor" not in out:
                    page.set_content(FLOOR_HTML % size)
                    page.wait_for_timeout(warmup * 1000)
                    out["floor"] = _figures(page.evaluate(SAMPLE_JS, seconds))
                out[mode] = {
                    name: _scene(page, url, api, hierarchy, name, seconds, warmup)
                    for name in scenes
                }
                context.close()
        finally:
            browser.close()
    return out


def run_exposure_bench(
    scenes: list[str] | None = None,
    seconds: float = 10.0,
    warmup: float = 3.0,
    gl: str = "swiftshader",
    size: tuple[int, int] = (1280, 720),
) -> dict:
    """Start a node with the built client and measure each scene's frame time (see the module's
    docstring); answers the figures."""
    chosen = scenes or list(SCENES)
    unknown = [s for s in chosen if s not in SCENES]
    if unknown or gl not in GL_ARGS:
        raise ValueError(f"unknown scene or GL: {unknown or gl}")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="careverse-bench-exposure-") as tmp:
        settings, env = bench_environment(None, data_dir=Path(tmp))
        team = asyncio.run(seed_care_team(settings, 1))
        patient_id = team.patient_ids[0]
        with serve(env, timeout=180) as (url, _):
            if httpx.get(f"{url}/wellbeing/exposure", timeout=30).status_code != 200:
                raise RuntimeError("the client is not built: make client (see docs/client.md)")
            therapist = {"Authorization": f"Bearer {team.clinician_token}"}
            patient = {"Authorization": f"Bearer {team.patient_tokens[0]}"}
            with httpx.Client(base_url=url, timeout=60, headers=therapist) as as_therapist:
                hierarchy = _ok(
                    as_therapist.post(
                        f"/api/wellbeing/exposure/patients/{patient_id}/hierarchies",
                        json={"title": "Bench scenes", "steps": _steps(), "ready": True},
                    )
                )["id"]
            with httpx.Client(base_url=url, timeout=60, headers=patient) as as_patient:
                result = _measure(
                    url, team.patient_emails[0], as_patient, hierarchy, chosen, gl, seconds,
                    warmup, size,
                )  # fmt: skip
    return {
        "gl": gl,
        "viewport": f"{size[0]}x{size[1]}",
        "seconds": seconds,
        "frame_budget_ms": round(FRAME_BUDGET_MS, 2),
        **result,
        "load_average": round(os.getloadavg()[0], 2),
    }
