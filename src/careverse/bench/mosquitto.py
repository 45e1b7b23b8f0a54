"""A private Mosquitto for the MQTT bench and the tests: its own folder, a free port, no
anonymous clients, a password file and the Careverse ACL (``monitoring.broker``). It never reads
or changes the machine's own broker configuration."""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from careverse.bench.world import _free_port
from careverse.monitoring import broker

BINARY = "/usr/sbin/mosquitto"
BRIDGE_USERNAME = "careverse-bridge"


class Mosquitto:
    """``start()`` it with the device accounts (``device id -> password-file hash``), read its
    ``url`` (the bridge's account), ``set_accounts()`` to reload, ``stop()`` at the end."""

    def __init__(
        self, folder: Path, binary: str = BINARY, *, allow_anonymous: bool = False
    ) -> None:
        self.folder = folder
        self.allow_anonymous = allow_anonymous
        self.binary = binary
        self.port = _free_port()
        self.bridge_password = secrets.token_urlsafe(16)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """``CAREVERSE_MQTT_URL`` for the bridge: its own account on this broker."""
        return f"mqtt://{BRIDGE_USERNAME}:{self.bridge_password}@127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, accounts: dict[str, str] | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_accounts(accounts or {})
        (self.folder / "acl").write_text(broker.acl_file(BRIDGE_USERNAME))
        config = self.folder / "mosquitto.conf"
        config.write_text(
            # Started as root, Mosquitto would switch to its own user, who cannot read our folder.
            f"user {getpass.getuser()}\n"
            f"listener {self.port} 127.0.0.1\n"
            f"allow_anonymous {'true' if self.allow_anonymous else 'false'}\n"
            f"password_file {self.folder / 'passwd'}\n"
            f"acl_file {self.folder / 'acl'}\n"
            "persistence false\n"
            f"log_dest file {self.folder / 'mosquitto.log'}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "log_type subscribe\n"
        )
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary, our own config file
            [self.binary, "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mosquitto did not start: {self.log[-500:]}")
            time.sleep(0.05)

    def subscribed(self, topic: str) -> bool:
        """Whether some client has subscribed to ``topic`` (the broker's log says so)."""
        return any(line.endswith(f" {topic}") for line in self.log.splitlines())

    def set_accounts(self, accounts: dict[str, str]) -> None:
        """Rewrite the password file and have the broker reload it (SIGHUP), as an operator's
        ``careverse devices broker-passwd --reload-pid-file`` does."""
        self._write_accounts(accounts)
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGHUP)
            time.sleep(0.3)  # the broker reloads between two iterations of its loop

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _write_accounts(self, accounts: dict[str, str]) -> None:
        bridge = {BRIDGE_USERNAME: broker.mosquitto_hash(self.bridge_password)}
        path = self.folder / "passwd"
        path.write_text(broker.password_file({**bridge, **accounts}))
        path.chmod(0o600)
