"""The built client as Chromium receives it: hashed scripts compressed and cached for a year,
index.html revalidated, and three.js downloaded only by the 3D world, never by other pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect

from .support import Person, sign_in

pytestmark = pytest.mark.e2e

THREE = re.compile(r"/assets/(scene3d|three|GLTFLoader)[^/]*\.js")
IMMUTABLE = "public, max-age=31536000, immutable"


def test_scripts_arrive_compressed_and_cached_and_index_html_is_revalidated(
    page: Page, base_url: str
):
    responses: list[Response] = []
    page.on("response", lambda r: responses.append(r))
    document = page.goto(f"{base_url}/signin")
    assert document is not None
    assert document.headers["cache-control"] == "no-cache"
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    scripts = [r for r in responses if re.search(r"/assets/index-[\w-]+\.js$", r.url)]
    assert len(scripts) == 1, [r.url for r in responses]
    headers = scripts[0].headers
    # Chromium offers brotli only over HTTPS; on this plain-HTTP test server it takes gzip.
    assert headers["content-encoding"] in {"br", "gzip"}
    assert headers["cache-control"] == IMMUTABLE
    assert headers["vary"] == "Accept-Encoding"
    styles = [r for r in responses if re.search(r"/assets/index-[\w-]+\.css$", r.url)]
    assert styles and styles[0].headers["content-encoding"] in {"br", "gzip"}


def test_pages_outside_the_world_download_no_three_js(page: Page, base_url: str, person: Person):
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    sign_in(page, base_url, person)
    for path, heading in (
        ("/vitals", "Your vitals"),
        ("/appointments", "Appointments"),
        ("/spaces", "Spaces"),
        ("/privacy", "Privacy"),
    ):
        page.goto(f"{base_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state("networkidle")
    assert scripts, "no scripts were recorded"
    assert not [url for url in scripts if THREE.search(url)], scripts
