"""An erased member's posts become "[removed]" tombstones owned by no one; the replies of others
stay in place; their pseudonym, memberships, reactions, bookmarks and reading are gone."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from careverse.community.models import Post, PostTerm, Pseudonym
from careverse.privacy.service import PrivacyService
from tests.integration.community.support import community, join, read, reply, topic


@pytest.fixture
def settings_overrides() -> dict:
    return {"erasure_grace_days": 0}


async def test_an_erased_members_posts_become_tombstones(app, client, person):
    admin, leaving, staying = await person("admin"), await person("patient"), await person()
    c = await community(client, admin, kind="condition")
    await join(client, leaving, c["slug"])
    await join(client, staying, c["slug"])
    started = await topic(client, leaving, c["slug"], body="My whole story, unforgettable.")
    thread_id = started["thread"]["id"]
    answer = await reply(client, staying, thread_id, "Thank you for sharing",
                         quote_post_id=started["post"]["id"])  # fmt: skip
    await reply(client, leaving, thread_id, "By name as well", identity="name")

    assert (await client.delete("/api/me", headers=leaving.headers)).status_code == 202
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1

    page = await read(client, staying, thread_id)
    assert page["thread"]["title"] == "[removed]"
    first, second, third = page["posts"]
    for tombstone in (first, third):
        assert tombstone["state"] == "removed" and tombstone["html"] == ""
        assert tombstone["author"] == {"handle": None, "name": None, "badge": None, "mine": False}
    assert second["id"] == answer["post"]["id"] and second["html"].startswith("<p>Thank you")
    assert second["quote"]["excerpt"] == ""
    hits = await client.get(f"/api/community/communities/{c['slug']}/search",
                            params={"q": "unforgettable"}, headers=staying.headers)  # fmt: skip
    assert hits.json()["hits"] == []
    async with app.state.runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Pseudonym)) == 1  # staying's
        erased = await session.get(Post, uuid.UUID(started["post"]["id"]))
        assert erased is not None and erased.body == "" and erased.pseudonym_id is None
        terms = select(func.count()).select_from(PostTerm).where(PostTerm.post_id == erased.id)
        assert await session.scalar(terms) == 0
