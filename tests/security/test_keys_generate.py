"""Issue 11, finding 3: a new key ring is generated only for an empty database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from careverse.app import create_app
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from tests.conftest import TEST_KEYS

pytestmark = pytest.mark.usefixtures("restore_test_keyring")


@pytest.fixture
def restore_test_keyring():
    yield
    crypto.install_keyring(crypto.KeyRing.from_spec(TEST_KEYS))


def without_keys(settings: Settings, tmp_path) -> Settings:
    data_dir = tmp_path / "elsewhere"  # no key file here
    return settings.model_copy(update={"encryption_keys": None, "data_dir": data_dir})


async def test_data_but_no_key_ring_refuses_and_generates_none(
    settings: Settings, make_account, tmp_path
):
    await make_account(name="Ada Example")
    bare = without_keys(settings, tmp_path)
    node = create_app(bare)
    with pytest.raises(crypto.KeyRingError) as refused:
        async with node.router.lifespan_context(node):
            pass
    message = str(refused.value)
    assert "No key ring" in message and "refusing to start" in message
    assert "Ada" not in message
    assert not crypto.key_file_path(bare).exists()


async def test_data_without_a_sentinel_but_no_key_ring_refuses(
    settings: Settings, database_url: str, make_account, app, tmp_path
):
    await make_account()
    async with app.state.runtime.db.engine.begin() as conn:
        await conn.execute(delete(crypto.KeySentinel.__table__))
    bare = without_keys(settings, tmp_path)
    node = create_app(bare)
    with pytest.raises(crypto.KeyRingError, match="No key ring"):
        async with node.router.lifespan_context(node):
            pass
    assert not crypto.key_file_path(bare).exists()


async def test_a_sentinel_alone_is_enough_to_refuse(settings: Settings, app, tmp_path):
    """The suite's node has started (so the sentinel is written), but holds no account yet."""
    bare = without_keys(settings, tmp_path)
    node = create_app(bare)
    with pytest.raises(crypto.KeyRingError, match="No key ring"):
        async with node.router.lifespan_context(node):
            pass
    assert not crypto.key_file_path(bare).exists()


async def test_an_empty_database_still_gets_a_new_key_file(settings: Settings, tmp_path):
    bare = without_keys(settings, tmp_path)
    node = create_app(bare)
    async with node.router.lifespan_context(node):
        assert node.state.runtime.started
    ring = crypto.KeyRing.from_json(crypto.key_file_path(bare).read_text())
    # And it is that key ring the next start checks against: it starts again.
    again = create_app(bare)
    async with again.router.lifespan_context(again):
        assert again.state.runtime.started
    db = Database(bare.effective_database_url)
    try:
        async with db.engine.connect() as conn:
            stored = await conn.scalar(
                crypto.KeySentinel.__table__.select().with_only_columns(
                    crypto.KeySentinel.__table__.c.ciphertext
                )
            )
    finally:
        await db.dispose()
    assert ring.decrypt(stored) == crypto.SENTINEL_TEXT
