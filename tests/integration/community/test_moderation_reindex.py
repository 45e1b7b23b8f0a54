"""A moderator's edit re-indexes the post for search; the post JSON shows only the tags a
reader's client acts on (``cw-method``), never the moderators' own."""

from __future__ import annotations

from tests.integration.community.moderation_support import post, room
from tests.integration.community.support import read

API = "/api/community"


async def _search(client, who, slug: str, q: str) -> list[str]:
    answer = await client.get(f"{API}/communities/{slug}/search", params={"q": q},
                              headers=who.headers)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return [h["post"]["id"] for h in answer.json()["hits"]]


async def test_a_moderators_edit_is_what_search_finds(client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Ring Bramblewick clinic on 07700 900123")
    pid = answered["post"]["id"]
    assert await _search(client, r.other, r.slug, "bramblewick") == [pid]
    edited = await client.post(
        f"{API}/posts/{pid}/moderation/edit",
        json={"body": "Ask your GP about respite", "note": "phone number removed",
              "reason": "Personal details"},
        headers=r.moderator.headers,
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert await _search(client, r.other, r.slug, "bramblewick") == []  # the old words are gone
    assert await _search(client, r.other, r.slug, "respite") == [pid]  # the new ones are found
    assert await _search(client, r.other, r.slug, "removed") == [pid]  # and the visible note
    assert await _search(client, r.other, r.slug, "nights hard") == [pid]  # the title still


async def test_a_hidden_post_edited_stays_out_of_search(client, person):
    r = await room(client, person)
    answered = await post(client, r.member, r.slug, "Something about Quillmoor")
    pid = answered["post"]["id"]
    for action, body in (("hide", {"reason": "Off topic"}),
                         ("edit", {"body": "Quillmoor respite", "note": "tidied",
                                   "reason": "Tidy"})):  # fmt: skip
        answer = await client.post(f"{API}/posts/{pid}/moderation/{action}", json=body,
                                   headers=r.moderator.headers)  # fmt: skip
        assert answer.status_code == 200, answer.text
    assert await _search(client, r.moderator, r.slug, "quillmoor") == []


async def test_the_post_json_shows_the_content_warning_tag_and_no_other(client, person):
    r = await room(client, person)
    rule = await client.post(f"{API}/moderation/rules", params={"community": r.slug},
                             json={"word": "ketamine", "action": "tag",
                                   "replacement": "drugs-watch"},
                             headers=r.moderator.headers)  # fmt: skip
    assert rule.status_code == 201, rule.text
    story = "When I was 16 I tried to hang myself with a rope. I am in recovery now. Ketamine too."
    answered = await post(client, r.member, r.slug, story)
    assert answered["post"]["tags"] == ["cw-method"]
    page = await read(client, r.other, answered["thread"]["id"])
    assert page["posts"][0]["tags"] == ["cw-method"]
    assert "lived-experience" not in str(page) and "drugs-watch" not in str(page)
    queued = await client.get(f"{API}/moderation/queue", headers=r.moderator.headers)
    assert queued.status_code == 200  # the moderators' own view is unchanged by this
