"""Migrations: the schema matches the models on both databases, and start-up applies them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import careverse.models  # noqa: F401
from careverse.kernel.db import Base, Database


async def test_models_and_migrations_agree(database_url):
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await db.dispose()
    assert diff == []


async def test_startup_migrates_an_empty_sqlite_database(tmp_path):
    from careverse.app import create_app
    from careverse.kernel.config import Settings
    from tests.conftest import TEST_KEYS

    app = create_app(Settings(data_dir=tmp_path, encryption_keys=TEST_KEYS, log_json=False))
    async with app.router.lifespan_context(app):
        await app.state.runtime.db.ping()
        # A second start finds nothing to do.
        await app.state.runtime.db.migrate()
    assert (tmp_path / "careverse.db").exists()
