"""Limits on posting: per-trust-level rate limits and per-topic and per-member slow mode answer
429 with Retry-After and a clear message; who set slow mode, why and until when is audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from careverse.community import trust
from careverse.kernel import clock
from tests.integration.community.support import community, join, reply, topic
from tests.integration.privacy.support import audit_rows

API = "/api/community"


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 7 * 24 * 3600}


async def test_a_new_member_is_held_to_the_new_level_limits(client, person, fake_clock):
    admin, newcomer = await person("admin"), await person("caregiver")
    c = await community(client, admin)
    await join(client, newcomer, c["slug"])
    new = trust.LEVELS[0]
    for i in range(new.topics_per_day):
        await topic(client, newcomer, c["slug"], title=f"Question {i}")
        fake_clock.advance(minutes=1)
    refused = await client.post(
        f"{API}/communities/{c['slug']}/threads",
        json={"title": "One more", "body": "Another question"}, headers=newcomer.headers,
    )  # fmt: skip
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("At your trust level (new) you may write 3 new")
    # The first topic leaves the day's window 24 h after it was written.
    assert int(refused.headers["Retry-After"]) == 24 * 3600 - 3 * 60
    fake_clock.advance(hours=24)
    await topic(client, newcomer, c["slug"], title="Next day")


async def test_replies_per_hour_are_limited_too(client, person, fake_clock):
    admin, writer, other = await person("admin"), await person("patient"), await person("patient")
    c = await community(client, admin, kind="condition")
    for who in (writer, other):
        await join(client, who, c["slug"])
    thread_id = (await topic(client, other, c["slug"]))["thread"]["id"]
    for i in range(trust.LEVELS[0].posts_per_hour):
        await reply(client, writer, thread_id, f"Reply {i}")
    refused = await reply(client, writer, thread_id, "Too many", expect=429)
    assert "10 posts an hour" in refused["detail"]
    await reply(client, other, thread_id, "Others may still post")  # the limit is per person


async def test_topic_slow_mode_is_audited_and_answers_429(app, client, person, fake_clock):
    admin, a, b, facilitator = (await person("admin"), await person(), await person(),
                                await person("caregiver"))  # fmt: skip
    c = await community(client, admin)
    for who in (a, b, facilitator):
        await join(client, who, c["slug"])
    thread_id = (await topic(client, a, c["slug"]))["thread"]["id"]
    url = f"{API}/threads/{thread_id}/slow-mode"
    body = {"seconds": 600, "reason": "Heated discussion; give everyone time."}
    assert (await client.put(url, json=body, headers=a.headers)).status_code == 403
    no_reason = await client.put(url, json={"seconds": 600}, headers=admin.headers)
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == [
        "body", "reason"
    ]  # fmt: skip
    past = (clock.now() - timedelta(hours=1)).isoformat()
    assert (await client.put(url, json={**body, "until": past},
                             headers=admin.headers)).status_code == 422  # fmt: skip
    until = (clock.now() + timedelta(hours=2)).isoformat()
    on = await client.put(url, json={**body, "until": until}, headers=admin.headers)
    assert on.status_code == 200 and on.json()["seconds"] == 600

    await reply(client, b, thread_id, "First")
    fake_clock.advance(seconds=60)
    refused = await reply(client, b, thread_id, "Second too soon", expect=429)
    assert refused["detail"] == (
        "Slow mode is on in this topic: one post every 10 minutes. You can post again in 9 minutes."
    )
    await reply(client, facilitator, thread_id, "Someone who has not posted here may")
    fake_clock.advance(seconds=540)
    await reply(client, b, thread_id, "After the wait")
    (row,) = await audit_rows(app, action="community.slow_mode.topic")
    assert (row.actor_id, row.resource_id) == (admin.id, thread_id)
    detail = json.loads(row.detail or "null")
    assert detail["seconds"] == 600 and detail["reason"] == body["reason"] and detail["until"]
    fake_clock.advance(hours=3)  # slow mode ended by itself
    await reply(client, b, thread_id, "x")
    await reply(client, b, thread_id, "y")


async def test_member_slow_mode_is_set_from_a_post_without_naming_its_author(
    app, client, person, fake_clock
):
    admin, writer, moderator = await person("admin"), await person(), await person("moderator")
    c = await community(client, admin)
    await join(client, writer, c["slug"])
    started = await topic(client, writer, c["slug"])
    url = f"{API}/posts/{started['post']['id']}/author-slow-mode"
    answer = await client.put(url, json={"seconds": 3600, "reason": "Repeated off-topic posts."},
                              headers=moderator.headers)  # fmt: skip
    assert answer.status_code == 200 and answer.json() == {"seconds": 3600, "until": None}
    assert str(writer.id) not in answer.text
    fake_clock.advance(seconds=30)
    refused = await client.post(f"{API}/threads/{started['thread']['id']}/posts",
                                json={"body": "again"}, headers=writer.headers)  # fmt: skip
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3570"
    assert "Slow mode is on in this community" in refused.json()["detail"]
    (row,) = await audit_rows(app, action="community.slow_mode.member")
    assert (
        row.actor_id == moderator.id
        and json.loads(row.detail or "null")["post"] == started["post"]["id"]
    )
    off = await client.put(url, json={"seconds": 0}, headers=moderator.headers)
    assert off.json() == {"seconds": None, "until": None}
    await reply(client, writer, started["thread"]["id"], "Back to normal")


def test_trust_levels_are_earned_by_reading_visiting_and_standing():
    assert trust.earned(0, 0, True, clinician=False) == 0
    assert trust.earned(30, 2, True, clinician=False) == 1
    assert trust.earned(100, 9, True, clinician=False) == 1
    assert trust.earned(500, 50, True, clinician=False) == 3
    assert trust.earned(500, 50, False, clinician=False) == 0
    assert trust.earned(0, 0, True, clinician=True) == 2
