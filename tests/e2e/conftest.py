"""Browser tests: the real server in a subprocess, driven by Debian's Chromium through Playwright.

The server runs on a free port with its own data directory (SQLite by default). The browser
client must be built first (``make client``): the server serves it from
``src/careverse/web/static``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect, sync_playwright

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_RECORDER,
    Inbox,
    LiveServer,
    PageProblems,
    Person,
    free_port,
    new_person,
    register_via_api,
    run_server,
)

# Room for a busy 2-core machine (password hashing is cheap here: careverse_cheap_hashing.py).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real Careverse server (SQLite in a temporary data directory) for the whole session."""
    data_dir = tmp_path_factory.mktemp("careverse-data")
    with run_server(data_dir) as url:
        yield LiveServer(url, data_dir)


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    """A local SMTP server (aiosmtpd) that keeps what it receives."""
    handler = Inbox(free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def strict_server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    """A second server, set up as a clinic would run it: two-step sign-in mandatory for
    clinicians and admins, and e-mail (to ``inbox``) for password resets."""
    data_dir = tmp_path_factory.mktemp("careverse-strict")
    settings = {
        "CAREVERSE_MFA_REQUIRED": "true",
        "CAREVERSE_SMTP_HOST": "127.0.0.1",
        "CAREVERSE_SMTP_PORT": str(inbox.port),
        "CAREVERSE_SMTP_STARTTLS": "false",
    }
    with run_server(data_dir, extra_env=settings) as url:
        yield LiveServer(url, data_dir)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.base_url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (Playwright's own browser downloads are not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(context, problems: PageProblems):
    page = context.new_page()
    page.add_init_script(CSP_RECORDER)
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def person(base_url: str) -> Person:
    """A freshly registered patient."""
    created = new_person("Grace Hopper")
    register_via_api(base_url, created)
    return created
