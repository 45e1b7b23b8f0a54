"""The installable app (issue 16, the light path): the manifest is linked and describes the app,
the service worker registers, keeps the shell for an offline reload with a notice, and never
caches an API response."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .support import PageProblems, Person, assert_clean_load, sign_in

pytestmark = pytest.mark.e2e

CACHED_PATHS = """async () => {
  const names = await caches.keys();
  const paths = [];
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""


def test_manifest_is_linked_and_describes_an_installable_app(
    page: Page, base_url: str, problems: PageProblems
) -> None:
    page.goto(f"{base_url}/signin")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/manifest.webmanifest"
    answer = page.request.get(f"{base_url}{href}")
    assert answer.status == 200
    manifest = answer.json()
    assert manifest["name"] == "Careverse"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#0b5f73"
    icon = manifest["icons"][0]
    assert icon["type"] == "image/svg+xml"
    assert page.request.get(f"{base_url}{icon['src']}").status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_clean_load(page, problems)


def test_service_worker_keeps_the_shell_offline_and_never_api_answers(
    page: Page, base_url: str, person: Person
) -> None:
    sign_in(page, base_url, person)
    script = page.evaluate(
        "navigator.serviceWorker.ready.then((r) => r.active && r.active.scriptURL)"
    )
    assert script == f"{base_url}/sw.js"
    # Controlled from the next load on: a reload while signed in goes through the worker.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {person.display_name}")
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    cached = page.evaluate(CACHED_PATHS)
    assert "/" in cached
    assert any(path.startswith("/assets/index-") and path.endswith(".js") for path in cached)
    # Only the shell and build files: no API answer (health data) is ever kept.
    assert all(path == "/" or path.startswith("/assets/") for path in cached), cached

    page.context.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("alert").filter(has_text="You are offline")).to_be_visible()
    finally:
        page.context.set_offline(False)
    expect(page.get_by_text("You are offline")).to_have_count(0)
