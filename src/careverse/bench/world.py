"""``careverse bench world``: bots that move and chat like people, in a process of their own.

Latency is end to end: a bot stamps each pose with a sequence number and remembers when it sent
it; when any other bot receives that (sender, seq) in a delta, the difference is one sample.
Bots share this process's clock, so no clock sync is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from careverse.bench.seed import seed_bots
from careverse.kernel.config import Settings
from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Stats:
    def __init__(self) -> None:
        self.sent: dict[tuple[str, int], float] = {}
        self.latencies: list[float] = []
        self.delivered = 0
        self.errors = 0
        self.disconnects = 0
        self.chats = 0
        self.measuring = False


async def _bot(
    url: str, token: str, space: str, hz: float, stop: float, stats: Stats, rng: random.Random
):
    try:
        client = await WorldClient.connect(url, token, space, timeout=30)
    except (ConnectionRefusedError, OSError, TimeoutError):
        stats.disconnects += 1
        return
    me = client.you
    x, _, z = client.avatars[me].p
    heading = rng.uniform(0, 2 * math.pi)

    async def reader() -> None:
        while True:
            message = await client.receive(timeout=3600)
            now = time.perf_counter()
            if isinstance(message, proto.Delta):
                for u in message.upd:
                    sent = stats.sent.get((u.id, u.seq))
                    if sent is not None and stats.measuring:
                        stats.latencies.append(now - sent)
                        stats.delivered += 1
            elif isinstance(message, proto.Error):
                stats.errors += 1

    task = asyncio.create_task(reader())
    try:
        period = 1.0 / hz
        await asyncio.sleep(rng.uniform(0, period))
        while time.perf_counter() < stop:
            heading += rng.gauss(0, 0.3)
            x = max(-55.0, min(55.0, x + math.cos(heading) * 1.4 * period))
            z = max(-55.0, min(55.0, z + math.sin(heading) * 1.4 * period))
            seq = await client.move(x, 0.0, z, yaw=heading)
            stats.sent[(me, seq)] = time.perf_counter()
            if rng.random() < period / 15:  # about one chat line per bot every 15 s
                await client.chat("Hello from a bot")
                stats.chats += 1
            await asyncio.sleep(period)
    except Exception:
        stats.disconnects += 1
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        with contextlib.suppress(Exception):
            await client.close()


async def _run(url: str, space: str, tokens: list[str], hz: float, seconds: float, warmup: float):
    stats = Stats()
    rng = random.Random(42)
    stop = time.perf_counter() + warmup + seconds
    bots = [
        asyncio.create_task(_bot(url, t, space, hz, stop, stats, random.Random(rng.random())))
        for t in tokens
    ]
    await asyncio.sleep(warmup)
    stats.measuring = True
    await asyncio.sleep(seconds)  # the measured window
    stats.measuring = False
    # Bounded: a bot still stuck long after the end (a socket that never drains) is counted.
    _, stuck = await asyncio.wait(bots, timeout=30)
    for bot in stuck:
        bot.cancel()
        stats.disconnects += 1
    return stats, seconds


def run_world_bench(
    clients: int,
    hz: float,
    seconds: float,
    url: str | None = None,
    warmup: float = 5.0,
    tick_hz: float = 20.0,
) -> dict:
    """Run the benchmark; start a server of our own (embedded defaults) unless ``url`` is given."""
    server = None
    data_dir = tempfile.mkdtemp(prefix="careverse-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    if url is None:
        env["CAREVERSE_DATA_DIR"] = data_dir
        for key in ("CAREVERSE_DATABASE_URL", "CAREVERSE_REDIS_URL"):
            if key in os.environ:
                env[key] = os.environ[key]
    env.update(CAREVERSE_WORLD_TICK_HZ=str(tick_hz), CAREVERSE_LOG_LEVEL="WARNING")
    settings = Settings(
        data_dir=Path(env.get("CAREVERSE_DATA_DIR", data_dir)),
        database_url=env.get("CAREVERSE_DATABASE_URL") or os.environ.get("CAREVERSE_DATABASE_URL"),
    )
    space, tokens = asyncio.run(seed_bots(settings, clients))
    if url is None:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "careverse", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the benchmark server did not start")
            time.sleep(0.2)
    try:
        cpu_before = _cpu_seconds(server.pid) if server else None
        stats, elapsed = asyncio.run(_run(url, space, tokens, hz, seconds, warmup))
        cpu_after = _cpu_seconds(server.pid) if server else None
    finally:
        if server:
            server.terminate()
            server.wait(timeout=15)
    lat = sorted(stats.latencies)

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None

    return {
        "clients": clients,
        "hz": hz,
        "tick_hz": tick_hz if server else None,
        "seconds": round(elapsed, 1),
        "delivered_per_s": round(stats.delivered / elapsed, 1) if elapsed else 0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "lost": stats.disconnects + stats.errors,
        "disconnects": stats.disconnects,
        "errors": stats.errors,
        "chats": stats.chats,
        "server_cpu_percent": (
            round((cpu_after - cpu_before) / elapsed * 100, 1) if server and elapsed else None
        ),
        "database": "postgresql" if settings.uses_postgresql else "sqlite",
        "redis": bool(os.environ.get("CAREVERSE_REDIS_URL")),
    }
