"""Group commit of replies (community/batching.py): replies sent at the same moment are written
in one transaction, and each still gets the answer it would have had alone."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from careverse.community.batching import PostBatcher
from careverse.community.models import Post, PostTerm, Thread
from careverse.community.moderation_models import CrisisCase, Hold
from careverse.community.posts import Posted, ThreadService
from careverse.community.review import PostReviewer
from careverse.kernel import audit
from careverse.kernel.errors import Conflict, DomainError, Forbidden, InvalidInput, TooManyRequests
from careverse.kernel.policy import Actor, Role
from tests.integration.community.moderation_support import notices, room
from tests.integration.community.support import join, topic
from tests.integration.privacy.support import audit_rows

CRISIS_POST = "I can't do this anymore. I'm going to kill myself tonight."


def actor(who) -> Actor:
    return Actor(account_id=who.id, role=Role(who.role))


async def together(app, *replies: tuple) -> list[Posted | BaseException]:
    """Send the replies at the same moment through the node's batcher, as the API does."""
    runtime = app.state.runtime
    reviewer, batcher = runtime.get(PostReviewer), runtime.get(PostBatcher)

    async def one(who, thread_id, body, kw: dict | None = None) -> Posted:
        kw = kw or {}
        async with runtime.db.session() as session:
            return await ThreadService(session, reviewer, batcher).reply(
                actor(who), uuid.UUID(thread_id), body, kw.get("identity", "pseudonym"),
                kw.get("quote_post_id"), None,
            )  # fmt: skip

    return await asyncio.gather(*(one(*r) for r in replies), return_exceptions=True)


async def posts_of(app, thread_id: str) -> list[Post]:
    async with app.state.runtime.db.session() as session:
        return list((await session.scalars(
            select(Post).where(Post.thread_id == uuid.UUID(thread_id)).order_by(Post.seq)
        )).all())  # fmt: skip


async def test_one_refused_reply_does_not_fail_the_others_of_its_batch(app, client, person):
    r = await room(client, person)
    outsider = await person()  # not a member of the community
    started = await topic(client, r.member, r.slug)
    thread_id = started["thread"]["id"]
    batcher = app.state.runtime.get(PostBatcher)
    batcher.timings.clear()
    answers = await together(
        app,
        (r.member, thread_id, "First of the batch."),
        (outsider, thread_id, "I never joined."),  # 403 not_a_member
        (r.other, thread_id, "   "),  # 422 body
        (r.other, thread_id, "Second of the batch.", {"identity": "nobody"}),
        (r.other, thread_id, "Second of the batch."),
        (r.moderator, thread_id, "Third, under my name.", {"identity": "name"}),
    )
    assert batcher.timings.batches == 1 and batcher.timings.posts == 6  # one transaction
    assert batcher.timings.fallbacks == 0
    assert isinstance(answers[1], Forbidden) and answers[1].code == "not_a_member"
    assert isinstance(answers[2], InvalidInput) and answers[2].field == "body"
    assert isinstance(answers[3], InvalidInput) and answers[3].field == "identity"
    ok = [a for a in answers if isinstance(a, Posted)]
    assert len(ok) == 3
    # In arrival order, one after another in the thread, each answer its own post.
    assert [a.post.post.seq for a in ok] == [2, 3, 4]
    assert [a.post.author.mine for a in ok] == [True, True, True]
    assert ok[2].post.author.name and ok[2].post.author.handle is None
    rows = await posts_of(app, thread_id)
    assert [p.seq for p in rows] == [1, 2, 3, 4]
    assert [p.id for p in rows[1:]] == [a.post.post.id for a in ok]
    async with app.state.runtime.db.session() as session:
        thread = await session.get(Thread, uuid.UUID(thread_id))
        assert thread is not None and thread.post_count == 4
        ids = [p.id for p in rows]
        terms = await session.scalars(select(PostTerm.post_id).where(PostTerm.post_id.in_(ids)))
        indexed = set(terms.all())
        assert set(ids) <= indexed  # every published post is searchable
    # The thread as a reader sees it through the API: the three replies, published.
    page = (await client.get(f"/api/community/threads/{thread_id}", headers=r.other.headers)).json()
    assert [p["seq"] for p in page["posts"]] == [1, 2, 3, 4]
    assert {p["state"] for p in page["posts"]} == {"published"}


async def test_a_crisis_post_in_a_batch_is_held_and_escalated_the_others_published(
    app, client, person
):
    r = await room(client, person)
    seen = notices(app)
    thread_id = (await topic(client, r.moderator, r.slug))["thread"]["id"]
    async with app.state.runtime.db.session() as session:
        before = (await audit.verify(session)).rows
    answers = await together(
        app,
        (r.other, thread_id, "Thinking of you all tonight."),
        (r.member, thread_id, CRISIS_POST),
        (r.other, thread_id, "The respite service was a life saver, honestly."),
    )
    assert all(isinstance(a, Posted) for a in answers), answers
    calm, crisis, after = answers
    assert isinstance(crisis, Posted) and isinstance(calm, Posted) and isinstance(after, Posted)
    assert crisis.post.post.state == "held" and crisis.concern is not None
    assert crisis.concern.resources  # the message of concern with the crisis resources
    assert calm.post.post.state == after.post.post.state == "published"
    assert calm.concern is None and after.concern is None
    async with app.state.runtime.db.session() as session:
        case = await session.scalar(
            select(CrisisCase).where(CrisisCase.post_id == crisis.post.post.id)
        )
        assert case is not None and case.status == "open" and case.acknowledge_by is not None
        held = await session.get(Hold, crisis.post.post.id)
        assert held is not None and held.crisis
        checked = await audit.verify(session)
        assert checked.ok and checked.rows > before  # the chain is whole, the hold is in it
    (row,) = await audit_rows(app, action="community.crisis.hold")
    assert row.resource_id == str(crisis.post.post.id)
    told = {n.account_id for n in seen if n.kind == "community.crisis"}
    assert r.moderator.id in told and r.admin.id in told and r.member.id not in told
    # Other members do not see the held post; its writer does.
    theirs = (await client.get(f"/api/community/threads/{thread_id}",
                               headers=r.other.headers)).json()  # fmt: skip
    assert CRISIS_POST not in str(theirs) and len(theirs["posts"]) == 3


async def test_a_batch_counts_its_own_replies_against_the_rate_limit(app, client, person):
    r = await room(client, person)
    thread_id = (await topic(client, r.moderator, r.slug))["thread"]["id"]
    # A new member may write 10 posts an hour: 12 sent at once, the last two are refused.
    answers = await together(app, *((r.other, thread_id, f"Reply number {i}.") for i in range(12)))
    assert all(isinstance(a, Posted) for a in answers[:10])
    assert all(isinstance(a, TooManyRequests) for a in answers[10:])
    assert "10 posts an hour" in str(answers[10])
    assert [p.seq for p in await posts_of(app, thread_id)] == list(range(1, 12))


async def test_a_failed_batch_is_posted_again_reply_by_reply(app, client, person):
    """Another writer took a thread's next place before the batch committed: the batch's
    transaction fails, nothing of it is kept, and each reply is posted alone: the one in that
    thread gets 409 (as when it is posted alone), the others are stored."""
    r = await room(client, person)
    busy = (await topic(client, r.moderator, r.slug))["thread"]["id"]
    calm = (await topic(client, r.moderator, r.slug, title="Another"))["thread"]["id"]
    async with app.state.runtime.db.session() as session:  # the place 2 of ``busy``, taken
        first = (await posts_of(app, busy))[0]
        session.add(Post(id=uuid.uuid4(), thread_id=first.thread_id,
                         community_id=first.community_id, seq=2, body="Elsewhere.",
                         state="published", created_at=first.created_at))  # fmt: skip
        await session.commit()
    batcher = app.state.runtime.get(PostBatcher)
    batcher.timings.clear()
    answers = await together(
        app,
        (r.other, calm, "Before the clash."),
        (r.member, busy, "This place is taken."),
        (r.other, calm, "After the clash."),
    )
    assert batcher.timings.fallbacks == 1
    assert isinstance(answers[1], Conflict) and answers[1].code == "busy_thread"
    assert [a.post.post.seq for a in (answers[0], answers[2]) if isinstance(a, Posted)] == [2, 3]
    assert [p.seq for p in await posts_of(app, calm)] == [1, 2, 3]
    assert len(await posts_of(app, busy)) == 2


async def test_a_reply_through_the_api_answers_as_before(app, client, person):
    """The API goes through the batcher: the same answers for the same requests."""
    r = await room(client, person)
    outsider = await person()
    thread_id = (await topic(client, r.member, r.slug))["thread"]["id"]
    sent = await asyncio.gather(
        client.post(f"/api/community/threads/{thread_id}/posts",
                    json={"body": "Same here."}, headers=r.other.headers),
        client.post(f"/api/community/threads/{thread_id}/posts",
                    json={"body": "Me too."}, headers=outsider.headers),
        client.post(f"/api/community/threads/{thread_id}/posts",
                    json={"body": CRISIS_POST}, headers=r.other.headers),
    )  # fmt: skip
    assert [s.status_code for s in sent] == [201, 403, 201]
    assert sent[1].json()["code"] == "not_a_member"
    assert sent[0].json()["post"]["state"] == "published" and sent[0].json()["concern"] is None
    assert sent[2].json()["post"]["state"] == "held" and sent[2].json()["concern"]["message"]
    await join(client, outsider, r.slug)
    again = await client.post(f"/api/community/threads/{thread_id}/posts",
                              json={"body": "Me too."}, headers=outsider.headers)  # fmt: skip
    assert again.status_code == 201


async def test_a_lone_reply_is_a_batch_of_one(app, client, person):
    r = await room(client, person)
    thread_id = (await topic(client, r.member, r.slug))["thread"]["id"]
    batcher = app.state.runtime.get(PostBatcher)
    batcher.timings.clear()
    (answer,) = await together(app, (r.other, thread_id, "Alone."))
    assert isinstance(answer, Posted) and not isinstance(answer, DomainError)
    assert batcher.timings.batches == 1 and batcher.timings.posts == 1
