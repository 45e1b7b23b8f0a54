"""``careverse bench world``: bots that move and chat like people, in processes of their own.

Latency is end to end: a bot stamps each pose's sequence number with the monotonic clock in
microseconds at sending; a receiver that finds that update in a delta takes the difference. The
monotonic clock is one per machine, so bots in different processes agree without clock sync.

Decoding every delta would make the bots, not the server, the bottleneck (250 bots that all see
each other receive over 600 000 updates a second), so only some bots (``measure`` of them)
decode their deltas for latency; the others read their socket, count the updates in it without
parsing, and watch for errors and disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from random import Random

import httpx
import websockets
from sqlalchemy.engine import make_url

from careverse.bench.seed import seed_bots
from careverse.kernel import crypto
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


def _now_us() -> int:
    return time.monotonic_ns() // 1000


@contextlib.contextmanager
def serve(
    env: dict[str, str], timeout: float = 60, command: str = "serve"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``careverse serve`` (or ``command``: ``demo``) on a free port with exactly ``env``;
    yield (base URL, process)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "careverse", command, "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                tail = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the server did not start:\n{tail}")
            time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []  # ms, measuring bots only
        self.updates = 0  # updates received in the window, by every bot
        self.errors = 0
        self.disconnects = 0
        self.chats = 0


async def _bot(
    url: str, token: str, space: str, hz: float, window: tuple[int, int], end: float,
    measure: bool, stats: Stats, rng: Random,
) -> None:  # fmt: skip
    try:
        client = await WorldClient.connect(url, token, space, timeout=60)
    except (ConnectionRefusedError, OSError, TimeoutError, websockets.WebSocketException):
        stats.disconnects += 1
        return
    me = client.you
    x, _, z = client.avatars[me].p
    heading = rng.uniform(0, 2 * math.pi)
    start_us, stop_us = window
    decode = proto.server_decoder.decode

    async def reader() -> None:
        async for raw in client.ws:
            now = _now_us()
            in_window = start_us <= now <= stop_us
            if measure:
                message = decode(raw)
                if isinstance(message, proto.Delta):
                    if in_window:
                        stats.updates += len(message.upd)
                        stats.latencies.extend(
                            (now - u.seq) / 1000 for u in message.upd if u.seq >= start_us
                        )
                elif isinstance(message, proto.Error):
                    stats.errors += 1
            elif raw.startswith('{"t":"delta"'):
                if in_window:
                    stats.updates += raw.count('["')  # one per update (and per leave list)
            elif raw.startswith('{"t":"error"'):
                stats.errors += 1

    task = asyncio.create_task(reader())
    try:
        period = 1.0 / hz
        await asyncio.sleep(rng.uniform(0, period))
        next_at = time.monotonic()
        while time.monotonic() < end:
            heading += rng.gauss(0, 0.3)
            x = max(-55.0, min(55.0, x + math.cos(heading) * 1.4 * period))
            z = max(-55.0, min(55.0, z + math.sin(heading) * 1.4 * period))
            await client.send(proto.Pose(p=(x, 0.0, z), yaw=heading, anim="walk", seq=_now_us()))
            if rng.random() < period / 15:  # about one chat line per bot every 15 s
                await client.chat("Hello from a bot")
                stats.chats += 1
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if task.done():  # the server closed on us
            stats.disconnects += 1
    except Exception:
        stats.disconnects += 1
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        with contextlib.suppress(Exception):
            await client.close()


async def _bots(
    urls: list[str], space: str, tokens: list[tuple[int, str]], hz: float,
    window: tuple[int, int], end: float, measure_every: int,
) -> dict:  # fmt: skip
    stats = Stats()

    async def cpu_in_window() -> float:
        await asyncio.sleep(max(0.0, window[0] / 1e6 - time.monotonic()))
        before = time.process_time()
        await asyncio.sleep(max(0.0, window[1] / 1e6 - time.monotonic()))
        return time.process_time() - before

    cpu = asyncio.create_task(cpu_in_window())
    bots = []
    for i, token in tokens:
        url = urls[i % len(urls)]
        bot = _bot(url, token, space, hz, window, end, i % measure_every == 0, stats, Random(i))
        bots.append(asyncio.create_task(bot))
    # Bounded: a bot still stuck long after the end (a socket that never drains) is counted.
    _, stuck = await asyncio.wait(bots, timeout=max(30.0, end - time.monotonic() + 30))
    for bot in stuck:
        bot.cancel()
        stats.disconnects += 1
    return {
        "latencies": stats.latencies, "updates": stats.updates, "errors": stats.errors,
        "disconnects": stats.disconnects, "chats": stats.chats, "cpu": await cpu,
    }  # fmt: skip


def _bot_process(*args) -> dict:
    return asyncio.run(_bots(*args))


# What our own servers inherit from this environment (the rest of CAREVERSE_* is not theirs).
FORWARDED = (
    "CAREVERSE_DATABASE_URL", "CAREVERSE_REDIS_URL", "CAREVERSE_ENCRYPTION_KEYS",
    "CAREVERSE_ENCRYPTION_KEY_FILE",
)  # fmt: skip


def bench_environment(
    url: str | None,
    *,
    tick_hz: float = 20.0,
    aoi_radius: float = 25.0,
    environ: Mapping[str, str] | None = None,
    data_dir: Path | None = None,
) -> tuple[Settings, dict[str, str]]:
    """The settings to seed the bots with, and the environment of our own server(s).

    With ``url`` the target server is someone else's: the bots are seeded through the database
    and key ring this environment configures (``CAREVERSE_DATA_DIR``,
    ``CAREVERSE_DATABASE_URL``, ``CAREVERSE_ENCRYPTION_KEYS`` …), which must be that server's,
    or every bot's token is refused. Without it, our servers get a fresh data directory plus the
    forwarded settings (``data_dir``, default a new temporary one), and the bots are seeded with
    exactly what those servers will read.
    """
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if not k.startswith("CAREVERSE_")}
    if url is not None:
        settings = Settings()
        _check_target(settings)
        return settings, env
    env["CAREVERSE_DATA_DIR"] = str(data_dir or tempfile.mkdtemp(prefix="careverse-bench-"))
    env.update({key: environ[key] for key in FORWARDED if key in environ})
    env.update(
        CAREVERSE_WORLD_TICK_HZ=str(tick_hz), CAREVERSE_WORLD_AOI_RADIUS=str(aoi_radius),
        CAREVERSE_LOG_LEVEL="WARNING",
    )  # fmt: skip
    # Every setting seeding depends on is given here, so nothing else in this environment counts.
    settings = Settings(
        data_dir=Path(env["CAREVERSE_DATA_DIR"]),
        database_url=env.get("CAREVERSE_DATABASE_URL"),
        redis_url=env.get("CAREVERSE_REDIS_URL"),
        encryption_keys=env.get("CAREVERSE_ENCRYPTION_KEYS"),
        encryption_key_file=Path(key_file)
        if (key_file := env.get("CAREVERSE_ENCRYPTION_KEY_FILE"))
        else None,
    )
    return settings, env


def _check_target(settings: Settings) -> None:
    """Refuse to seed a database or key ring that would be made up on the spot: the server at
    ``--url`` cannot be using it."""
    if settings.encryption_keys is None and not crypto.key_file_path(settings).exists():
        raise RuntimeError(
            f"no key ring at {crypto.key_file_path(settings)}: set CAREVERSE_DATA_DIR or "
            "CAREVERSE_ENCRYPTION_KEYS (or _KEY_FILE) as for the server at --url"
        )
    database = make_url(settings.effective_database_url)
    if database.get_backend_name() == "sqlite" and not Path(database.database or "").is_file():
        raise RuntimeError(
            f"no database at {database.database}: set CAREVERSE_DATA_DIR or "
            "CAREVERSE_DATABASE_URL as for the server at --url"
        )


def run_world_bench(
    clients: int,
    hz: float,
    seconds: float,
    url: str | None = None,
    warmup: float | None = None,
    tick_hz: float = 20.0,
    bot_procs: int | None = None,
    nodes: int = 1,
    measure: int = 25,
    aoi_radius: float = 25.0,
) -> dict:
    """Run the benchmark; start server(s) of our own unless ``url`` is given.

    ``nodes`` > 1 starts that many servers on one database and Redis (CAREVERSE_REDIS_URL must be
    set) and spreads the bots over them. ``tick_hz`` and ``aoi_radius`` configure our own
    servers; a server at ``url`` runs with its own.
    """
    settings, env = bench_environment(url, tick_hz=tick_hz, aoi_radius=aoi_radius)
    if url is None and nodes > 1 and "CAREVERSE_REDIS_URL" not in env:
        raise RuntimeError("several nodes need CAREVERSE_REDIS_URL (they share spaces through it)")
    space, tokens = asyncio.run(seed_bots(settings, clients))
    bot_procs = bot_procs or max(1, min(8, math.ceil(clients / 80)))
    warmup = warmup if warmup is not None else 5.0 + clients / 50
    with contextlib.ExitStack() as stack:
        servers = []
        if url is None:
            for _ in range(nodes):  # one after the other: the first applies the migrations
                servers.append(stack.enter_context(serve(env)))
            urls = [u for u, _ in servers]
        else:
            urls = [url]
        procs = [p for _, p in servers]
        start = time.monotonic() + warmup
        window = (int(start * 1e6), int((start + seconds) * 1e6))
        end = start + seconds + 0.5
        measure_every = max(1, clients // max(1, measure))
        shares = [
            [(i, t) for i, t in enumerate(tokens) if i % bot_procs == n] for n in range(bot_procs)
        ]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(bot_procs, mp_context=context) as pool:
            futures = [
                pool.submit(_bot_process, urls, space, share, hz, window, end, measure_every)
                for share in shares
            ]
            time.sleep(max(0.0, start - time.monotonic()))
            cpu_before = sum(_cpu_seconds(p.pid) for p in procs)
            time.sleep(max(0.0, start + seconds - time.monotonic()))
            cpu_after = sum(_cpu_seconds(p.pid) for p in procs)
            results = [f.result() for f in futures]
    lat = sorted(x for r in results for x in r["latencies"])

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else None

    errors = sum(r["errors"] for r in results)
    disconnects = sum(r["disconnects"] for r in results)
    return {
        "clients": clients,
        "hz": hz,
        "tick_hz": tick_hz if procs else None,
        "aoi_radius": aoi_radius if procs else None,
        "seconds": seconds,
        "nodes": len(urls),
        "bot_procs": bot_procs,
        "measuring_bots": len(range(0, clients, measure_every)),
        "delivered_per_s": round(sum(r["updates"] for r in results) / seconds, 1),
        "samples": len(lat),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(lat[-1], 1) if lat else None,
        "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
        "lost": disconnects + errors,
        "disconnects": disconnects,
        "errors": errors,
        "chats": sum(r["chats"] for r in results),
        "server_cpu_percent": (
            round((cpu_after - cpu_before) / seconds * 100, 1) if procs else None
        ),
        "bots_cpu_percent": round(sum(r["cpu"] for r in results) / seconds * 100, 1),
        "load_average": os.getloadavg()[0],
        "database": "postgresql" if settings.uses_postgresql else "sqlite",
        "redis": bool(settings.redis_url),
    }
