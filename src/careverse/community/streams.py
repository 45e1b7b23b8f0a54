"""Live updates of open thread pages (server-sent events), across nodes.

Every post that becomes visible is published as :class:`PostPublished` in the EVERYWHERE phase:
the bus (Redis pub/sub when several nodes run) carries it to every node, whose
:class:`ThreadStreams` hands it to the pages open on that thread there. Each page then reads the
post fresh through :meth:`ThreadService.post` (the community policy), so a member who left, or a
post held again meanwhile, sends nothing. At-most-once, like the bus: the thread is the truth,
and a page that reconnects asks for the posts after the last ``seq`` it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

from careverse.community.events import PostPublished
from careverse.community.posts import PostView, ThreadService
from careverse.community.review import PostReviewer
from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError
from careverse.kernel.policy import Actor

QUEUE = 256
PING_SECONDS = 15.0


class ThreadStreams:
    """This node's open thread pages, by thread."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[asyncio.Queue[PostPublished]]] = defaultdict(set)

    @contextlib.asynccontextmanager
    async def subscribe(self, thread_id: uuid.UUID) -> AsyncIterator[asyncio.Queue[PostPublished]]:
        queue: asyncio.Queue[PostPublished] = asyncio.Queue(QUEUE)
        self._open[thread_id].add(queue)
        try:
            yield queue
        finally:
            queues = self._open.get(thread_id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._open[thread_id]

    async def on_post_published(self, event: PostPublished) -> None:
        """EVERYWHERE handler: hand the post to the thread's open pages on this node."""
        for queue in tuple(self._open.get(event.thread_id, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stuck page loses, the node doesn't
                queue.put_nowait(event)


def sse(event: str, data: dict, event_id: str | None = None) -> str:
    lines = [f"event: {event}"] + ([f"id: {event_id}"] if event_id else [])
    return "\n".join([*lines, "data: " + json.dumps(data, separators=(",", ":"))]) + "\n\n"


async def post_events(
    db: Database,
    streams: ThreadStreams,
    reviewer: PostReviewer,
    actor: Actor,
    thread_id: uuid.UUID,
    shape: Callable[[PostView], dict],
    ping_seconds: float = PING_SECONDS,
) -> AsyncIterator[str]:
    """``event: post`` for each new post of the thread the caller may see; ``: ping`` between."""
    async with streams.subscribe(thread_id) as queue:
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=ping_seconds)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            try:
                async with db.session() as session:
                    view = await ThreadService(session, reviewer).post(actor, event.post_id)
            except DomainError:
                continue
            yield sse("post", shape(view), str(event.seq))
