"""The unit of work: one transaction per service entry point, committed once, then its events.

A service entry point wraps its work in ``async with unit_of_work(self.session) as uow:``. The
outermost block commits once when it ends without an error and then dispatches the domain events
published in it (see kernel/events.py); an error rolls everything back and drops the events.
Blocks nest: a service entry point that calls another joins its transaction, and only the outermost
commits, so a request that goes through three services still makes one transaction.

A refusal by the access policy is audited on a session of its own, after the caller's
transaction has been rolled back, so a denial never commits the caller's half-done writes (and
never waits on the locks they hold).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.events import DomainEvent, EventDispatcher

log = structlog.get_logger(__name__)

UOW_KEY = "careverse.uow"
EVENTS_KEY = "careverse.events"

Refusal = Callable[[AsyncSession], Awaitable[None] | None]


class UnitOfWork:
    """The transaction of one session, the events it publishes and the refusals it must audit."""

    def __init__(self, session: AsyncSession, dispatcher: EventDispatcher | None) -> None:
        self.session = session
        self.dispatcher = dispatcher
        self.depth = 0
        self._events: list[DomainEvent] = []
        self._refusals: list[Refusal] = []

    @property
    def active(self) -> bool:
        return self.depth > 0

    async def publish(self, event: DomainEvent) -> None:
        """Record ``event``: its TRANSACTION handlers run now, the others after the commit."""
        if self.dispatcher is not None:
            await self.dispatcher.in_transaction(event, self.session)
        self._events.append(event)

    def refused(self, write_audit: Refusal) -> None:
        """Audit a refusal on a session of its own once this transaction has been rolled back."""
        self._refusals.append(write_audit)

    async def __aenter__(self) -> UnitOfWork:
        self.depth += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.depth -= 1
        if self.depth > 0:
            return
        if exc_type is None:
            await self.commit()
        else:
            await self.rollback()

    async def commit(self) -> None:
        """Commit now and dispatch what was published (only the outermost block calls this)."""
        events, self._events = self._events, []
        await self.session.commit()
        if events and self.dispatcher is not None:
            await self.dispatcher.after_commit(events)
        await self._audit_refusals()

    async def rollback(self) -> None:
        self._events = []
        await self.session.rollback()
        await self._audit_refusals()

    async def _audit_refusals(self) -> None:
        refusals, self._refusals = self._refusals, []
        if not refusals:
            return
        async with AsyncSession(self.session.bind, expire_on_commit=False) as own:
            for write in refusals:
                result = write(own)
                if result is not None:
                    await result
            await own.commit()


def unit_of_work(session: AsyncSession) -> UnitOfWork:
    """The unit of work of ``session`` (one per session, made on first use)."""
    uow = session.info.get(UOW_KEY)
    if uow is None:
        uow = UnitOfWork(session, session.info.get(EVENTS_KEY))
        session.info[UOW_KEY] = uow
    return uow


async def audit_refusal(session: AsyncSession, write_audit: Refusal) -> None:
    """Audit a refusal without committing the caller's writes.

    Inside a unit of work the audit waits for its rollback; outside one (a bare session) the
    caller's transaction is rolled back now and the refusal written on a session of its own.
    """
    uow = unit_of_work(session)
    uow.refused(write_audit)
    if not uow.active:
        await uow.rollback()
