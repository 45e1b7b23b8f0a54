"""``careverse bench ingest`` and ``careverse bench vitals-query``.

Ingest: patients and paired devices are made straight in the database; a server runs in a
process of its own (unless ``--url``); this process posts pre-encoded Open mHealth batches (one
heart-rate value per data point) with a few requests in flight, or publishes them over MQTT, and
counts what the server acknowledged. Alert latency: a clinician subscribed to the alert stream
(SSE), a threshold rule per patient, and marked readings that cross it; the time from sending a
marked batch to receiving its alert is one sample.

Vitals query: a year of minute-level heart rate for one patient (525,600 rows), then the chart
queries (downsampled year, a downsampled day, latest) timed on the database itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import aiomqtt
import httpx
import msgspec
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.bench.mosquitto import Mosquitto
from careverse.bench.seed import BOT_PASSWORD
from careverse.bench.world import _cpu_seconds, _free_port
from careverse.identity import passwords
from careverse.identity.models import Account, CareRelationship, Patient
from careverse.identity.service import IdentityService, email_index
from careverse.kernel import clock, crypto, tokens
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Role, Scope
from careverse.monitoring import broker
from careverse.monitoring import readings as reading_queries
from careverse.monitoring.models import Device, Reading
from careverse.monitoring.mqtt import broker_params

_T = TypeVar("_T")  # what a timed chart query answers


async def seed_patients(settings: Settings, count: int) -> tuple[list[str], list[str], str | None]:
    """``count`` patients, each with an active device; answers (patient ids, credentials, clinician
    access token with a care relationship to all of them)."""
    crypto.install_keyring(crypto.load_keyring(settings))
    db = Database(settings.effective_database_url)
    try:
        await db.migrate()
        async with db.session() as session:
            tag = uuid.uuid4().hex[:8]
            clinician = Account(
                email=f"bench-clinician-{tag}@bench.example.org",
                email_index=email_index(f"bench-clinician-{tag}@bench.example.org"),
                password_hash=await passwords.hash_password(BOT_PASSWORD),
                role=Role.CLINICIAN.value,
                display_name="Bench clinician",
            )
            clinician.patient = None
            session.add(clinician)
            patients = [Patient(name=f"Bench patient {i}") for i in range(count)]
            session.add_all(patients)
            await session.flush()
            credentials = []
            for p in patients:
                credential = tokens.new_secret("cvd")
                credentials.append(credential)
                session.add(
                    Device(
                        patient_id=p.id, kind="wearable", label="Bench", status="active",
                        credential_hash=tokens.digest(credential), paired_at=clock.now(),
                        broker_hash=broker.mosquitto_hash(credential),
                    )
                )  # fmt: skip
                session.add(
                    CareRelationship(
                        clinician_id=clinician.id, patient_id=p.id, kind="assignment",
                        starts_at=clock.now() - timedelta(minutes=1),
                    )
                )  # fmt: skip
            await session.commit()
            issued = await IdentityService(session, settings)._open_session(clinician, Scope.FULL)
            return [str(p.id) for p in patients], credentials, issued.access_token
    finally:
        await db.dispose()


def _batch(start: int, size: int, base: float, marked: bool = False) -> bytes:
    """``size`` heart-rate points, 1 ms apart from ``base`` (epoch seconds); a marked batch ends
    with a value above the bench rule's threshold, as the newest reading."""
    points = []
    for i in range(size):
        n = start + i
        at = datetime.fromtimestamp(base + n / 1000, UTC).isoformat()
        value = 260 if marked and i == size - 1 else 60 + n % 40
        points.append(
            {
                "header": {
                    "id": f"bench-{n}",
                    "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                },
                "body": {
                    "heart_rate": {"value": value, "unit": "beats/min"},
                    "effective_time_frame": {"date_time": at},
                },
            }
        )
    return msgspec.json.encode({"data_points": points})


class Alerts:
    """A clinician's SSE subscription: marked-batch send times and alert arrival times."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}  # patient id -> send time of its marked batch
        self.latencies: list[float] = []
        self.ready = asyncio.Event()
        self.available = False

    async def listen(self, url: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(10, read=None)
        async with (
            httpx.AsyncClient(timeout=timeout) as http,
            http.stream("GET", f"{url}/api/monitoring/alerts/stream", headers=headers) as r,
        ):
            if r.status_code != 200:
                self.ready.set()
                return
            self.available = True
            self.ready.set()
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                now = time.perf_counter()
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    alert = json.loads(line[5:])
                    sent = self.sent.pop(str(alert["patient_id"]), None)
                    if sent is not None:
                        self.latencies.append(now - sent)


async def _create_rules(url: str, token: str, patients: list[str]) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        for pid in patients:
            r = await http.post(
                f"{url}/api/monitoring/patients/{pid}/rules",
                json={"kind": "threshold", "code": "8867-4", "op": ">", "value": 250,
                      "severity": "high", "label": "bench"},
                headers=headers,
            )  # fmt: skip
            if r.status_code not in (200, 201):
                return False
    return True


async def _run_http(
    url: str,
    patients: list[str],
    credentials: list[str],
    clinician_token: str | None,
    readings: int,
    batch: int,
    concurrency: int,
) -> dict:
    base = time.time() - readings / 1000 - 60  # every reading in the past, 1 ms apart
    n_batches = max(1, readings // batch)
    # Pre-encode every batch, so the measured window is the server's work, not the client's.
    bodies = []
    for b in range(n_batches):
        bodies.append((b % len(patients), _batch(b * batch, batch, base)))
    alerts = Alerts()
    listener = None
    rules = False
    if clinician_token:
        rules = await _create_rules(url, clinician_token, patients)
        if rules:
            listener = asyncio.create_task(alerts.listen(url, clinician_token))
            await asyncio.wait_for(alerts.ready.wait(), 10)
    # Every 10th batch of a patient carries one marked value above the rule's threshold.
    marked = set(range(0, n_batches, max(1, n_batches // 50)))
    marked_bodies = {
        b: _batch(b * batch, batch, base, marked=True) for b in marked
    } if (rules and alerts.available) else {}  # fmt: skip
    acked = 0
    errors = 0
    latencies: list[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for b, item in enumerate(bodies):
        queue.put_nowait((b, *item))

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal acked, errors
        while True:
            try:
                b, p, body = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if b in marked_bodies:
                body = marked_bodies[b]
                alerts.sent[patients[p]] = time.perf_counter()
            headers = {
                "Authorization": f"Bearer {credentials[p]}",
                "Content-Type": "application/json",
            }
            t0 = time.perf_counter()
            try:
                r = await http.post(f"{url}/api/monitoring/readings", content=body, headers=headers)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if r.status_code == 200:
                acked += r.json()["accepted"]
            else:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if listener is not None:
        deadline = time.perf_counter() + 5
        while alerts.sent and time.perf_counter() < deadline:  # noqa: ASYNC110 - bounded drain
            await asyncio.sleep(0.05)
        listener.cancel()
        with contextlib.suppress(BaseException):
            await listener
    lat = sorted(alerts.latencies)
    req = sorted(latencies)

    def pct(values: list[float], p: float) -> float | None:
        return (
            round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else None
        )

    return {
        "acknowledged": acked,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "readings_per_s": round(acked / elapsed, 1) if elapsed else 0,
        "batch_p50_ms": pct(req, 0.5),
        "batch_p99_ms": pct(req, 0.99),
        "alert_p99_ms": pct(lat, 0.99),
        "alert_p50_ms": pct(lat, 0.5),
        "alerts_measured": len(lat),
        "alerts_missed": len(alerts.sent) if alerts.available else None,
        "alert_note": None
        if (rules and alerts.available)
        else "no alert rules or alert stream on this server: alert_p99_ms not measured",
    }


async def _run_mqtt(
    mqtt_url: str, credentials: list[str], device_ids: list[str], readings: int, batch: int
) -> dict:
    """Each device its own broker client (username = device id, password = credential) that
    publishes its batches and reads its own acks, as the broker's ACL allows."""
    base = time.time() - readings / 1000 - 60
    n_batches = max(1, readings // batch)
    payloads: list[list[bytes]] = [[] for _ in credentials]
    for b in range(n_batches):
        points = msgspec.json.decode(_batch(b * batch, batch, base))["data_points"]
        payloads[b % len(credentials)].append(msgspec.json.encode({"data_points": points}))
    acked = 0
    done = asyncio.Event()
    expected = n_batches
    received = 0
    server = broker_params(mqtt_url)

    async def reader(client: aiomqtt.Client) -> None:
        nonlocal acked, received
        async for message in client.messages:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                acked += json.loads(message.payload)["accepted"]  # type: ignore[arg-type]
            received += 1
            if received >= expected:
                done.set()

    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for device_id, credential in zip(device_ids, credentials, strict=True):
            client = aiomqtt.Client(
                hostname=server["hostname"], port=server["port"], username=device_id,
                password=credential, identifier=f"bench-{uuid.uuid4().hex[:8]}",
            )  # fmt: skip
            await stack.enter_async_context(client)
            await client.subscribe(f"careverse/devices/{device_id}/acks", qos=1)
            clients.append(client)
        tasks = [asyncio.create_task(reader(c)) for c in clients]
        started = time.perf_counter()
        for client, device_id, batches in zip(clients, device_ids, payloads, strict=True):
            for payload in batches:
                await client.publish(f"careverse/devices/{device_id}/readings", payload, qos=1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 120)
        elapsed = time.perf_counter() - started
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
    return {
        "acknowledged": acked,
        "errors": expected - received,
        "seconds": round(elapsed, 3),
        "readings_per_s": round(acked / elapsed, 1) if elapsed else 0,
        "alert_p99_ms": None,
        "alert_note": "alert latency is measured over HTTP batches only",
    }


def _env_for_server() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    keep = ("DATABASE_URL", "DATA_DIR", "ENCRYPTION_KEYS", "ENCRYPTION_KEY_FILE", "REDIS_URL")
    for key in (f"CAREVERSE_{k}" for k in (*keep, "MQTT_URL")):
        if key in os.environ:
            env[key] = os.environ[key]
    env["CAREVERSE_LOG_LEVEL"] = "WARNING"
    return env


def _start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "careverse", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return server, url
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise RuntimeError("the benchmark server did not start")
        time.sleep(0.2)


def run_ingest_bench(
    readings: int,
    patients: int,
    batch: int,
    url: str | None = None,
    mqtt: bool = False,
    concurrency: int = 4,
) -> dict:
    env = _env_for_server()
    scratch = None
    if url is None and "CAREVERSE_DATABASE_URL" not in env:
        scratch = env["CAREVERSE_DATA_DIR"] = tempfile.mkdtemp(prefix="careverse-bench-")
    settings = Settings(
        data_dir=Path(env.get("CAREVERSE_DATA_DIR", os.environ.get("CAREVERSE_DATA_DIR", "./var"))),
        database_url=env.get("CAREVERSE_DATABASE_URL"),
    )
    patient_ids, credentials, clinician_token = asyncio.run(seed_patients(settings, patients))
    server = mosquitto = None
    device_ids: list[str] = []
    if mqtt:
        device_ids = asyncio.run(_device_ids(settings, credentials))
        if url is None and "CAREVERSE_MQTT_URL" not in env:
            # A private broker that knows the seeded devices; a broker of your own
            # (CAREVERSE_MQTT_URL) needs them in its password file (careverse devices
            # broker-passwd) before the run.
            mosquitto = Mosquitto(Path(tempfile.mkdtemp(prefix="careverse-bench-mqtt-")))
            mosquitto.start(
                {d: broker.mosquitto_hash(c) for d, c in zip(device_ids, credentials, strict=True)}
            )
            env["CAREVERSE_MQTT_URL"] = mosquitto.url
        env.setdefault("CAREVERSE_MQTT_URL", "mqtt://127.0.0.1:1883")
    try:
        if url is None:
            server, url = _start_server(env)
        cpu_before = _cpu_seconds(server.pid) if server else None
        if mqtt:
            time.sleep(1.0)  # the bridge subscribes as the server starts
            result = asyncio.run(
                _run_mqtt(env["CAREVERSE_MQTT_URL"], credentials, device_ids, readings, batch)
            )
        else:
            result = asyncio.run(
                _run_http(
                    url, patient_ids, credentials, clinician_token, readings, batch, concurrency
                )
            )
        cpu_after = _cpu_seconds(server.pid) if server else None
    finally:
        if server:
            server.terminate()
            server.wait(timeout=15)
        if mosquitto:
            mosquitto.stop()
            shutil.rmtree(mosquitto.folder, ignore_errors=True)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    elapsed = result["seconds"]
    return {
        "readings": readings,
        "patients": patients,
        "batch": batch,
        "transport": "mqtt" if mqtt else "http",
        "concurrency": None if mqtt else concurrency,
        **result,
        "server_cpu_percent": (
            round((cpu_after - cpu_before) / elapsed * 100, 1)
            if cpu_before is not None and cpu_after is not None and elapsed
            else None
        ),
        "database": "postgresql" if settings.uses_postgresql else "sqlite",
    }


async def _device_ids(settings: Settings, credentials: list[str]) -> list[str]:
    db = Database(settings.effective_database_url)
    try:
        async with db.session() as session:
            ids = []
            for c in credentials:
                ids.append(
                    str(
                        await session.scalar(
                            select(Device.id).where(Device.credential_hash == tokens.digest(c))
                        )
                    )
                )
            return ids
    finally:
        await db.dispose()


# ---- chart queries over a year of minute-level data -----------------------------------------


async def _vitals_query(settings: Settings, days: int, repeat: int) -> dict:
    crypto.install_keyring(crypto.load_keyring(settings))
    db = Database(settings.effective_database_url)
    try:
        await db.migrate()
        end = clock.now().replace(second=0, microsecond=0)
        start = end - timedelta(days=days)
        rng = random.Random(7)
        async with db.session() as session:
            patient = Patient(name="Bench year")
            session.add(patient)
            await session.commit()
            minutes = days * 24 * 60
            t0 = time.perf_counter()
            chunk = 20_000
            for offset in range(0, minutes, chunk):
                rows = [
                    {
                        "patient_id": patient.id, "device_id": None, "code": "8867-4",
                        "unit": "/min", "value": float(60 + rng.randint(0, 40)),
                        "effective_at": start + timedelta(minutes=m), "received_at": end,
                        "source_id": f"y{m}",
                    }
                    for m in range(offset, min(minutes, offset + chunk))
                ]  # fmt: skip
                await session.execute(insert(Reading), rows)
            await session.commit()
            seed_s = time.perf_counter() - t0

        async def timed(fn: Callable[[AsyncSession], Awaitable[_T]]) -> tuple[float, _T]:
            """The median milliseconds of ``repeat`` runs, and the last run's answer."""
            samples: list[float] = []
            outs: list[_T] = []
            for _ in range(repeat):
                async with db.session() as s:
                    t = time.perf_counter()
                    outs.append(await fn(s))
                    samples.append(time.perf_counter() - t)
            return round(statistics.median(samples) * 1000, 1), outs[-1]

        year_ms, year = await timed(
            lambda s: reading_queries.downsample(s, patient.id, "8867-4", start, end, 200)
        )
        day_ms, _ = await timed(
            lambda s: reading_queries.downsample(
                s, patient.id, "8867-4", end - timedelta(days=1), end, 200
            )
        )
        week_raw_ms, _ = await timed(
            lambda s: reading_queries.series(s, patient.id, "8867-4", end - timedelta(days=1), end)
        )
        latest_ms, _ = await timed(lambda s: reading_queries.latest(s, patient.id))
        return {
            "rows": minutes,
            "seed_seconds": round(seed_s, 1),
            "downsample_year_200_buckets_ms": year_ms,
            "buckets": len(year),
            "downsample_day_200_buckets_ms": day_ms,
            "raw_day_series_ms": week_raw_ms,
            "latest_all_codes_ms": latest_ms,
            "repeat": repeat,
            "database": "postgresql" if settings.uses_postgresql else "sqlite",
        }
    finally:
        await db.dispose()


def run_vitals_query_bench(days: int = 365, repeat: int = 5) -> dict:
    """On PostgreSQL (``CAREVERSE_DATABASE_URL``) the rows stay in that database: use a scratch
    one. On the embedded default a temporary SQLite file is used and removed."""
    settings = Settings()
    if settings.database_url:
        return asyncio.run(_vitals_query(settings, days, repeat))
    scratch = tempfile.mkdtemp(prefix="careverse-bench-")
    try:
        return asyncio.run(_vitals_query(Settings(data_dir=Path(scratch)), days, repeat))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
