"""Issue 11, finding 3: a node whose key ring is not the one of the stored data refuses to start.

The blind-index key cannot be told from ciphertext key ids, so a sentinel row (a known text
encrypted with the ring, and its blind index) is checked at every start.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import delete, select

from careverse.app import create_app
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from tests.conftest import TEST_KEYS
from tests.integration.kernel.test_keyring_start import keys_spec

pytestmark = pytest.mark.usefixtures("restore_test_keyring")


@pytest.fixture
def restore_test_keyring():
    yield
    crypto.install_keyring(crypto.KeyRing.from_spec(TEST_KEYS))


def secrets_of(ring: crypto.KeyRing) -> list[str]:
    return [crypto._b64e(k) for k in (*ring.keys.values(), ring.index_key)]


async def refused(settings: Settings, ring: crypto.KeyRing) -> str:
    node = create_app(settings.model_copy(update={"encryption_keys": keys_spec(ring)}))
    with pytest.raises(crypto.KeyRingError) as refusal:
        async with node.router.lifespan_context(node):
            pass
    message = str(refusal.value)
    assert "refusing to start" in message
    for secret in secrets_of(ring) + secrets_of(crypto.KeyRing.from_spec(TEST_KEYS)):
        assert secret not in message  # never key material
    return message


async def sentinel_row(database_url: str):
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            return (await conn.execute(select(crypto.KeySentinel.__table__))).first()
    finally:
        await db.dispose()


async def test_a_different_index_key_refuses_to_start(settings: Settings, make_account):
    await make_account(name="Ada Example")
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    other_index = crypto.KeyRing(dict(ours.keys), ours.primary, secrets.token_bytes(32))
    message = await refused(settings, other_index)
    assert "index key differs" in message
    assert "Ada" not in message


async def test_a_different_index_key_refuses_even_before_any_account(settings: Settings, app):
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    other_index = crypto.KeyRing(dict(ours.keys), ours.primary, secrets.token_bytes(32))
    assert "index key differs" in await refused(settings, other_index)


async def test_a_different_key_under_the_same_id_refuses_to_start(settings: Settings, app):
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    same_id = crypto.KeyRing({ours.primary: secrets.token_bytes(32)}, ours.primary, ours.index_key)
    message = await refused(settings, same_id)
    assert ours.primary in message and "differs" in message


async def test_a_missing_key_id_is_named(settings: Settings, app):
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    message = await refused(settings, crypto.KeyRing.generate())
    assert ours.primary in message


async def test_the_first_start_writes_the_sentinel(settings: Settings, database_url: str, app):
    row = await sentinel_row(database_url)
    assert row is not None
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    assert ours.decrypt(row.ciphertext) == crypto.SENTINEL_TEXT
    assert row.blind_index == ours.blind_index(crypto.SENTINEL_TEXT, crypto.SENTINEL_PURPOSE)


async def test_data_without_a_sentinel_gets_one_on_start(
    settings: Settings, database_url: str, make_account, app
):
    """An upgrade from a version before the sentinel: data, no row; the next start writes it."""
    await make_account()
    async with app.state.runtime.db.engine.begin() as conn:
        await conn.execute(delete(crypto.KeySentinel.__table__))
    node = create_app(settings)
    async with node.router.lifespan_context(node):
        assert node.state.runtime.started
    row = await sentinel_row(database_url)
    assert row is not None
    assert crypto.KeyRing.from_spec(TEST_KEYS).decrypt(row.ciphertext) == crypto.SENTINEL_TEXT
    # And it is checked from then on.
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    other_index = crypto.KeyRing(dict(ours.keys), ours.primary, secrets.token_bytes(32))
    assert "index key differs" in await refused(settings, other_index)
