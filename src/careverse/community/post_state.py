"""A post's state and its search terms: the moderation side's entry points (inside its unit of
work) and the indexing that posting shares (re-exported by ``community.posts``)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.community import text
from careverse.community.events import PostPublished
from careverse.community.models import Post, PostTerm, Thread
from careverse.community.render_cache import posts_html
from careverse.kernel.errors import InvalidInput
from careverse.kernel.uow import unit_of_work

__all__ = ["index_post", "reindex", "set_state"]


async def set_state(session: AsyncSession, post: Post, state: str) -> None:
    """Change a post's state (the moderation side's entry point, inside its unit of work): a
    post becoming published is indexed for search and pushed to open pages."""
    if state not in ("published", "held", "hidden", "removed"):
        raise InvalidInput("Unknown post state.", field="state")
    was, post.state = post.state, state
    if state == "published" and was != "published":
        await index_post(session, post)
        await unit_of_work(session).publish(
            PostPublished(
                community_id=post.community_id,
                thread_id=post.thread_id,
                post_id=post.id,
                seq=post.seq,
            )
        )
    elif state != "published":
        await session.execute(delete(PostTerm).where(PostTerm.post_id == post.id))
        posts_html.forget([post.id])  # not shown to readers: out of this node's kept HTML


async def index_post(
    session: AsyncSession, post: Post, title: str | None = None, new: bool = False
) -> None:
    if not new:  # a new post has no terms yet
        await session.execute(delete(PostTerm).where(PostTerm.post_id == post.id))
    words = text.terms(post.body if title is None else f"{title} {post.body}")
    session.add_all(PostTerm(post_id=post.id, term=t, community_id=post.community_id)
                    for t in words)  # fmt: skip


async def reindex(session: AsyncSession, post: Post) -> None:
    """Index a post's changed text (a moderator's edit): a published post gets the new words'
    terms (a thread's first post with its title, as when it was written); any other has none."""
    await session.execute(delete(PostTerm).where(PostTerm.post_id == post.id))
    if post.state != "published":
        return
    title = None
    if post.seq == 1:
        thread = await session.get(Thread, post.thread_id)
        title = thread.title if thread is not None else None
    await index_post(session, post, title, new=True)
