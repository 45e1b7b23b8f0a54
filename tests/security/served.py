"""A real node for the edge tests: ``careverse serve`` in a subprocess, as an operator runs it,
with its stderr (the JSON log) kept in a file the test reads."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

import careverse
from tests.conftest import TEST_KEYS
from tests.support import free_port

SRC = str(Path(careverse.__file__).resolve().parents[1])


@dataclass
class Node:
    url: str
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def database(self) -> Path:
        return self.data_dir / "careverse.db"


@contextlib.contextmanager
def served_node(data_dir: Path, **settings: str) -> Iterator[Node]:
    """Start ``careverse serve`` on a free port with these ``CAREVERSE_*`` settings."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env |= {
        "PYTHONPATH": SRC,
        "CAREVERSE_DATA_DIR": str(data_dir),
        "CAREVERSE_ENCRYPTION_KEYS": TEST_KEYS,
        "CAREVERSE_LOG_JSON": "true",
        **{f"CAREVERSE_{k.upper()}": v for k, v in settings.items()},
    }
    log_path = data_dir / "stderr.log"
    with log_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "careverse", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the node exited: {log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the node did not start")
            time.sleep(0.2)
        yield Node(url, data_dir, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
