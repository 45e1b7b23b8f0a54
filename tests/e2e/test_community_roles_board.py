"""Issue 14, in a real browser (Chromium): a community's moderator sets a member's role from the
community page on a phone (labelled, axe-clean, the outcome announced), a plain member does not
get that screen; a space's facilitator places a notice board from the world's "Place something
here" form, choosing the community it opens, and its link opens that community's page."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from .support import (
    LiveServer,
    add_user_via_cli,
    api_as,
    new_person,
    ok,
    register_via_api,
    run_axe,
    sign_in,
)

pytestmark = pytest.mark.e2e
JOIN = {"accept_guidelines": True, "guidelines_version": 1}


def make_community(base: str, admin, name: str) -> str:
    slug = f"e2e-{uuid.uuid4().hex[:10]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": slug, "name": name, "kind": "caregiver", "visibility": "public",
            "guidelines": "Be kind."}), 201)  # fmt: skip
    return slug


def test_a_community_moderator_sets_a_members_role_on_a_phone(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    tag = uuid.uuid4().hex[:6]
    admin = new_person(f"Ada Roles {tag}", role="admin")
    mod = new_person(f"Mo Roles {tag}")
    member = new_person(f"Mina Roles {tag}")
    add_user_via_cli(live_server, admin)
    for who in (mod, member):
        register_via_api(base, who)
    slug = make_community(base, admin, f"Roles club {tag}")
    for who in (mod, member):
        with api_as(base, who) as client:
            ok(client.post(f"/api/community/communities/{slug}/join", json=JOIN))
    with api_as(base, admin) as as_admin:
        listed = ok(as_admin.get(f"/api/community/communities/{slug}/members"))["members"]
        (mine,) = [m for m in listed if m["name"] == mod.display_name]
        ok(as_admin.put(f"/api/community/communities/{slug}/members/{mine['membership_id']}/role",
                        json={"role": "moderator"}))  # fmt: skip

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(20_000)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        # A plain member gets no roles screen.
        sign_in(page, base, member)
        page.goto(f"{base}/community/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Roles club {tag}")
        expect(page.get_by_role("heading", name="Members and their roles")).to_have_count(0)
        context.clear_cookies()

        sign_in(page, base, mod)
        page.goto(f"{base}/community/{slug}")
        expect(page.get_by_role("heading", name="Members and their roles")).to_be_visible()
        choice = page.get_by_label(f"Role of {member.display_name}")
        expect(choice).to_have_value("member")
        assert run_axe(page) == []
        # Keyboard: choose, then the row's own Save button.
        choice.select_option(label="Facilitator")
        save = page.get_by_role("button", name=f"Save role — {member.display_name}")
        save.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text(
            f"{member.display_name} is now: Facilitator."
        )
        expect(choice).to_have_value("facilitator")
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert run_axe(page) == []
        assert problems == []
    finally:
        context.close()
    with api_as(base, admin) as as_admin:
        listed = ok(as_admin.get(f"/api/community/communities/{slug}/members"))["members"]
        (theirs,) = [m for m in listed if m["name"] == member.display_name]
        assert theirs["role"] == "facilitator"


def test_a_facilitator_places_a_notice_board_that_opens_a_chosen_community(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    tag = uuid.uuid4().hex[:6]
    admin = new_person(f"Ada Board {tag}", role="admin")
    host = new_person(f"Dr Host {tag}", role="clinician")
    for who in (admin, host):
        add_user_via_cli(live_server, who)
    name = f"Board club {tag}"
    slug = make_community(base, admin, name)
    with api_as(base, host) as client:
        answer = client.post("/api/spaces", json={"name": f"Board room {tag}",
                                                  "template": "clinic-lobby"})  # fmt: skip
        assert answer.status_code == 201, answer.text
        space_id = answer.json()["id"]

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(20_000)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, base, host)
        page.goto(f"{base}/spaces/{space_id}?mode=2d")
        expect(page.get_by_text("Connected", exact=True)).to_be_visible()
        page.get_by_text("Place something here").click()
        page.get_by_label("What to place").select_option(label="Notice board")
        where = page.get_by_label("Which community it opens")
        expect(where).to_have_value("/community")  # the community list unless one is chosen
        expect(where.get_by_role("option", name=name)).to_have_count(1)
        where.select_option(label=name)
        page.get_by_label("Title").fill(f"Notice board {tag}")
        page.get_by_label("Text").fill("Our carers' group meets here")
        assert run_axe(page) == []
        page.get_by_role("button", name="Place it").click()
        board = page.locator(".world-object", has_text=f"Notice board {tag}")
        link = board.get_by_role("link", name="Community notice board — open communities")
        expect(link).to_have_attribute("href", f"/community/{slug}")
        assert run_axe(page) == []
        link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/community/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        assert problems == []
    finally:
        context.close()


def test_an_open_thread_keeps_updating_after_the_access_cookie_expired(
    browser: Browser, live_server: LiveServer
):
    """The thread's live stream is refused (as the server does when the access cookie has
    expired): the page refreshes the session once, reopens the stream, and a reply posted
    afterwards still arrives live."""
    base = live_server.base_url
    tag = uuid.uuid4().hex[:6]
    admin = new_person(f"Ada Stream {tag}", role="admin")
    reader, writer = new_person(f"Rae Stream {tag}"), new_person(f"Wes Stream {tag}")
    add_user_via_cli(live_server, admin)
    for who in (reader, writer):
        register_via_api(base, who)
    slug = make_community(base, admin, f"Stream club {tag}")
    for who in (reader, writer):
        with api_as(base, who) as client:
            ok(client.post(f"/api/community/communities/{slug}/join", json=JOIN))
    with api_as(base, writer) as as_writer:
        started = ok(as_writer.post(f"/api/community/communities/{slug}/threads", json={
            "title": f"Evenings {tag}", "body": "How do your evenings go?",
            "identity": "pseudonym"}), 201)  # fmt: skip
    thread_id = started["thread"]["id"]

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    context.set_default_timeout(20_000)
    problems: list[str] = []
    refused: list[str] = []
    refreshes: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda r: refreshes.append(r.url)
                if r.url.endswith("/api/auth/session/refresh") else None)  # fmt: skip
        sign_in(page, base, reader)

        def stream(route) -> None:
            if not refused:  # the first stream: the access cookie has just expired
                refused.append(route.request.url)
                context.clear_cookies(name="cv_session")
                route.fulfill(status=401, content_type="application/json",
                              body='{"detail": "Not signed in."}')  # fmt: skip
            else:
                route.continue_()

        page.route(f"**/api/community/threads/{thread_id}/stream", stream)
        refreshes.clear()
        page.goto(f"{base}/community/threads/{thread_id}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Evenings {tag}")
        posts = page.get_by_role("list", name="Posts in this topic")
        expect(posts.get_by_role("article")).to_have_count(1)
        # The refused stream refreshes the session and reopens (after about a second).
        for _ in range(40):
            if refreshes:
                break
            page.wait_for_timeout(250)
        page.wait_for_timeout(1000)  # the reopened stream connects
        assert len(refused) == 1
        assert len(refreshes) == 1, refreshes
        with api_as(base, writer) as as_writer:
            ok(as_writer.post(f"/api/community/threads/{thread_id}/posts",
                              json={"body": "Tea and an early night."}), 201)  # fmt: skip
        expect(posts.get_by_role("article")).to_have_count(2, timeout=10_000)
        expect(posts).to_contain_text("Tea and an early night.")
        assert problems == []
    finally:
        context.close()
