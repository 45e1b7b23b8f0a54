"""Issue 11, finding 3: ``careverse serve`` with the wrong key ring exits non-zero with the reason
on stderr, not a traceback (the CLI runs in a subprocess against the test database)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys

import pytest

from careverse.kernel import crypto
from tests.conftest import TEST_KEYS
from tests.integration.kernel.test_keyring_start import keys_spec

TIMEOUT = 90  # seconds; a node that wrongly starts serves until killed, which fails the test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def other_index_ring() -> crypto.KeyRing:
    ours = crypto.KeyRing.from_spec(TEST_KEYS)
    return crypto.KeyRing(dict(ours.keys), ours.primary, secrets.token_bytes(32))


@pytest.mark.parametrize("case", ["other index key", "other key file", "no key ring"])
async def test_serve_with_the_wrong_key_ring_exits_with_the_reason(
    case, settings, database_url, make_account, tmp_path
):
    await make_account(name="Ada Example")  # the data, under the suite's key ring
    data_dir = tmp_path / "node"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env |= {"CAREVERSE_DATA_DIR": str(data_dir), "CAREVERSE_DATABASE_URL": database_url}
    if case == "other index key":
        ring = other_index_ring()
        env["CAREVERSE_ENCRYPTION_KEYS"] = keys_spec(ring)
        expected = "index key differs"
    elif case == "other key file":
        ring = crypto.KeyRing.generate()
        crypto.write_key_file(data_dir / "keyring.json", ring)
        expected = crypto.KeyRing.from_spec(TEST_KEYS).primary
    else:
        ring = None
        expected = "No key ring"
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", "from careverse.cli import app; app()", "serve",
             "--port", str(free_port())],
            env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"careverse serve started with the wrong key ring ({case})")
    assert done.returncode != 0
    assert expected in done.stderr and "refusing to start" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Ada" not in done.stderr
    if ring is not None:
        for key in (*ring.keys.values(), ring.index_key):
            assert crypto._b64e(key) not in done.stderr
    else:
        assert not (data_dir / "keyring.json").exists()
