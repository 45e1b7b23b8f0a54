"""``careverse bench world`` against servers: bots seeded for a server at --url are admitted,
and --aoi-radius reaches the server's limits."""

from __future__ import annotations

import os

import pytest

from careverse.app import create_app
from careverse.bench.seed import seed_bots
from careverse.bench.world import bench_environment, run_world_bench
from careverse.kernel.config import Settings
from careverse.world.client import WorldClient
from careverse.world.hub import Hub
from tests.conftest import TEST_KEYS
from tests.support import serve_in_thread


@pytest.fixture
def clean_env(monkeypatch):
    """No CAREVERSE_* setting of the calling shell leaks into these tests."""
    for key in [k for k in os.environ if k.startswith("CAREVERSE_")]:
        monkeypatch.delenv(key)
    return monkeypatch


async def test_bots_seeded_for_a_url_are_admitted(live, database_url, tmp_path, clean_env):
    """The server has its own database and key ring; the bench's environment names them."""
    url, _ = live
    clean_env.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    clean_env.setenv("CAREVERSE_DATABASE_URL", database_url)
    clean_env.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    settings, _ = bench_environment(url)
    space, tokens = await seed_bots(settings, 2)
    async with await WorldClient.connect(url, tokens[0], space) as bot:
        assert bot.you in bot.avatars


def test_a_url_run_uses_the_servers_data_dir(tmp_path, clean_env):
    """Nothing but CAREVERSE_DATA_DIR: the server's SQLite database and generated key file."""
    app = create_app(Settings(data_dir=tmp_path, log_json=False))
    with serve_in_thread(app) as url:
        clean_env.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
        result = run_world_bench(2, 5, 1, url=url, warmup=3, bot_procs=1)
    assert (result["lost"], result["disconnects"], result["errors"]) == (0, 0, 0)


def test_aoi_radius_reaches_the_servers_limits(tmp_path, clean_env):
    _, env = bench_environment(None, aoi_radius=40, environ={}, data_dir=tmp_path)
    for key, value in env.items():
        clean_env.setenv(key, value)
    app = create_app(Settings(log_json=False))
    with serve_in_thread(app):
        assert app.state.runtime.get(Hub).limits.aoi_radius == 40
