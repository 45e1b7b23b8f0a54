"""The unit of work and domain events on real databases: one commit, then the events; refusals
audited on their own session; handlers in each phase; events across nodes over Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from careverse.kernel import audit
from careverse.kernel.bus import Bus, RedisBus
from careverse.kernel.db import Database
from careverse.kernel.errors import NotFound
from careverse.kernel.events import DomainEvent, EventDispatcher, Phase
from careverse.kernel.policy import Actor, Category, Role, authorize
from careverse.kernel.uow import unit_of_work
from tests.conftest import REDIS_URL, service_unavailable


class NoteWritten(DomainEvent, frozen=True):
    """A test event: something was written for a patient."""

    patient_id: uuid.UUID
    codes: tuple[str, ...] = ()


async def audit_rows(db: Database, action: str) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count())
            .select_from(audit.AuditEvent)
            .where(audit.AuditEvent.action == action)
        )


@pytest.fixture
async def node(database_url: str):
    dispatcher = EventDispatcher()
    db = Database(database_url, events=dispatcher)
    yield db, dispatcher
    await dispatcher.stop()
    await db.dispose()


async def test_commits_once_then_dispatches_what_was_published(node) -> None:
    db, dispatcher = node
    seen: list[tuple[NoteWritten, int]] = []

    async def after(event: NoteWritten) -> None:
        seen.append((event, await audit_rows(db, "note.write")))  # the rows are there to read

    dispatcher.subscribe(NoteWritten, after, phase=Phase.COMMITTED)
    patient = uuid.uuid4()
    async with db.session() as session:
        commits = 0
        real_commit = session.commit

        async def counting_commit() -> None:
            nonlocal commits
            commits += 1
            await real_commit()

        session.commit = counting_commit  # type: ignore[method-assign]
        async with unit_of_work(session) as uow:
            audit.record(session, "note.write", patient_id=patient)
            async with unit_of_work(session) as inner:  # a nested entry point joins
                assert inner is uow
                await inner.publish(NoteWritten(patient_id=patient))
            assert seen == [] and commits == 0  # nothing before the outermost block ends
    assert commits == 1
    assert [(e.patient_id, rows) for e, rows in seen] == [(patient, 1)]


async def test_an_error_rolls_back_and_drops_the_events(node) -> None:
    db, dispatcher = node
    seen: list[NoteWritten] = []

    async def after(event: NoteWritten) -> None:
        seen.append(event)

    dispatcher.subscribe(NoteWritten, after, phase=Phase.COMMITTED)
    async with db.session() as session:
        with pytest.raises(RuntimeError):
            async with unit_of_work(session) as uow:
                audit.record(session, "note.write", patient_id=uuid.uuid4())
                await uow.publish(NoteWritten(patient_id=uuid.uuid4()))
                raise RuntimeError("the service failed")
    assert seen == []
    assert await audit_rows(db, "note.write") == 0


async def test_transaction_handlers_share_the_transaction_and_can_abort_it(node) -> None:
    db, dispatcher = node
    patient = uuid.uuid4()

    async def write_too(event: NoteWritten, session) -> None:
        audit.record(session, "note.follow-up", patient_id=event.patient_id)
        if "refuse" in event.codes:
            raise ValueError("the handler refuses")

    dispatcher.subscribe(NoteWritten, write_too, phase=Phase.TRANSACTION)
    async with db.session() as session, unit_of_work(session) as uow:
        audit.record(session, "note.write", patient_id=patient)
        await uow.publish(NoteWritten(patient_id=patient))
    assert await audit_rows(db, "note.follow-up") == 1

    async with db.session() as session:
        with pytest.raises(ValueError):
            async with unit_of_work(session) as uow:
                audit.record(session, "note.write", patient_id=patient)
                await uow.publish(NoteWritten(patient_id=patient, codes=("refuse",)))
    assert await audit_rows(db, "note.write") == 1  # the second write went with the handler
    assert await audit_rows(db, "note.follow-up") == 1


async def test_a_failing_committed_handler_is_logged_and_the_work_stays(node) -> None:
    db, dispatcher = node
    ran: list[str] = []

    async def broken(event: NoteWritten) -> None:
        raise RuntimeError("handler bug")

    async def fine(event: NoteWritten) -> None:
        ran.append("fine")

    dispatcher.subscribe(NoteWritten, broken, phase=Phase.COMMITTED)
    dispatcher.subscribe(NoteWritten, fine, phase=Phase.COMMITTED)
    async with db.session() as session, unit_of_work(session) as uow:
        audit.record(session, "note.write", patient_id=uuid.uuid4())
        await uow.publish(NoteWritten(patient_id=uuid.uuid4()))
    assert ran == ["fine"]
    assert await audit_rows(db, "note.write") == 1


async def test_a_refusal_is_audited_without_committing_the_callers_writes(node) -> None:
    db, _ = node
    stranger = Actor(account_id=uuid.uuid4(), role=Role.RESEARCHER)
    patient = uuid.uuid4()
    async with db.session() as session:
        with pytest.raises(NotFound):
            async with unit_of_work(session):
                audit.record(session, "note.write", patient_id=patient)  # the caller's write
                await authorize(session, stranger, patient, Category.RECORD)
    assert await audit_rows(db, "note.write") == 0
    async with db.session() as session:
        denied = (
            await session.scalars(
                select(audit.AuditEvent).where(audit.AuditEvent.action == "record.read")
            )
        ).all()
    assert [(e.outcome, e.patient_id, e.actor_id) for e in denied] == [
        (audit.Outcome.DENIED.value, patient, stranger.account_id)
    ]
    async with db.session() as session:
        assert (await audit.verify(session)).ok


async def test_everywhere_events_reach_every_node_in_process() -> None:
    bus = Bus()
    dispatcher = EventDispatcher()
    got: asyncio.Queue[NoteWritten] = asyncio.Queue()

    async def everywhere(event: NoteWritten) -> None:
        await got.put(event)

    dispatcher.subscribe(NoteWritten, everywhere, phase=Phase.EVERYWHERE)
    await dispatcher.start(bus)
    try:
        sent = NoteWritten(patient_id=uuid.uuid4(), codes=("8867-4",))
        await dispatcher.after_commit([sent])
        assert await asyncio.wait_for(got.get(), 2) == sent
    finally:
        await dispatcher.stop()
        await bus.close()


@pytest.mark.services
async def test_everywhere_events_cross_nodes_over_redis() -> None:
    from redis.asyncio import Redis

    redis_a, redis_b = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    try:
        await redis_a.ping()
    except Exception as exc:
        service_unavailable("Redis", exc)
    node_a, node_b = EventDispatcher(), EventDispatcher()
    got: dict[str, asyncio.Queue[NoteWritten]] = {"a": asyncio.Queue(), "b": asyncio.Queue()}

    def handler_for(name: str):
        async def handler(event: NoteWritten) -> None:
            await got[name].put(event)

        return handler

    node_a.subscribe(NoteWritten, handler_for("a"), phase=Phase.EVERYWHERE)
    node_b.subscribe(NoteWritten, handler_for("b"), phase=Phase.EVERYWHERE)
    bus_a, bus_b = RedisBus(redis_a), RedisBus(redis_b)
    await node_a.start(bus_a)
    await node_b.start(bus_b)
    try:
        sent = NoteWritten(patient_id=uuid.uuid4())
        await node_a.after_commit([sent])
        assert await asyncio.wait_for(got["a"].get(), 3) == sent
        assert await asyncio.wait_for(got["b"].get(), 3) == sent
    finally:
        for dispatcher, bus in ((node_a, bus_a), (node_b, bus_b)):
            await dispatcher.stop()
            await bus.close()
        await redis_a.aclose()
        await redis_b.aclose()


def test_event_names_are_unique_and_listed_in_the_catalogue() -> None:
    with pytest.raises(TypeError, match="two domain events are named NoteWritten"):
        type("NoteWritten", (DomainEvent,), {"__annotations__": {"other": int}})

    dispatcher = EventDispatcher()

    async def handler(event: DomainEvent) -> None:
        return None

    dispatcher.subscribe(NoteWritten, handler, phase=Phase.COMMITTED)
    [entry] = dispatcher.catalogue()["NoteWritten"]
    assert entry.startswith("committed: ")
