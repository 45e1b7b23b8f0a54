"""Community staff who are not site moderators in a real browser: a community moderator (a
patient account) follows the link on their community's page to the queue of the communities
they look after — only theirs — and hides a flagged post with a reason, from the keyboard; a
member chooses a weekly e-mail digest on the community list. axe-clean, no native dialogs."""

from __future__ import annotations

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
)
from .support import sign_in as sign_in_page

pytestmark = pytest.mark.e2e
JOIN = {"accept_guidelines": True, "guidelines_version": 1}


def test_community_staff_moderate_their_own_communities_and_choose_a_digest(
    browser: Browser, live_server: LiveServer
):
    base = live_server.base_url
    admin = new_person("Ada Admin", role="admin")
    staff, writer, reader = new_person("Sam Staff"), new_person("Wren Writer"), new_person("Rae")
    add_user_via_cli(live_server, admin)
    for who in (staff, writer, reader):
        register_via_api(base, who)
    with api_as(base, admin) as as_admin:
        for slug, name in (("carers-staff", "Carers together"), ("other-e2e", "Elsewhere")):
            ok(as_admin.post("/api/community/communities", json={
                "slug": slug, "name": name, "kind": "caregiver", "visibility": "public",
                "guidelines": "Be kind."}), 201)  # fmt: skip
    with (api_as(base, staff) as as_staff, api_as(base, writer) as as_writer,
          api_as(base, reader) as as_reader):  # fmt: skip
        ok(as_staff.post("/api/community/communities/carers-staff/join", json=JOIN))
        for slug in ("carers-staff", "other-e2e"):
            ok(as_writer.post(f"/api/community/communities/{slug}/join", json=JOIN))
            ok(as_reader.post(f"/api/community/communities/{slug}/join", json=JOIN))
        for slug, title in (("carers-staff", "Sales"), ("other-e2e", "Elsewhere sales")):
            advert = ok(as_writer.post(f"/api/community/communities/{slug}/threads", json={
                "title": title, "body": "Buy my followers package now",
                "identity": "pseudonym"}), 201)  # fmt: skip
            ok(as_reader.post(f"/api/community/posts/{advert['post']['id']}/flags",
                              json={"reason": "spam", "note": "an advert"}), 201)  # fmt: skip
    with api_as(base, admin) as as_admin:
        members = ok(as_admin.get("/api/community/communities/carers-staff/members"))["members"]
        (mine,) = [m for m in members if m["name"] == "Sam Staff"]
        ok(as_admin.put(f"/api/community/communities/carers-staff/members/"
                        f"{mine['membership_id']}/role", json={"role": "moderator"}))  # fmt: skip

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))

        def no_native_dialogs(dialog) -> None:
            problems.append(f"native {dialog.type}")
            dialog.dismiss()

        page.on("dialog", no_native_dialogs)
        sign_in_page(page, base, staff)
        page.goto(f"{base}/community/carers-staff")
        link = page.get_by_role("link", name="Moderation queue of the communities you look after")
        link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/community/moderation")
        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        items = page.get_by_role("list", name="Posts to review, crisis holds first")
        expect(items.get_by_role("article")).to_have_count(1)  # theirs only, not "Elsewhere"
        advert = items.get_by_role("article", name="Sales", exact=True)
        expect(advert).to_contain_text("an advert")
        expect(page.get_by_role("link", name="Carers together")).to_be_visible()
        assert run_axe(page) == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

        advert.get_by_label("Reason for your action").fill("Advertising is not allowed here")
        advert.get_by_role("button", name="Hide").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Nothing to review.")).to_be_visible()

        # The digest: none by default; weekly chosen from the keyboard on the community list.
        page.goto(f"{base}/community")  # the digest's link: a patient's support groups
        expect(page).to_have_url(f"{base}/support-groups")
        page.get_by_text("E-mail digest").click()
        expect(page.get_by_label("Send me a digest")).to_have_value("off")
        page.get_by_label("Send me a digest").select_option("weekly")
        page.get_by_role("button", name="Save").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").filter(has_text="weekly digest")).to_be_visible()
        assert run_axe(page) == []
        assert problems == []
    finally:
        context.close()

    with api_as(base, staff) as as_staff:
        assert ok(as_staff.get("/api/community/digest"))["frequency"] == "weekly"
    with api_as(base, admin) as as_admin:
        queue = ok(as_admin.get("/api/community/moderation/queue"))["items"]
        titles = [i["thread"]["title"] for i in queue]  # other tests share the server: theirs too
        assert "Elsewhere sales" in titles and "Sales" not in titles  # not theirs: left
