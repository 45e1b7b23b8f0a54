"""Migration 0023 (care programmes, bulk job options) upgrades and downgrades on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from careverse.kernel.db import Database
from careverse.kernel.migrate import alembic_config

TABLES = {"care_programmes", "care_programme_leads", "care_programme_enrolments"}


async def _state(db: Database) -> tuple[set[str], set[str]]:
    async with db.engine.connect() as conn:

        def look(sync):
            found = inspect(sync)
            return set(found.get_table_names()), {
                c["name"] for c in found.get_columns("fhir_bulk_jobs")
            }

        return await conn.run_sync(look)


async def _run(db: Database, step, revision: str) -> None:
    async with db.engine.begin() as conn:

        def go(sync):
            cfg = alembic_config()
            cfg.attributes["connection"] = sync
            step(cfg, revision)

        await conn.run_sync(go)


async def test_0023_downgrades_and_upgrades_again(database_url):
    db = Database(database_url)
    try:
        tables, columns = await _state(db)
        assert tables >= TABLES and "options" in columns
        await _run(db, command.downgrade, "0022_smart_backend")
        tables, columns = await _state(db)
        assert not (TABLES & tables) and "options" not in columns
        await _run(db, command.upgrade, "head")
        tables, columns = await _state(db)
        assert tables >= TABLES and "options" in columns
    finally:
        await db.dispose()
