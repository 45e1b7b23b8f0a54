"""Issue 14 item 9: the lobby's community notice board, in the 2D mode, opens the community list."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Page, expect

from careverse.world import protocol as proto
from careverse.world.client import WorldClient

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


def token_of(base_url: str, email: str, password: str) -> str:
    answer = httpx.post(
        f"{base_url}/api/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


async def stand_board(base_url: str, token: str, space_id: str) -> None:
    """The facilitator stands a board as the demo does, over the world socket."""
    async with await WorldClient.connect(base_url, token, space_id) as host:
        await host.send(
            proto.ObjectAdd(kind="notice-board", p=(0, 0, -5), title="Community notice board",
                            text="Support groups and communities", url="/community")
        )  # fmt: skip
        await host.wait_for(lambda m: isinstance(m, proto.ObjectOut) and m.op == "add")


@pytest.fixture
def page(browser) -> Iterator[Page]:
    # axe is injected as an inline script: this context bypasses the CSP (support.run_axe).
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_the_lobby_board_opens_the_community_list(page: Page, live_server: LiveServer):
    base_url = live_server.base_url
    host = new_person("Dr Ada Board", role="clinician")
    add_user_via_cli(live_server, host)
    patient = new_person("Pat Board")
    register_via_api(base_url, patient)
    with api_as(base_url, host) as api:
        answer = api.post("/api/spaces", json={"name": "Lobby", "template": "clinic-lobby"})
        assert answer.status_code == 201, answer.text
        space_id = answer.json()["id"]
    token = token_of(base_url, host.email, host.password)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, stand_board(base_url, token, space_id)).result(timeout=30)

    sign_in(page, base_url, patient)
    page.goto(f"{base_url}/spaces/{space_id}?mode=2d")
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    link = page.get_by_role("link", name="Community notice board — open communities")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", "/community")
    assert run_axe(page) == []
    link.focus()
    page.keyboard.press("Enter")
    # /community is each role's own list: a patient's support groups.
    expect(page).to_have_url(re.compile(r"/support-groups$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert run_axe(page) == []
