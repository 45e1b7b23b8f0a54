"""The node keeps posts' HTML by post id and stored ciphertext (community/render_cache.py): a
thread page never shows kept text after an edit, a moderator's edit or hide, a crisis hold or an
erasure, nor after a write this node did not make (another node's, a bulk UPDATE)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from careverse.community.models import Post
from careverse.community.render_cache import RenderedPosts, posts_html
from careverse.kernel import crypto
from careverse.privacy.service import PrivacyService
from tests.integration.community.moderation_support import post, room
from tests.integration.community.support import read, reply

API = "/api/community"


@pytest.fixture
def settings_overrides() -> dict:
    return {"erasure_grace_days": 0}


def html_of(page: dict, post_id: str) -> str | None:
    found = [p for p in page["posts"] if p["id"] == post_id]
    return found[0]["html"] if found else None


async def kept(client, r, body: str) -> tuple[str, str]:
    """A topic by the member, read twice by another member: the second read is from the kept
    HTML (the body is not decrypted again)."""
    made = await post(client, r.member, r.slug, body)
    thread_id, post_id = made["thread"]["id"], made["post"]["id"]
    first = await read(client, r.other, thread_id)
    assert uuid.UUID(post_id) in posts_html
    hits = posts_html.hits
    assert html_of(await read(client, r.other, thread_id), post_id) == html_of(first, post_id)
    assert posts_html.hits > hits
    return thread_id, post_id


async def test_a_moderators_edit_is_read_at_once_though_the_text_was_kept(client, person):
    r = await room(client, person)
    thread_id, post_id = await kept(client, r, "The **first** words")
    edited = await client.post(
        f"{API}/posts/{post_id}/moderation/edit",
        json={"body": "The *second* words", "note": "Tidied", "reason": "Formatting"},
        headers=r.moderator.headers,
    )
    assert edited.status_code == 200, edited.text
    html = html_of(await read(client, r.other, thread_id), post_id)
    assert html is not None and "<em>second</em>" in html and "first" not in html


async def test_a_hidden_post_is_not_shown_and_leaves_the_kept_html(client, person):
    r = await room(client, person)
    thread_id, post_id = await kept(client, r, "Something a moderator will hide")
    hidden = await client.post(f"{API}/posts/{post_id}/moderation/hide",
                               json={"reason": "Off topic for this group"},
                               headers=r.moderator.headers)  # fmt: skip
    assert hidden.status_code == 200, hidden.text
    assert uuid.UUID(post_id) not in posts_html
    assert html_of(await read(client, r.other, thread_id), post_id) is None
    own = await read(client, r.member, thread_id)  # the author still sees it, marked hidden
    assert "a moderator will hide" in (html_of(own, post_id) or "")
    assert html_of(await read(client, r.other, thread_id), post_id) is None


async def test_a_crisis_hold_takes_a_kept_post_off_the_page(client, person):
    r = await room(client, person)
    thread_id, post_id = await kept(client, r, "A post someone is worried about")
    flagged = await client.post(f"{API}/posts/{post_id}/flags", json={"reason": "crisis"},
                                headers=r.other.headers)  # fmt: skip
    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["state"] == "held"
    assert html_of(await read(client, r.other, thread_id), post_id) is None
    staff = await read(client, r.moderator, thread_id)  # staff see it held, with its text
    (held,) = [p for p in staff["posts"] if p["id"] == post_id]
    assert held["state"] == "held"


async def test_an_erased_members_kept_posts_never_come_back(app, client, person):
    r = await room(client, person)
    thread_id, post_id = await kept(client, r, "My whole story, unforgettable.")
    await reply(client, r.other, thread_id, "Thank you for sharing")
    assert (await client.delete("/api/me", headers=r.member.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
    assert uuid.UUID(post_id) not in posts_html  # dropped by the erasure on this node
    page = await read(client, r.other, thread_id)
    assert html_of(page, post_id) == "" and "unforgettable" not in str(page)
    # Even published again by a write this node did not see, the emptied body is what shows.
    async with app.state.runtime.db.session() as session:
        await session.execute(update(Post).where(Post.id == uuid.UUID(post_id))
                              .values(state="published"))  # fmt: skip
        await session.commit()
    assert "unforgettable" not in str(await read(client, r.other, thread_id))


async def test_a_write_by_another_node_is_read_at_once(app, client, person):
    """Another node's edit (here a bulk UPDATE this node's code did not make) changes the stored
    ciphertext, so the kept HTML is not used."""
    r = await room(client, person)
    thread_id, post_id = await kept(client, r, "Text as first written")
    async with app.state.runtime.db.session() as session:
        await session.execute(update(Post).where(Post.id == uuid.UUID(post_id))
                              .values(body="Text as changed elsewhere"))  # fmt: skip
        await session.commit()
    html = html_of(await read(client, r.other, thread_id), post_id) or ""
    assert "changed elsewhere" in html and "first" not in html


def test_the_kept_html_is_bounded_and_keyed_by_the_ciphertext(monkeypatch):
    ring = crypto.KeyRing.generate()
    monkeypatch.setattr(crypto, "_active", ring)
    cache = RenderedPosts(max_entries=2, max_chars=10_000)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sealed = ring.encrypt("one")
    assert cache.html(a, sealed) == "<p>one</p>\n"
    assert cache.html(a, ring.encrypt("one")) == "<p>one</p>\n" and cache.misses == 2  # new write
    assert cache.html(a, cache._entries[a][0]) and cache.hits == 1
    cache.html(b, ring.encrypt("two"))
    cache.html(c, ring.encrypt("three"))
    assert len(cache) == 2 and a not in cache  # least recently used out
    small = RenderedPosts(max_entries=100, max_chars=200)
    for _ in range(10):
        small.html(uuid.uuid4(), ring.encrypt("x" * 20))
    assert small._chars <= 200 and len(small) < 10
    cache.forget([b, c])
    assert len(cache) == 0
