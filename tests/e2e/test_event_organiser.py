"""Events' organiser screens in Chromium, on a phone: a community's facilitator follows "Create an
event for this community" from the community page, the form has the community chosen, the event
is made for it; on the event page the host uploads a slide image with its alternative text, and
it shows. Each page axe-clean at 360 px."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from .support import LiveServer, add_user_via_cli, api_as, new_person, ok, register_via_api
from .support import sign_in as sign_in_page
from .test_organiser_screens import PHONE, fits

pytestmark = pytest.mark.e2e


def png(width: int = 8, height: int = 6) -> bytes:
    """A small real PNG (a grey picture), written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def test_facilitator_creates_a_community_event_and_uploads_a_slide(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin = new_person("Ada Admin", role="admin")
    lead = new_person("Fay Facilitator", role="caregiver")
    add_user_via_cli(live_server, admin)
    register_via_api(base, lead)
    community = f"c-{uuid.uuid4().hex[:8]}"
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": community, "name": "Carers together", "kind": "caregiver",
            "visibility": "public", "description": "For the events test.",
            "guidelines": "Be kind."}), 201)  # fmt: skip
        with api_as(base, lead) as as_lead:
            info = ok(as_lead.get(f"/api/community/communities/{community}"))
            ok(as_lead.post(f"/api/community/communities/{community}/join", json={
                "accept_guidelines": True, "guidelines_version": info["guidelines_version"],
                "lived_experience": False}))  # fmt: skip
        members = ok(as_admin.get(f"/api/community/communities/{community}/members"))
        (mine,) = [m for m in members["members"] if m["name"] == "Fay Facilitator"]
        ok(as_admin.put(
            f"/api/community/communities/{community}/members/{mine['membership_id']}/role",
            json={"role": "facilitator"},
        ))  # fmt: skip

    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    try:
        page = context.new_page()
        sign_in_page(page, base, lead)
        page.goto(f"{base}/community/{community}")
        page.get_by_role("link", name="Create an event for this community").click()
        page.wait_for_url(f"{base}/events/new?community={community}")
        chosen = page.get_by_label("Whose event")
        expect(chosen).to_have_value(community)
        assert "The site (everyone)" not in chosen.inner_text()  # not site staff
        fits(page)

        title = f"Carers' evening {uuid.uuid4().hex[:4]}"
        page.get_by_label("Title").fill(title)
        slug = page.get_by_label("Web address (letters, digits and dashes)").input_value()
        starts = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        page.get_by_label("Starts (your local time)").fill(starts)
        page.get_by_label("Places for the audience").fill("30")
        page.get_by_label("Where").select_option("clinic-lobby")
        page.get_by_role("button", name="Create the event").click()
        page.wait_for_url(f"{base}/events/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_text("You host this event.")).to_be_visible()

        expect(page.get_by_text("No slides yet.")).to_be_visible()
        page.get_by_label("Slide image (PNG or JPEG, up to 2 MB)").set_input_files(
            {"name": "welcome.png", "mimeType": "image/png", "buffer": png()}
        )
        page.get_by_label("What the image shows").fill("A map of the clinic lobby")
        page.get_by_role("button", name="Add the slide").click()
        expect(page.get_by_role("status")).to_have_text("Slide added.")
        image = page.get_by_role("img", name="A map of the clinic lobby")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 8
        fits(page)

        # Not an image: the server's refusal is shown, nothing is added.
        page.get_by_label("Slide image (PNG or JPEG, up to 2 MB)").set_input_files(
            {"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture at all"}
        )
        page.get_by_role("button", name="Add the slide").click()
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.locator(".event-slides li")).to_have_count(1)

        with api_as(base, lead) as as_lead:
            made = ok(as_lead.get(f"/api/events/{slug}"))
            assert made["community"] == community
    finally:
        context.close()
