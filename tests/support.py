"""Test helpers shared across packages: a real uvicorn server in a thread."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

# Ports for the servers tests start (uvicorn threads, ``careverse serve``, the fault tests'
# private PostgreSQL, Redis and Mosquitto), below Linux's ephemeral range (32768-60999), from
# which the kernel picks every client connection's port and every ``bind(port 0)``. A port found
# free there could be taken by someone else's connection before our server binds it, or while a
# fault test has its server down to restart it on the same port. Each pytest-xdist worker walks
# a slice of its own (``gw0`` the first, a serial run the last), from a random start, so two
# workers never pick the same port and two runs on one machine rarely do.
PORTS_FROM, PORTS_TO, SLICES = 20000, 32000, 16
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_slice = int(_worker.removeprefix("gw")) % (SLICES - 1) if _worker.startswith("gw") else SLICES - 1
_width = (PORTS_TO - PORTS_FROM) // SLICES
_start = PORTS_FROM + _slice * _width
_first = random.randrange(_width)  # a start, not a secret
_ports = itertools.cycle([_start + (_first + offset) % _width for offset in range(_width)])
_lock = threading.Lock()


def free_port() -> int:
    """A loopback port nobody listens on now, not handed out before by this process (until its
    slice of 750 has gone round)."""
    with _lock:
        for _ in range(_width):
            port = next(_ports)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError(f"no free port in {_start}-{_start + _width - 1}")


@contextlib.contextmanager
def serve_in_thread(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port until the block ends; yield its URL.

    The server thread runs the standard asyncio loop: uvloop in a second thread of the test process
    once crashed it natively (a segfault in the slow-database fault test). Tests that start real
    ``careverse serve`` processes still run uvloop, as production does."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, access_log=False, loop="asyncio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
