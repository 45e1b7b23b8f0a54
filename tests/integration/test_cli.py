"""The command line: help, user add, reset links, db upgrade (on the embedded default)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from careverse.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CAREVERSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAREVERSE_ENCRYPTION_KEYS", raising=False)
    return tmp_path


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "careverse", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "demo", "user", "db"):
        assert command in result.stdout


def test_user_add_with_password_from_stdin(env):
    result = runner.invoke(
        app,
        [
            "user",
            "add",
            "dr.ng@example.org",
            "--role",
            "clinician",
            "--name",
            "Dr. Ng",
            "--password-stdin",
        ],
        input="steady-Lantern-harbor-12\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created clinician account" in result.output
    duplicate = runner.invoke(
        app,
        ["user", "add", "dr.ng@example.org", "--role", "clinician", "--password-stdin"],
        input="steady-Lantern-harbor-12\n",
    )
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output


def test_user_add_without_password_prints_a_link_and_refuses_bad_roles(env):
    result = runner.invoke(app, ["user", "add", "mod@example.org", "--role", "moderator"])
    assert result.exit_code == 0
    assert re.search(r"reset-password#token=cvp_", result.output)
    bad = runner.invoke(app, ["user", "add", "x@example.org", "--role", "wizard"])
    assert bad.exit_code == 2
    weak = runner.invoke(
        app,
        ["user", "add", "y@example.org", "--role", "admin", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code == 1 and "at least 12" in weak.output


def test_reset_password_and_db_upgrade(env):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    missing = runner.invoke(app, ["user", "reset-password", "ghost@example.org"])
    assert missing.exit_code == 1
    runner.invoke(app, ["user", "add", "a@example.org", "--role", "researcher"])
    found = runner.invoke(app, ["user", "reset-password", "a@example.org"])
    assert found.exit_code == 0 and "#token=" in found.output
