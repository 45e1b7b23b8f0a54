"""Issue 14's "Done when", end to end in Chromium with one browser context per person:

a new member joins a caregiver community (accepting its guidelines) and starts a topic under
their pseudonym; another member replies and the first sees the reply arrive without reloading;
a member reports a post and the community's facilitator handles the report in the queue; a post
with crisis language is held, its writer sees the message of concern with crisis resources, and
the alert reaches the facilitator's and the on-call clinician's notifications live; the clinician
opens it and takes the case on. axe-core checks every screen.

The on-call clinician is a server setting (``CAREVERSE_ALERT_ONCALL_ACCOUNT_ID``), so this test
runs its own server: the clinician is created with the CLI first and the server started with
that account as on-call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from .support import (
    LiveServer,
    Person,
    add_user_via_cli,
    api_as,
    new_person,
    ok,
    register_via_api,
    run_axe,
    run_cli,
    run_server,
    sign_in,
)

pytestmark = pytest.mark.e2e

SLUG = "carers-journey"
CRISIS_TEXT = "I can't do this anymore. Tonight I am going to kill myself."


@pytest.fixture
def oncall_server(tmp_path: Path) -> Iterator[tuple[LiveServer, Person]]:
    """A server whose on-call clinician is a fresh clinician account (made before it starts)."""
    data_dir = tmp_path / "careverse-oncall"
    data_dir.mkdir()
    clinician = new_person("Dr Orla Oncall", role="clinician")
    created = run_cli(
        LiveServer("", data_dir), "user", "add", clinician.email, "--role", "clinician",
        "--name", clinician.display_name, "--password-stdin", stdin=clinician.password + "\n",
    )  # fmt: skip
    found = re.search(r"account ([0-9a-f-]{36})", created)
    assert found, created
    settings = {"CAREVERSE_ALERT_ONCALL_ACCOUNT_ID": found.group(1)}
    with run_server(data_dir, extra_env=settings) as url:
        yield LiveServer(url, data_dir), clinician


class People:
    """One browser context per person; every page fails the test on an uncaught error or a
    native dialog."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def page_for(self, person: Person, *, lands_on: str = "/home") -> Page:
        context = self.browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
        )
        self.contexts.append(context)
        page = context.new_page()
        who = person.display_name
        page.on("pageerror", lambda error: self.problems.append(f"{who}: {error}"))

        def refuse(dialog: Dialog) -> None:
            self.problems.append(f"{who}: native {dialog.type}")
            dialog.dismiss()

        page.on("dialog", refuse)
        sign_in(page, self.base, person, lands_on=lands_on)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def axe_clean(page: Page) -> None:
    assert run_axe(page) == [], page.url


def test_community_journey_join_reply_flag_and_crisis_alert(
    browser: Browser, oncall_server: tuple[LiveServer, Person]
):
    server, clinician = oncall_server
    base = server.base_url
    admin = new_person("Ada Admin", role="admin")
    newcomer = new_person("Nia Newcomer", role="caregiver")
    helper = new_person("Hal Helper", role="caregiver")
    facilitator = new_person("Fay Facilitator", role="caregiver")
    seller = new_person("Sid Seller", role="caregiver")
    add_user_via_cli(server, admin)
    for person in (newcomer, helper, facilitator, seller):
        register_via_api(base, person)
    join = {"accept_guidelines": True, "guidelines_version": 1}
    with api_as(base, admin) as as_admin:
        ok(as_admin.post("/api/community/communities", json={
            "slug": SLUG, "name": "Carers journey", "kind": "caregiver", "visibility": "public",
            "description": "For everyone who cares for someone.",
            "guidelines": "Be kind. Share experience, not prescriptions."}), 201)  # fmt: skip
        for person in (helper, facilitator, seller):
            with api_as(base, person) as as_person:
                ok(as_person.post(f"/api/community/communities/{SLUG}/join", json=join))
        members = ok(as_admin.get(f"/api/community/communities/{SLUG}/members"))["members"]
        fay = next(m for m in members if m["name"] == facilitator.display_name)
        ok(as_admin.put(f"/api/community/communities/{SLUG}/members/{fay['membership_id']}/role",
                        json={"role": "facilitator"}))  # fmt: skip
    with api_as(base, seller) as as_seller:
        advert = ok(as_seller.post(f"/api/community/communities/{SLUG}/threads", json={
            "title": "Great offer", "body": "Cheap followers for your page, message me today",
            "identity": "pseudonym"}), 201)  # fmt: skip

    people = People(browser, base)
    try:
        # 1. The newcomer finds the community, reads and accepts its guidelines, and joins.
        nia = people.page_for(newcomer)
        nia.goto(f"{base}/caregiver-groups")
        expect(nia.get_by_role("heading", level=1)).to_have_text("Caregiver groups")
        axe_clean(nia)
        nia.get_by_role("link", name="Carers journey").click()
        expect(nia.get_by_role("heading", level=1)).to_have_text("Carers journey")
        expect(nia.locator(".guidelines")).to_contain_text("Share experience")
        join_button = nia.get_by_role("button", name="Join")
        nia.get_by_label("I have read and accept the guidelines").check()
        join_button.click()
        expect(nia.get_by_text("You are a member of this community.")).to_be_visible()
        axe_clean(nia)

        # 2. A topic under the pseudonym (the default).
        nia.get_by_label("Title").fill("Nights are the hardest")
        nia.get_by_label("Your message (Markdown)").fill("How do you all get **any** sleep?")
        expect(nia.get_by_label("My pseudonym in this community (others cannot see who I am)")
               ).to_be_checked()  # fmt: skip
        nia.get_by_role("button", name="Post", exact=True).click()
        expect(nia.get_by_role("heading", level=1)).to_have_text("Nights are the hardest")
        nia_posts = nia.get_by_role("list", name="Posts in this topic")
        expect(nia_posts.get_by_role("article")).to_have_count(1)
        expect(nia_posts).not_to_contain_text("Nia Newcomer")
        axe_clean(nia)
        thread_url = nia.url

        # 3. Another member replies in their own browser; the reply arrives live in Nia's page.
        hal = people.page_for(helper)
        hal.goto(thread_url)
        expect(hal.get_by_role("heading", level=1)).to_have_text("Nights are the hardest")
        hal_posts = hal.get_by_role("list", name="Posts in this topic")
        expect(hal_posts).not_to_contain_text("Nia Newcomer")  # the pseudonym only
        hal.get_by_label("Your message (Markdown)").fill("Take turns with someone if you can.")
        hal.get_by_role("button", name="Post", exact=True).click()
        expect(hal_posts.get_by_role("article")).to_have_count(2)
        axe_clean(hal)
        expect(nia_posts.get_by_role("article")).to_have_count(2, timeout=15_000)
        expect(nia_posts).to_contain_text("Take turns with someone if you can.")
        expect(nia_posts).not_to_contain_text("Hal Helper")
        expect(nia.get_by_role("status").filter(has_text="New post from")).to_have_count(1)
        axe_clean(nia)

        # 4. The facilitator and the on-call clinician wait on their notifications.
        fay_page = people.page_for(facilitator)
        fay_page.goto(f"{base}/notifications")
        expect(fay_page.get_by_role("heading", level=1)).to_have_text("Notifications")
        orla = people.page_for(clinician)
        orla.goto(f"{base}/notifications")
        expect(orla.get_by_role("heading", level=1)).to_have_text("Notifications")
        axe_clean(orla)

        # 5. Hal reports the advert; the facilitator handles the report in the queue.
        hal.goto(f"{base}/community/threads/{advert['thread']['id']}")
        expect(hal.get_by_role("heading", level=1)).to_have_text("Great offer")
        hal.get_by_text("Report this post").click()
        report = hal.get_by_role("form", name="Report this post to the moderators")
        report.get_by_label("Why are you reporting it?").select_option(label="Spam or advertising")
        report.get_by_label("A note for the moderators (optional)").fill("selling followers")
        axe_clean(hal)
        report.get_by_role("button", name="Send the report").click()
        thanks = hal.get_by_role("status").filter(has_text="the moderators will look")
        expect(thanks).to_be_visible()
        axe_clean(hal)

        fay_page.goto(f"{base}/community/moderation")
        expect(fay_page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        queue = fay_page.get_by_role("list", name="Posts to review, crisis holds first")
        flagged = queue.get_by_role("article").filter(has_text="Great offer")
        expect(flagged).to_contain_text("selling followers")
        expect(flagged).not_to_contain_text("Sid Seller")
        axe_clean(fay_page)
        flagged.get_by_label("Reason for your action").fill("Advertising is not allowed here")
        flagged.get_by_role("button", name="Hide").click()
        expect(fay_page.get_by_role("status").filter(has_text="Hidden.")).to_be_visible()
        expect(fay_page.get_by_text("Nothing to review.")).to_be_visible()
        fay_page.goto(f"{base}/notifications")
        expect(fay_page.get_by_role("heading", level=1)).to_have_text("Notifications")

        # 6. Nia writes with crisis language: held, and she sees the message of concern.
        nia.get_by_label("Your message (Markdown)").fill(CRISIS_TEXT)
        nia.get_by_role("button", name="Post", exact=True).click()
        expect(nia_posts.get_by_role("article")).to_have_count(3)
        expect(nia_posts.get_by_role("article").last).to_contain_text("Waiting for a moderator")
        concern = nia.get_by_role("status").filter(has_text="It is not shown to others")
        expect(concern).to_be_visible()
        expect(concern.get_by_role("heading", name="We are here for you")).to_be_visible()
        expect(concern.get_by_role("heading", name="You can talk to someone now")).to_be_visible()
        expect(concern.get_by_role("listitem").first).to_contain_text("Emergency services")
        axe_clean(nia)
        # Held: the other member does not see it.
        hal.goto(thread_url)
        expect(hal_posts.get_by_role("article")).to_have_count(2)
        expect(hal_posts).not_to_contain_text("kill myself")

        # 7. The alert arrives live in the facilitator's and the clinician's notifications.
        for page in (fay_page, orla):
            notice = page.get_by_role("listitem").filter(
                has_text="A community post needs a human now"
            )
            expect(notice).to_be_visible(timeout=15_000)
            expect(notice).to_contain_text("Acknowledge by")
            # Rule names and the lexicon entry that fired, never the post itself.
            expect(notice).to_contain_text("suicide.intent")
            expect(notice).not_to_contain_text("Tonight I am going to")
            axe_clean(page)

        # 8. The clinician opens it and takes the case on.
        orla.get_by_role("link", name=re.compile("A community post needs a human now")).click()
        expect(orla).to_have_url(re.compile(r"/community/moderation\?case="))
        expect(orla.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        crisis = (
            orla.get_by_role("list", name="Posts to review, crisis holds first")
            .get_by_role("article")
            .first
        )
        expect(crisis).to_contain_text("Held for crisis language.")
        expect(crisis).to_contain_text("Take it on by")
        axe_clean(orla)
        crisis.get_by_role("button", name="I am taking this on").click()
        expect(orla.get_by_role("status").filter(has_text="Acknowledged")).to_be_visible()
        expect(crisis).to_contain_text("Someone has taken this on.")
        axe_clean(orla)
        assert people.problems == []
    finally:
        people.close()

    with api_as(base, clinician) as as_clinician:
        cases = ok(as_clinician.get("/api/community/moderation/crisis"))
    assert [c["status"] for c in cases["cases"]] == ["acknowledged"]
