"""The crisis path: a post with crisis language is held (never deleted), the writer sees the
message of concern, the community's staff and the on-call clinician are alerted with a deadline
that escalates; a false positive is released in one click, audited."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from careverse.community.moderation_review import escalate_crisis_cases
from careverse.kernel.config import DEFAULT_COMMUNITY_CONCERN
from careverse.monitoring.streams import AlertStreams
from tests.integration.community.moderation_support import notices, post, queue, room
from tests.integration.community.support import read
from tests.integration.monitoring.alert_support import alerts
from tests.integration.privacy.support import assign, audit_rows

CRISIS_POST = "I can't do this anymore. I'm going to kill myself tonight."


@pytest.fixture
def settings_overrides() -> dict:
    return {
        "access_token_ttl_seconds": 7 * 24 * 3600,
        "community_concern": {
            "en": DEFAULT_COMMUNITY_CONCERN["en"].model_dump(),
            "fr": {"message": "Merci de nous l'avoir dit.",
                   "resources": [{"name": "3114", "contact": "Appelez le 3114",
                                  "url": "https://3114.fr"}]},
        },
    }  # fmt: skip


async def test_a_crisis_post_is_held_the_writer_sees_concern_and_staff_are_alerted(
    app, client, person
):
    r = await room(client, person)
    seen = notices(app)
    answered = await post(client, r.member, r.slug, CRISIS_POST)
    assert answered["post"]["state"] == "held"
    concern = answered["concern"]
    assert concern["message"] == DEFAULT_COMMUNITY_CONCERN["en"].message
    assert concern["resources"] and set(concern["resources"][0]) == {"name", "contact", "url"}

    # Held, not deleted: the writer still sees it; other members do not.
    thread_id = answered["thread"]["id"]
    mine = await read(client, r.member, thread_id)
    assert [p["state"] for p in mine["posts"]] == ["held"]
    theirs = await read(client, r.other, thread_id)
    assert all(p["state"] == "published" for p in theirs["posts"])
    assert CRISIS_POST not in str(theirs)

    # The moderator (community staff) and, with no on-call clinician configured, every admin.
    told = {n.account_id for n in seen if n.kind == "community.crisis"}
    assert r.moderator.id in told and r.admin.id in told and r.member.id not in told
    crisis_notice = next(n for n in seen if n.account_id == r.moderator.id)
    assert "suicidal language (suicide.intent)" in crisis_notice.body
    assert "kill myself" not in crisis_notice.title and "tonight" not in crisis_notice.body

    (item,) = await queue(client, r.moderator)
    assert item["crisis"]["status"] == "open" and item["crisis"]["acknowledge_by"]
    assert "crisis:rule:suicide.intent" in item["reasons"] and item["body"] == CRISIS_POST
    held = await audit_rows(app, action="community.crisis.hold")
    assert [row.resource_id for row in held] == [item["post_id"]]
    assert "kill" not in (held[0].detail or "")


async def test_the_message_of_concern_follows_the_language(app, client, person):
    r = await room(client, person)
    answer = await client.post(
        f"/api/community/communities/{r.slug}/threads",
        json={"title": "Aide", "body": "I want to die", "identity": "pseudonym"},
        headers={**r.member.headers, "Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["concern"]["resources"][0]["name"] == "3114"


async def test_an_author_with_a_care_team_gets_a_monitoring_alert(app, client, person):
    r = await room(client, person)
    clinician = await person("clinician")
    await assign(client, r.admin, clinician, r.member)
    async with app.state.runtime.get(AlertStreams).subscribe(clinician.id) as sub:
        await post(client, r.member, r.slug, CRISIS_POST)
        message = await asyncio.wait_for(sub.get(), 2)
    (alert,) = await alerts(client, clinician)
    assert message.change == "opened" and str(message.alert_id) == alert["id"]
    assert (alert["source"], alert["severity"], alert["status"]) == ("community", "high", "open")
    assert alert["why"].startswith("Held community post: suicidal language")
    assert "tonight" not in alert["why"]
    opened = datetime.fromisoformat(alert["opened_at"])
    assert datetime.fromisoformat(alert["acknowledge_by"]) - opened == timedelta(minutes=15)


async def test_the_configured_oncall_clinician_is_alerted(app, client, person):
    r = await room(client, person)
    oncall = await person("clinician")
    app.state.runtime.settings.alert_oncall_account_id = str(oncall.id)
    seen = notices(app)
    await post(client, r.member, r.slug, "I cut myself again last night")
    told = {n.account_id for n in seen if n.kind == "community.crisis"}
    assert told == {r.moderator.id, oncall.id}  # admins only when no one is on call
    # The on-call clinician sees and handles the case without being a member.
    cases = (await client.get("/api/community/moderation/crisis", headers=oncall.headers)).json()
    (case,) = cases["cases"]
    assert case["reasons"] == ["rule:self-harm.act", "lexicon:Direct self-injury:cut myself"]
    answer = await client.post(f"/api/community/moderation/crisis/{case['id']}/acknowledge",
                               headers=oncall.headers)  # fmt: skip
    assert answer.status_code == 200 and answer.json()["status"] == "acknowledged"
    assert answer.json()["acknowledge_by"] is None


async def test_an_unacknowledged_case_escalates_to_the_oncall_group(
    app, client, person, fake_clock
):
    r = await room(client, person)
    seen = notices(app)
    await post(client, r.member, r.slug, CRISIS_POST)
    db, settings = app.state.runtime.db, app.state.runtime.settings
    fake_clock.advance(minutes=14)
    assert await escalate_crisis_cases(db, settings) == 0
    fake_clock.advance(minutes=2)
    assert await escalate_crisis_cases(db, settings) == 1
    assert await escalate_crisis_cases(db, settings) == 0  # once
    escalated = {n.account_id for n in seen if n.kind == "community.crisis.escalated"}
    assert r.admin.id in escalated
    (case,) = (await client.get("/api/community/moderation/crisis",
                                headers=r.moderator.headers)).json()["cases"]  # fmt: skip
    assert case["escalated_at"] and case["status"] == "open"
    assert await audit_rows(app, action="community.crisis.escalate")


async def test_an_acknowledged_case_does_not_escalate(app, client, person, fake_clock):
    r = await room(client, person)
    await post(client, r.member, r.slug, CRISIS_POST)
    (case,) = (await client.get("/api/community/moderation/crisis",
                                headers=r.moderator.headers)).json()["cases"]  # fmt: skip
    await client.post(f"/api/community/moderation/crisis/{case['id']}/acknowledge",
                      headers=r.moderator.headers)  # fmt: skip
    fake_clock.advance(minutes=60)
    assert await escalate_crisis_cases(app.state.runtime.db, app.state.runtime.settings) == 0


async def test_a_false_positive_is_released_in_one_click_and_audited(app, client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "My favourite lyric: I want to die young")
    assert answered["post"]["state"] == "held"  # no quotation marks: the screen holds it
    (case,) = (await client.get("/api/community/moderation/crisis",
                                headers=r.moderator.headers)).json()["cases"]  # fmt: skip
    answer = await client.post(f"/api/community/moderation/crisis/{case['id']}/release",
                               json={}, headers=r.moderator.headers)  # fmt: skip
    assert answer.status_code == 200 and answer.json()["state"] == "published"
    page = await read(client, r.other, answered["thread"]["id"])
    assert [p["state"] for p in page["posts"]] == ["published"]
    assert await queue(client, r.moderator) == []
    rows = await audit_rows(app, action="community.moderation.approve")
    assert rows and rows[0].actor_id == r.moderator.id


async def test_a_members_crisis_flag_holds_the_post_and_alerts(app, client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Everything feels pointless lately.")
    assert answered["post"]["state"] == "published"
    seen = notices(app)
    answer = await client.post(f"/api/community/posts/{answered['post']['id']}/flags",
                               json={"reason": "crisis", "note": "I'm worried about them"},
                               headers=r.other.headers)  # fmt: skip
    assert answer.status_code == 201 and answer.json()["state"] == "held"
    assert r.moderator.id in {n.account_id for n in seen if n.kind == "community.crisis"}


async def test_crisis_case_actions_are_for_staff_and_oncall_only(app, client, person):
    r = await room(client, person)
    await post(client, r.member, r.slug, CRISIS_POST)
    (case,) = (await client.get("/api/community/moderation/crisis",
                                headers=r.moderator.headers)).json()["cases"]  # fmt: skip
    for who in (r.other, r.member):
        answer = await client.post(f"/api/community/moderation/crisis/{case['id']}/release",
                                   json={}, headers=who.headers)  # fmt: skip
        assert answer.status_code == 403
    missing = await client.post(f"/api/community/moderation/crisis/{uuid.uuid4()}/acknowledge",
                                headers=r.moderator.headers)  # fmt: skip
    assert missing.status_code == 404


async def test_the_composer_nudge_shows_concern_before_sending_and_stores_nothing(
    app, client, person
):
    r = await room(client, person)
    before = await audit_rows(app)
    url = "/api/community/moderation/nudge"
    answer = await client.post(url, json={"text": "I want to end my life"},
                               headers=r.member.headers)  # fmt: skip
    assert answer.status_code == 200
    assert answer.json()["crisis"] is True and answer.json()["concern"]["resources"]
    calm = await client.post(url, json={"text": "Dying to see the film"},
                             headers=r.member.headers)  # fmt: skip
    assert calm.json() == {"crisis": False, "concern": None}
    empty = await client.post("/api/community/moderation/nudge", json={"text": ""},
                              headers=r.member.headers)  # fmt: skip
    assert empty.status_code == 422 and "text" in empty.text
    anonymous = await client.post("/api/community/moderation/nudge", json={"text": "x"})
    assert anonymous.status_code == 401
    assert len(await audit_rows(app)) == len(before)


async def test_posts_show_their_tags_and_a_method_is_behind_a_warning(client, person):
    """#chatsafe: the pipeline's tags are in the post JSON (``cw-method`` makes the client show
    the post behind a content warning); a held post's tags are shown only to its writer."""
    r = await room(client, person)
    story = "When I was 16 I tried to hang myself with a rope. I am in recovery now."
    answered = await post(client, r.member, r.slug, story)
    assert answered["post"]["state"] == "published"
    assert answered["post"]["tags"] == ["cw-method"]  # lived-experience is the moderators' own
    plain = await client.post(f"/api/community/threads/{answered['thread']['id']}/posts",
                              json={"body": "Thank you for sharing.", "identity": "pseudonym"},
                              headers=r.other.headers)  # fmt: skip
    assert plain.status_code == 201 and plain.json()["post"]["tags"] == []
    page = await read(client, r.other, answered["thread"]["id"])
    assert [p["tags"] for p in page["posts"]] == [["cw-method"], []]

    method = "I have 40 paracetamol and I'm going to end my life"
    held = await post(client, r.member, r.slug, method)
    assert held["post"]["state"] == "held" and "cw-method" in held["post"]["tags"]
    theirs = await read(client, r.other, held["thread"]["id"])
    assert all(p["tags"] == [] for p in theirs["posts"])
