"""A node whose key ring lacks the key of stored data refuses to start, saying why."""

from __future__ import annotations

import pytest

from careverse.app import create_app
from careverse.kernel import crypto
from careverse.kernel.config import Settings
from tests.conftest import TEST_KEYS


def keys_spec(ring: crypto.KeyRing) -> str:
    return ",".join(
        [f"{kid}:{crypto._b64e(key)}" for kid, key in ring.keys.items()]
        + [f"index:{crypto._b64e(ring.index_key)}"]
    )


async def test_a_node_without_the_stored_key_refuses_to_start(settings: Settings, make_account):
    await make_account(name="Ada Example")  # encrypted with the suite's key ring
    wrong = crypto.KeyRing.generate()
    stored_kid = crypto.KeyRing.from_spec(TEST_KEYS).primary
    other = create_app(settings.model_copy(update={"encryption_keys": keys_spec(wrong)}))
    try:
        with pytest.raises(crypto.KeyRingError) as refused:
            async with other.router.lifespan_context(other):
                pass
        message = str(refused.value)
        assert stored_kid in message and "refusing to start" in message
        assert "Ada" not in message
    finally:
        crypto.install_keyring(crypto.KeyRing.from_spec(TEST_KEYS))


async def test_a_ring_that_also_holds_the_old_key_starts(settings: Settings, make_account):
    await make_account()
    rotated = crypto.KeyRing.from_spec(TEST_KEYS).with_new_primary()
    node = create_app(settings.model_copy(update={"encryption_keys": keys_spec(rotated)}))
    try:
        async with node.router.lifespan_context(node):
            assert node.state.runtime.started
    finally:
        crypto.install_keyring(crypto.KeyRing.from_spec(TEST_KEYS))
