"""Private PostgreSQL, Redis and Mosquitto instances that a fault test may stop, kill and restart.

Each runs on a free loopback port of its own with its data in a temporary directory; the
machine's shared services are never touched. PostgreSQL refuses to run as root, so when the
tests run as root its cluster belongs to the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import inspect
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from careverse.bench.mosquitto import BRIDGE_USERNAME
from careverse.monitoring import broker
from tests.support import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def missing() -> str | None:
    """Why the private instances cannot run here, or None."""
    for path in (PG_BIN / "initdb", Path(REDIS_SERVER), Path(MOSQUITTO)):
        if not path.exists():
            return f"{path} is not installed"
    return None


def wait_port(port: int, up: bool, timeout: float = 30) -> None:
    """Until something listens on ``port`` (``up``) or nothing does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                listening = True
        except OSError:
            listening = False
        if listening == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout}s")


async def until(
    check: Callable[[], Awaitable[bool] | bool], timeout: float = 60, what: str = "condition"
) -> None:
    """Wait on a condition (a plain or async callable) with a generous deadline, never
    sleep-then-assert."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
        except Exception:  # noqa: S110 - a check may fail while a service is down
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout}s")
        await asyncio.sleep(0.1)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb) on its own port; stop/start it at will."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="careverse-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = None if os.geteuid() != 0 else "postgres"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c synchronous_commit=on -c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip
        wait_port(self.port, up=True)

    def running(self) -> bool:
        try:
            wait_port(self.port, up=True, timeout=0.2)
        except TimeoutError:
            return False
        return True

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash (no checkpoint; recovery at the next start); ``fast`` a
        clean shutdown that ends every session."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        wait_port(self.port, up=False)

    def remove(self) -> None:
        with contextlib.suppress(Exception):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class _Process:
    """A server run as a child process on a fixed port, killed with SIGKILL and restarted."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="careverse-faults-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        with (self.root / "log").open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.root
            )
        wait_port(self.port, up=True)

    def kill(self) -> None:
        """SIGKILL: no goodbye to any client."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        wait_port(self.port, up=False)

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis(_Process):
    """redis-server without persistence: a restart forgets every key, as a crash of a cache."""

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.root)]  # fmt: skip


class PrivateMosquitto(_Process):
    """mosquitto as production runs it (docs/monitoring.md): no anonymous clients, a password file
    (the bridge's account and the devices an operator admitted) and the Careverse ACL; no
    persistence. The files stay across a kill, as a real broker's would."""

    def __init__(self) -> None:
        super().__init__()
        self.bridge_password = secrets.token_urlsafe(16)
        self.accounts: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"mqtt://{BRIDGE_USERNAME}:{self.bridge_password}@127.0.0.1:{self.port}"

    def set_accounts(self, accounts: dict[str, str]) -> None:
        """What ``careverse devices broker-passwd --reload-pid-file`` does: rewrite, reload."""
        self.accounts = dict(accounts)
        self._write_passwd()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGHUP)
            time.sleep(0.3)  # the broker reloads between two iterations of its loop

    def _write_passwd(self) -> None:
        bridge = {BRIDGE_USERNAME: broker.mosquitto_hash(self.bridge_password)}
        path = self.root / "passwd"
        path.write_text(broker.password_file({**bridge, **self.accounts}))
        path.chmod(0o600)

    def command(self) -> list[str]:
        self._write_passwd()
        (self.root / "acl").write_text(broker.acl_file(BRIDGE_USERNAME))
        config = self.root / "mosquitto.conf"
        config.write_text(
            # Started as root, Mosquitto would switch to its own user, who cannot read our files.
            f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\n"
            f"allow_anonymous false\npassword_file {self.root / 'passwd'}\n"
            f"acl_file {self.root / 'acl'}\npersistence false\n"
        )
        return [MOSQUITTO, "-c", str(config)]
