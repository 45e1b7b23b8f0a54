"""``careverse bench world``: which settings the bots are seeded with, and its options."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from careverse.bench import world as bench
from careverse.cli import app
from careverse.kernel.config import Settings
from tests.conftest import TEST_KEYS


@pytest.fixture
def clean_env(monkeypatch):
    """No CAREVERSE_* setting of the calling shell leaks into these tests."""
    for key in [k for k in os.environ if k.startswith("CAREVERSE_")]:
        monkeypatch.delenv(key)
    return monkeypatch


def test_the_cli_passes_aoi_radius_to_the_bench(monkeypatch):
    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        return {"ok": True}

    monkeypatch.setattr(bench, "run_world_bench", fake)
    result = CliRunner().invoke(app, ["bench", "world", "--aoi-radius", "40", "--json"])
    assert result.exit_code == 0, result.output
    assert seen["aoi_radius"] == 40


def test_own_servers_get_aoi_radius_and_the_same_settings_as_the_seeding(clean_env, tmp_path):
    environ = {
        "PATH": "/usr/bin", "CAREVERSE_ENCRYPTION_KEYS": TEST_KEYS,
        "CAREVERSE_WORLD_GRACE_SECONDS": "3",  # not ours to forward
    }  # fmt: skip
    settings, env = bench.bench_environment(
        None, tick_hz=15, aoi_radius=40, environ=environ, data_dir=tmp_path
    )
    assert env["PATH"] == "/usr/bin"
    assert "CAREVERSE_WORLD_GRACE_SECONDS" not in env
    # What a server started with exactly ``env`` reads:
    for key, value in env.items():
        clean_env.setenv(key, value)
    served = Settings()
    assert (served.world_aoi_radius, served.world_tick_hz) == (40, 15)
    assert served.data_dir == settings.data_dir == tmp_path
    assert served.encryption_keys == settings.encryption_keys == TEST_KEYS
    assert served.effective_database_url == settings.effective_database_url


def test_url_seeds_through_the_configured_data_dir_and_key_ring(clean_env, tmp_path):
    (tmp_path / "careverse.db").touch()
    clean_env.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    clean_env.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    settings, env = bench.bench_environment("http://127.0.0.1:9", environ=os.environ)
    assert settings.data_dir == tmp_path
    assert settings.encryption_keys == TEST_KEYS
    assert settings.effective_database_url.endswith(f"{tmp_path}/careverse.db")
    assert not any(k.startswith("CAREVERSE_") for k in env)


def test_url_refuses_to_make_up_a_key_ring(clean_env, tmp_path):
    (tmp_path / "careverse.db").touch()
    clean_env.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="key ring"):
        bench.bench_environment("http://127.0.0.1:9")
    assert not (tmp_path / "keyring.json").exists()


def test_url_refuses_a_database_that_is_not_there(clean_env, tmp_path):
    clean_env.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    clean_env.setenv("CAREVERSE_ENCRYPTION_KEYS", TEST_KEYS)
    with pytest.raises(RuntimeError, match="database"):
        bench.bench_environment("http://127.0.0.1:9")
