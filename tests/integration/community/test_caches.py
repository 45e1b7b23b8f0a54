"""What the node keeps in memory for speed never shows stale rules or text: a watched word added or
deleted applies to the very next post although the rules were just read, and a moderator's edit
is what the next read shows although the old text was rendered."""

from __future__ import annotations

from tests.integration.community.moderation_support import post, room
from tests.integration.community.support import read

API = "/api/community"


async def test_a_watched_word_applies_to_the_next_post_after_the_rules_were_read(client, person):
    r = await room(client, person)
    before = await post(client, r.member, r.slug, "Such a drat of a day")
    assert "drat" in before["post"]["html"]  # the community's rules are now held in memory
    added = await client.post(f"{API}/moderation/rules", params={"community": r.slug},
                              json={"word": "drat", "action": "censor"},
                              headers=r.moderator.headers)  # fmt: skip
    assert added.status_code == 201, added.text
    censored = await post(client, r.member, r.slug, "Another drat of a day")
    assert "drat" not in censored["post"]["html"] and "\u25a0" in censored["post"]["html"]
    gone = await client.delete(f"{API}/moderation/rules/{added.json()['id']}",
                               headers=r.moderator.headers)  # fmt: skip
    assert gone.status_code == 204, gone.text
    after = await post(client, r.member, r.slug, "A third drat of a day")
    assert "drat" in after["post"]["html"]


async def test_a_moderators_edit_is_what_the_next_read_shows(client, person):
    r = await room(client, person)
    made = await post(client, r.member, r.slug, "The **first** words")
    thread_id = made["thread"]["id"]
    assert "<strong>first</strong>" in (await read(client, r.other, thread_id))["posts"][0]["html"]
    edited = await client.post(
        f"{API}/posts/{made['post']['id']}/moderation/edit",
        json={"body": "The *second* words", "note": "Tidied", "reason": "Formatting"},
        headers=r.moderator.headers,
    )
    assert edited.status_code == 200, edited.text
    html = (await read(client, r.other, thread_id))["posts"][0]["html"]
    assert "<em>second</em>" in html and "first" not in html
