"""The database: one async engine per node, SQLite by default and PostgreSQL in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from careverse.kernel import clock
from careverse.kernel.events import EventDispatcher
from careverse.kernel.migrate import upgrade_connection
from careverse.kernel.uow import EVENTS_KEY

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)  # SQLite keeps no offset: store the UTC instant

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else clock.as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def make_engine(url: str) -> AsyncEngine:
    """An async engine tuned for the backend: WAL and foreign keys on SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    """The engine and the session factory of one node.

    Each session carries the node's event dispatcher (``session.info``), so the unit of work of
    any session dispatches its domain events after commit (kernel/uow.py).
    """

    def __init__(self, url: str, events: EventDispatcher | None = None):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, info={EVENTS_KEY: events}
        )

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Apply pending Alembic migrations (serialised across nodes on PostgreSQL)."""
        async with self.engine.begin() as conn:
            if self.is_postgresql:
                await conn.execute(text("SELECT pg_advisory_xact_lock(7245001)"))
            await conn.run_sync(upgrade_connection)

    async def dispose(self) -> None:
        await self.engine.dispose()
