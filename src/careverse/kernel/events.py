"""Domain events: typed, immutable facts that one capability publishes and others react to.

A capability declares its events in its own ``events.py`` as subclasses of :class:`DomainEvent`
(frozen msgspec structs, so they cross the bus as compact JSON) and subscribes handlers in its
``setup(runtime)``. Capabilities never call each other's internals to say "this happened": they
publish an event through the unit of work (``await uow.publish(event)``) and the dispatcher runs
the handlers in one of three phases:

- ``TRANSACTION``: inside the publisher's transaction, on its session, before the commit. For
  rows that must change together with the publisher's (an erasure, a consult room): a handler that
  fails fails the whole unit of work.
- ``COMMITTED`` (default): after the commit, on the node that committed, once. The rows are there
  to read. A failing handler is logged and does not undo the committed work.
- ``EVERYWHERE``: after the commit, on every node, carried by the bus (Redis pub/sub when several
  nodes run; in-process otherwise). For what lives in each node's memory (open alert streams,
  connected world clients). Delivery is at-most-once, as the bus's: the database stays the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.kernel.bus import Bus

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "events:"


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every domain event: subclasses are immutable and named for what happened."""

    registry: ClassVar[dict[str, type[DomainEvent]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if name in DomainEvent.registry and DomainEvent.registry[name] is not cls:
            raise TypeError(f"two domain events are named {name}")
        DomainEvent.registry[name] = cls

    @classmethod
    def channel(cls) -> str:
        return CHANNEL_PREFIX + cls.__name__


E = TypeVar("E", bound=DomainEvent)


class Phase(StrEnum):
    TRANSACTION = "transaction"
    COMMITTED = "committed"
    EVERYWHERE = "everywhere"


TransactionHandler = Callable[[Any, AsyncSession], Awaitable[None]]
Handler = Callable[[Any], Awaitable[None]]


class EventDispatcher:
    """The catalogue of handlers of one node, and the runner of each phase."""

    def __init__(self) -> None:
        self._transaction: dict[type[DomainEvent], list[TransactionHandler]] = defaultdict(list)
        self._committed: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._everywhere: dict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._bus: Bus | None = None
        self._reader: asyncio.Task | None = None
        self._ready = asyncio.Event()

    # ---- the catalogue ---------------------------------------------------------------------

    def subscribe(
        self, event_type: type[E], handler: Callable[..., Awaitable[None]], *, phase: Phase
    ) -> None:
        """Run ``handler`` for each ``event_type`` in ``phase`` (see the module's docstring).

        TRANSACTION handlers are called as ``handler(event, session)``; the others as
        ``handler(event)`` and open their own unit of work when they write.
        """
        table = {
            Phase.TRANSACTION: self._transaction,
            Phase.COMMITTED: self._committed,
            Phase.EVERYWHERE: self._everywhere,
        }[phase]
        table[event_type].append(handler)

    def unsubscribe(self, event_type: type[E], handler: Callable[..., Awaitable[None]]) -> None:
        for table in (self._transaction, self._committed, self._everywhere):
            if handler in table.get(event_type, ()):
                table[event_type].remove(handler)

    def catalogue(self) -> dict[str, list[str]]:
        """Event name → the handlers subscribed to it, with their phase (for docs and tests)."""
        out: dict[str, list[str]] = defaultdict(list)
        for phase, table in (
            (Phase.TRANSACTION, self._transaction),
            (Phase.COMMITTED, self._committed),
            (Phase.EVERYWHERE, self._everywhere),
        ):
            for event_type, handlers in table.items():
                for h in handlers:
                    out[event_type.__name__].append(f"{phase}: {h.__module__}.{h.__qualname__}")
        return dict(out)

    # ---- the phases ------------------------------------------------------------------------

    async def in_transaction(self, event: DomainEvent, session: AsyncSession) -> None:
        """Run the TRANSACTION handlers now, in the publisher's session; errors propagate."""
        for handler in tuple(self._transaction.get(type(event), ())):
            await handler(event, session)

    async def after_commit(self, events: Iterable[DomainEvent]) -> None:
        """Run the COMMITTED handlers here and send EVERYWHERE events to every node."""
        for event in events:
            for handler in tuple(self._committed.get(type(event), ())):
                await self._run(handler, event)
            if self._everywhere.get(type(event)):
                await self._broadcast(event)

    async def _run(self, handler: Handler, event: DomainEvent) -> None:
        try:
            await handler(event)
        except Exception as exc:  # the work is committed: one handler's bug must not undo it
            log.error(
                "events.handler_failed",
                domain_event=type(event).__name__,
                handler=f"{handler.__module__}.{handler.__qualname__}",
                error=type(exc).__name__,
            )

    async def _broadcast(self, event: DomainEvent) -> None:
        if self._bus is None:  # not started (a command-line tool): only this process listens
            for handler in tuple(self._everywhere.get(type(event), ())):
                await self._run(handler, event)
            return
        await self._bus.publish(event.channel(), msgspec.json.encode(event))

    # ---- across nodes ----------------------------------------------------------------------

    async def start(self, bus: Bus, ready_within: float = 5.0) -> None:
        """Listen on the bus for the EVERYWHERE events this node has handlers for.

        Waits up to ``ready_within`` seconds for the subscription; a bus that is away (Redis
        down at start) does not stop the node: the reader keeps trying, and ``/readyz`` says so.
        """
        self._bus = bus
        channels = tuple(t.channel() for t in self._everywhere)
        if not channels:
            return
        self._ready.clear()
        self._reader = asyncio.create_task(self._read(bus, channels))
        try:
            await asyncio.wait_for(asyncio.shield(self._ready.wait()), ready_within)
        except TimeoutError:
            log.warning("events.bus_not_ready", channels=len(channels))

    async def _read(self, bus: Bus, channels: tuple[str, ...]) -> None:
        while True:
            try:
                async with bus.subscribe(*channels) as subscription:
                    self._ready.set()
                    async for channel, data in subscription:
                        await self._deliver(channel, data)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the bus went away: try again, as the Redis bus does
                log.warning("events.bus_error", error=type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _deliver(self, channel: str, data: bytes) -> None:
        event_type = DomainEvent.registry.get(channel.removeprefix(CHANNEL_PREFIX))
        if event_type is None:
            return
        try:
            event = msgspec.json.decode(data, type=event_type)
        except msgspec.ValidationError:
            log.warning("events.undecodable", domain_event=event_type.__name__)
            return
        for handler in tuple(self._everywhere.get(event_type, ())):
            await self._run(handler, event)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        self._bus = None
