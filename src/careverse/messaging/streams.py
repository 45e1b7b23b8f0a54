"""Live notices (server-sent events): each node feeds the inbox streams open on it.

:class:`NotificationRequested` is handled in the EVERYWHERE phase too: after the commit the bus
(Redis pub/sub when several nodes run) carries it to every node, and each node hands it to the
streams its person has open there. A stream sends the kind, the title (no health data) and the
link, never the body; the page then reads its inbox (and unread count) over HTTP. Delivery is
at-most-once, like the bus's: the inbox is the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from careverse.kernel.notify import NotificationRequested

QUEUE = 64  # notices waiting for one slow stream before it starts losing them


class NotificationSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[NotificationRequested] = asyncio.Queue(QUEUE)

    def deliver(self, event: NotificationRequested) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stuck page loses notices, not the node
            self.queue.put_nowait(event)


class NotificationStreams:
    """This node's open inbox streams, by account."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[NotificationSubscription]] = defaultdict(set)

    @contextlib.asynccontextmanager
    async def subscribe(self, account_id: uuid.UUID) -> AsyncIterator[NotificationSubscription]:
        subscription = NotificationSubscription()
        self._open[account_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._open.get(account_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._open[account_id]

    async def on_notification(self, event: NotificationRequested) -> None:
        """EVERYWHERE handler: hand the notice to its person's streams on this node."""
        for subscription in tuple(self._open.get(event.account_id, ())):
            subscription.deliver(event)


async def notification_events(
    streams: NotificationStreams,
    account_id: uuid.UUID,
    ping_seconds: float,
    still_signed_in: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncGenerator[str, None]:
    """``event: notification`` with kind, title and link per notice; ``: ping`` when idle."""
    async with streams.subscribe(account_id) as subscription:
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout=ping_seconds)
            except TimeoutError:
                if still_signed_in is not None and not await still_signed_in():
                    return
                yield ": ping\n\n"
                continue
            data = {"kind": event.kind, "title": event.title, "link": event.link}
            yield "event: notification\ndata: " + json.dumps(data, separators=(",", ":")) + "\n\n"
