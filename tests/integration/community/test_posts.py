"""Threads and posts: replies with quotes, reactions, bookmarks, the accepted answer, unread
counts, search, mentions (a notice without health data) and Markdown served sanitised."""

from __future__ import annotations

import pytest

from careverse.kernel.events import Phase
from careverse.kernel.notify import NotificationRequested
from tests.integration.community.support import community, join, read, reply, topic

API = "/api/community"


@pytest.fixture
def notices(app) -> list[NotificationRequested]:
    told: list[NotificationRequested] = []

    async def collect(event: NotificationRequested) -> None:
        told.append(event)

    app.state.runtime.events.subscribe(NotificationRequested, collect, phase=Phase.COMMITTED)
    return told


async def members(client, person, kind="caregiver", n=2):
    admin = await person("admin")
    c = await community(client, admin, kind=kind)
    people = [await person("caregiver") for _ in range(n)]
    for p in people:
        await join(client, p, c["slug"])
    return c, people


async def test_replies_quotes_reactions_bookmarks_and_the_accepted_answer(client, person):
    c, (asker, helper) = await members(client, person)
    started = await topic(client, asker, c["slug"], body="Any tips for **sleep**?")
    thread_id, first = started["thread"]["id"], started["post"]
    assert started["post"]["state"] == "published" and started["concern"] is None
    assert first["html"] == "<p>Any tips for <strong>sleep</strong>?</p>\n"
    answer = await reply(client, helper, thread_id, "A warm bath helps.", quote_post_id=first["id"])
    quote = answer["post"]["quote"]
    assert quote["post_id"] == first["id"] and quote["excerpt"] == "Any tips for **sleep**?"
    assert quote["author"]["handle"] == first["author"]["handle"]

    react = await client.post(
        f"{API}/posts/{answer['post']['id']}/reactions",
        json={"kind": "helpful"},
        headers=asker.headers,
    )
    assert react.json()["reactions"]["helpful"] == 1 and react.json()["my_reactions"] == ["helpful"]
    twice = await client.post(
        f"{API}/posts/{answer['post']['id']}/reactions",
        json={"kind": "helpful"},
        headers=asker.headers,
    )
    assert twice.json()["reactions"]["helpful"] == 1
    bad = await client.post(
        f"{API}/posts/{answer['post']['id']}/reactions",
        json={"kind": "angry"},
        headers=asker.headers,
    )
    assert bad.status_code == 422
    gone = await client.delete(
        f"{API}/posts/{answer['post']['id']}/reactions/helpful", headers=asker.headers
    )
    assert gone.json()["reactions"]["helpful"] == 0

    mark = await client.put(f"{API}/posts/{answer['post']['id']}/bookmark", headers=asker.headers)
    assert mark.status_code == 204
    marked = (await client.get(f"{API}/me/bookmarks", headers=asker.headers)).json()["posts"]
    assert [p["id"] for p in marked] == [answer["post"]["id"]] and marked[0]["bookmarked"]
    assert (await client.get(f"{API}/me/bookmarks", headers=helper.headers)).json()["posts"] == []

    accepted = f"{API}/threads/{thread_id}/accepted"
    not_asker = await client.put(
        accepted, json={"post_id": answer["post"]["id"]}, headers=helper.headers
    )
    assert not_asker.status_code == 403
    own_topic = await client.put(accepted, json={"post_id": first["id"]}, headers=asker.headers)
    assert own_topic.status_code == 422
    ok = await client.put(accepted, json={"post_id": answer["post"]["id"]}, headers=asker.headers)
    assert ok.json() == {"accepted_post_id": answer["post"]["id"]}
    page = await read(client, helper, thread_id)
    assert [p["accepted"] for p in page["posts"]] == [False, True]
    assert page["thread"]["accepted_post_id"] == answer["post"]["id"]


async def test_unread_counts_follow_what_was_read(client, person):
    c, (a, b) = await members(client, person)
    started = await topic(client, a, c["slug"])
    thread_id = started["thread"]["id"]

    async def unread(who) -> int:
        listed = await client.get(f"{API}/communities/{c['slug']}/threads", headers=who.headers)
        (thread,) = listed.json()["threads"]
        return thread["unread"]

    assert await unread(b) == 1
    await read(client, b, thread_id)
    assert await unread(b) == 0
    await reply(client, a, thread_id, "One more thing")
    await reply(client, a, thread_id, "And another")
    assert await unread(b) == 2
    later = await client.get(f"{API}/threads/{thread_id}?after=1", headers=b.headers)
    assert [p["seq"] for p in later.json()["posts"]] == [2, 3]
    assert await unread(b) == 0
    trust = (await client.get(f"{API}/me/trust", headers=b.headers)).json()
    assert trust["posts_read"] == 3 and trust["level"] == 0 and trust["days_visited"] == 1


async def test_search_finds_whole_words_in_the_community_only(client, person):
    c, (a, b) = await members(client, person)
    other, (outsider,) = await members(client, person, n=1)
    await topic(client, a, c["slug"], title="Respite care", body="Who offers respite at weekends?")
    await topic(client, a, c["slug"], title="Meals", body="Batch cooking saves my evenings.")
    await topic(client, outsider, other["slug"], title="Respite", body="Respite in the north?")

    async def search(q: str, who=b, slug=c["slug"]):
        return await client.get(
            f"{API}/communities/{slug}/search", params={"q": q}, headers=who.headers
        )

    hits = (await search("RESPITE weekends")).json()["hits"]
    assert [h["thread"]["title"] for h in hits] == ["Respite care"]
    assert [h["thread"]["title"] for h in (await search("respite")).json()["hits"]] == [
        "Respite care"
    ]
    assert (await search("cooking")).json()["hits"][0]["post"]["html"].startswith("<p>Batch")
    assert (await search("nothing-like-this")).json()["hits"] == []
    assert (await search("!")).status_code == 422
    assert (await search("respite", slug="nope")).status_code == 404


async def test_a_mention_tells_the_member_without_health_data(client, person, notices):
    c, (a, b) = await members(client, person)
    named = await person("caregiver", name="Amara Okafor")
    await join(client, named, c["slug"])
    started = await topic(client, a, c["slug"], body="My mother's dementia is worse this week.")
    handle = started["post"]["author"]["handle"]
    first_name = "amara"  # a unique first name among the members, any case
    await reply(client, named, started["thread"]["id"], "Thinking of you.", identity="name")
    notices.clear()
    await reply(
        client, b, started["thread"]["id"], f"@{handle} and @{first_name}: you're not alone"
    )
    told = {n.account_id: n for n in notices if n.kind == "community.mention"}
    assert set(told) == {a.id, named.id}
    notice = told[a.id]
    assert notice.title == "You were mentioned in a community discussion"
    assert "dementia" not in notice.title + notice.body and notice.email is False
    assert notice.link == f"/community/threads/{started['thread']['id']}#post-3"


async def test_markdown_is_served_sanitised(client, person):
    c, (a, _) = await members(client, person)
    body = '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(2)">'
    html = (await topic(client, a, c["slug"], body=body))["post"]["html"]
    assert "<script" not in html and "<img" not in html and "<a" not in html
    assert "&lt;script&gt;" in html and "[x](javascript:alert(1))" in html  # text, not a link
    link = (await topic(client, a, c["slug"], body="[ok](https://example.org)"))["post"]["html"]
    assert link == (
        '<p><a href="https://example.org" rel="noopener noreferrer nofollow ugc">ok</a></p>\n'
    )


async def test_posting_bad_input_answers_4xx(client, person):
    c, (a, b) = await members(client, person)
    started = await topic(client, a, c["slug"])
    thread_id = started["thread"]["id"]
    assert (await reply(client, b, thread_id, "   ", expect=422))["detail"][0]["loc"] == [
        "body",
        "body",
    ]
    await reply(client, b, thread_id, "x" * 20_001, expect=422)
    await reply(client, b, thread_id, "ok", expect=422, identity="everyone")
    await reply(client, b, thread_id, "ok", expect=422, quote_post_id="not-a-uuid")
    await reply(
        client, b, thread_id, "ok", expect=422, quote_post_id="00000000-0000-0000-0000-000000000000"
    )
    await reply(client, b, "00000000-0000-0000-0000-000000000000", "ok", expect=404)
    await reply(client, b, "not-a-thread", "ok", expect=422)
    await topic(client, a, c["slug"], title="", expect=422)
    missing = await client.get(f"{API}/threads/{thread_id}?after=-1", headers=a.headers)
    assert missing.status_code == 422
    stranger = await person("patient")
    await reply(client, stranger, thread_id, "hello", expect=403)
