"""Migration 0024 (breathing sessions) upgrades and downgrades, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from careverse.kernel.db import Database
from careverse.kernel.migrate import alembic_config

TABLE = "wellbeing_breathing_sessions"


def _step(connection, action, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    action(cfg, revision)


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_breathing_sessions_migration_down_and_up(database_url):
    db = Database(database_url)
    try:
        assert TABLE in await _tables(db)
        async with db.engine.begin() as conn:
            await conn.run_sync(_step, command.downgrade, "0022_smart_backend")
        assert TABLE not in await _tables(db)
        async with db.engine.begin() as conn:
            await conn.run_sync(_step, command.upgrade, "head")
        assert TABLE in await _tables(db)
    finally:
        await db.dispose()
