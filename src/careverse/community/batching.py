"""Group commit for replies: the replies that reach a node while it is writing are written
together, in one session and one transaction, with one query each for what every post needs.

A reply (``ThreadService.reply`` outside any caller's transaction, with the node's full
:class:`~careverse.community.moderation_review.ModerationReviewer`) is queued here; the node's
one committer takes whatever has queued (up to ``MAX_BATCH``) and hands it to
:func:`careverse.community.batch_post.post_batch`. Each caller awaits its own answer:

* a reply refused by a rule (404, 403, 422, 429: the same answers, in the same order of checks,
  as when it is posted alone) gets its refusal and is not written; the others in its batch are;
* when the batch's transaction fails (two writers took the same place in a thread, a database
  error), nothing of it was written and every reply of the batch is posted again alone through
  the ordinary path, so each gets the answer it would have had (a 409 for the one that lost).

Every rule still runs for every post (limits and slow mode per member, penalties, watched words,
the crisis screen, holds, crisis cases with their audit and alerts, the search terms, the live
event); a batch only shares the reads and the commit. Nothing is waited for when the committer
is idle: a lone reply is written at once, as a batch of one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import event

from careverse.community.batch_post import Request, Timings, post_batch
from careverse.community.moderation_review import ModerationReviewer
from careverse.community.posts import Posted, ThreadService
from careverse.community.review import PostReviewer
from careverse.kernel.errors import DomainError

if TYPE_CHECKING:
    from careverse.kernel.db import Database
    from careverse.kernel.policy import Actor

log = structlog.get_logger(__name__)

MAX_BATCH = 64


class PostBatcher:
    """The node's committer of replies (``runtime.get(PostBatcher)``)."""

    def __init__(self, db: Callable[[], Database], max_batch: int = MAX_BATCH):
        self._db = db  # the node's database, once it has started
        self.max_batch = max_batch
        self.timings = Timings()
        self._queue: list[Request] = []
        self._task: asyncio.Task[None] | None = None

    def batchable(self, reviewer: PostReviewer) -> bool:
        """Only the node's full reviewer is batched (the rules ``post_batch`` applies)."""
        return type(reviewer) is ModerationReviewer

    async def reply(
        self, reviewer: PostReviewer, actor: Actor, thread_id: uuid.UUID, body: str,
        identity: str, quote_post_id: uuid.UUID | None, language: str | None,
    ) -> Posted:  # fmt: skip
        future: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._queue.append(Request(actor, thread_id, body, identity, quote_post_id, language,
                                   reviewer, future))  # fmt: skip
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # replies sent at the same moment join the first batch
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                await self._write(batch)
            except BaseException as exc:  # never leave a caller waiting
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise

    async def _write(self, batch: list[Request]) -> None:
        started = time.perf_counter()
        committed = False

        def _committed(_session) -> None:
            nonlocal committed
            committed = True

        try:
            async with self._db().session() as session:
                event.listen(session.sync_session, "after_commit", _committed)
                answers = await post_batch(session, batch, self.timings)
        except Exception as exc:
            if committed:  # written; an after-commit step failed (logged by the dispatcher)
                log.error("community.batch_after_commit_failed", error=type(exc).__name__)
                raise
            self.timings.fallbacks += 1
            log.warning("community.batch_fallback", size=len(batch), error=type(exc).__name__)
            await self._one_by_one(batch)
            return
        for request, answer in zip(batch, answers, strict=True):
            if request.future.done():  # the caller went away; the post stands
                continue
            if isinstance(answer, DomainError):
                request.future.set_exception(answer)
            else:
                request.future.set_result(answer)
        self.timings.batches += 1
        self.timings.posts += len(batch)
        self.timings.add("batch_total", time.perf_counter() - started)

    async def _one_by_one(self, batch: list[Request]) -> None:
        """Each reply of a failed batch alone, through the ordinary path (its own answer)."""
        for request in batch:
            if request.future.done():
                continue
            try:
                async with self._db().session() as session:
                    posted = await ThreadService(session, request.reviewer).reply_now(
                        request.actor, request.thread_id, request.body, request.identity,
                        request.quote_post_id, request.language,
                    )  # fmt: skip
            except Exception as exc:
                if not request.future.done():
                    request.future.set_exception(exc)
                continue
            if not request.future.done():
                request.future.set_result(posted)
