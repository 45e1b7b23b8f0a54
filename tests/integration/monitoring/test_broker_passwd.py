"""``careverse devices broker-passwd``: the operator's way to give the MQTT broker every active
device (username = device id, password = credential) and the bridge's account. The files it
writes are served by a real Mosquitto started here; a revoked device leaves the file on the next
run and, after the reload it triggers, the broker refuses it."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import socket
import subprocess
import time
import uuid

import aiomqtt
import pytest
from aiomqtt.exceptions import MqttConnectError
from sqlalchemy import update
from typer.testing import CliRunner

from careverse.bench.mosquitto import BINARY
from careverse.bench.world import _free_port
from careverse.cli import app
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.monitoring import broker
from careverse.monitoring.models import Device
from careverse.monitoring.simulate import provision
from tests.conftest import service_unavailable

runner = CliRunner()
OPERATOR_LINE = "monitoring:$7$101$c2FsdA==$aGFzaA==\n"
STALE_DEVICE = f"{uuid.uuid4()}:$7$101$c2FsdA==$c3RhbGU=\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CAREVERSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAREVERSE_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("CAREVERSE_MQTT_URL", f"mqtt://careverse-bridge:bridge-pw@127.0.0.1:{port}")
    return tmp_path, port


def _revoke(device_id: str) -> None:
    async def main() -> None:
        db = Database(Settings().effective_database_url)
        async with db.engine.begin() as conn:
            await conn.execute(
                update(Device)
                .where(Device.id == uuid.UUID(device_id))
                .values(status="revoked", credential_hash=None, broker_hash=None)
            )
        await db.dispose()

    asyncio.run(main())


def _start_mosquitto(folder, port: int):
    if not os.access(BINARY, os.X_OK):
        service_unavailable("Mosquitto", FileNotFoundError(BINARY))
    config = folder / "mosquitto.conf"
    config.write_text(
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\n"
        f"password_file {folder / 'passwd'}\nacl_file {folder / 'acl'}\npersistence false\n"
        f"pid_file {folder / 'mosquitto.pid'}\n"
    )
    process = subprocess.Popen([BINARY, "-c", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process
        time.sleep(0.05)
    process.kill()
    service_unavailable("Mosquitto", TimeoutError("did not start"))


async def _signs_in(port: int, username: str, password: str) -> bool:
    try:
        async with aiomqtt.Client("127.0.0.1", port, username=username, password=password):
            return True
    except MqttConnectError:
        return False


def test_broker_passwd_writes_the_devices_and_the_bridge_and_drops_revoked_ones(env):
    folder, port = env
    (_, kept_id, kept_credential), (_, gone_id, gone_credential) = asyncio.run(
        provision(Settings(), 2)
    )
    passwd, acl = folder / "passwd", folder / "acl"
    passwd.write_text(OPERATOR_LINE + STALE_DEVICE)
    command = ["devices", "broker-passwd", "--output", str(passwd), "--acl", str(acl)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    accounts = broker.parse_password_file(passwd.read_text())
    assert set(accounts) == {"monitoring", "careverse-bridge", kept_id, gone_id}
    assert broker.mosquitto_verify(kept_credential, accounts[kept_id])
    assert broker.mosquitto_verify("bridge-pw", accounts["careverse-bridge"])
    assert kept_credential not in passwd.read_text()
    assert "pattern write careverse/devices/%u/readings" in acl.read_text()

    before = passwd.stat().st_mtime_ns
    assert runner.invoke(app, command).exit_code == 0
    assert passwd.stat().st_mtime_ns == before  # nothing changed: not rewritten, no reload

    process = _start_mosquitto(folder, port)
    try:
        assert asyncio.run(_signs_in(port, kept_id, kept_credential))
        assert asyncio.run(_signs_in(port, gone_id, gone_credential))
        _revoke(gone_id)
        pid_file = str(folder / "mosquitto.pid")
        result = runner.invoke(app, [*command, "--reload-pid-file", pid_file])
        assert result.exit_code == 0, result.output
        assert gone_id not in passwd.read_text()
        time.sleep(0.5)  # the broker re-reads its files after SIGHUP
        assert not asyncio.run(_signs_in(port, gone_id, gone_credential))
        assert asyncio.run(_signs_in(port, kept_id, kept_credential))
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_broker_passwd_prints_the_file_without_output(env):
    (_, device_id, credential), *_ = asyncio.run(provision(Settings(), 1))
    result = runner.invoke(app, ["devices", "broker-passwd"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith(device_id + ":"))
    assert broker.mosquitto_verify(credential, line.split(":", 1)[1])
