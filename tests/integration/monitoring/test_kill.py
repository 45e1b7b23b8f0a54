"""Acknowledged means committed: SIGKILL the server mid-stream, restart it on the same database,
and find every reading it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from careverse.identity.models import Patient
from careverse.kernel import clock, crypto, tokens
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.monitoring.models import Device, Reading
from tests.conftest import TEST_KEYS
from tests.support import free_port


def _serve(database_url: str, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREVERSE_")}
    env.update(
        CAREVERSE_DATABASE_URL=database_url,
        CAREVERSE_DATA_DIR=str(data_dir),
        CAREVERSE_ENCRYPTION_KEYS=TEST_KEYS,
        CAREVERSE_LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "careverse", "serve", "--host", "127.0.0.1", "--port"]
    with (data_dir / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [*command, str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (data_dir / "server.log").read_text()[-3000:]
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail("careverse serve did not start")


async def _seed(database_url: str) -> tuple[uuid.UUID, str]:
    crypto.install_keyring(crypto.load_keyring(Settings(encryption_keys=TEST_KEYS)))
    db = Database(database_url)
    try:
        async with db.session() as session:
            patient = Patient(name="Kill test")
            session.add(patient)
            await session.flush()
            credential = tokens.new_secret("cvd")
            session.add(
                Device(
                    patient_id=patient.id, kind="wearable", label="Watch", status="active",
                    credential_hash=tokens.digest(credential), paired_at=clock.now(),
                )
            )  # fmt: skip
            await session.commit()
            return patient.id, credential
    finally:
        await db.dispose()


async def _stored(database_url: str, patient_id: uuid.UUID) -> set[str]:
    db = Database(database_url)
    try:
        async with db.session() as session:
            rows = await session.scalars(
                select(Reading.source_id).where(Reading.patient_id == patient_id)
            )
            return set(rows.all())
    finally:
        await db.dispose()


def _batch(start: int, size: int, prefix: str = "a") -> dict:
    at = clock.now().isoformat()
    return {
        "data_points": [
            {
                "header": {
                    "id": f"{prefix}{start + i}",
                    "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                },
                "body": {
                    "heart_rate": {"value": 70, "unit": "beats/min"},
                    "effective_time_frame": {"date_time": at},
                },
            }
            for i in range(size)
        ]
    }


def test_every_acknowledged_reading_survives_a_sigkill(database_url, tmp_path):
    patient_id, credential = asyncio.run(_seed(database_url))
    headers = {"Authorization": f"Bearer {credential}"}
    server, url = _serve(database_url, tmp_path)
    acknowledged: set[str] = set()
    stop = threading.Event()
    batches = 0

    def stream(prefix: str) -> None:
        nonlocal batches
        with httpx.Client(timeout=10) as http:
            n = 0
            while not stop.is_set():
                body = _batch(n, 40, prefix)
                try:
                    r = http.post(f"{url}/api/monitoring/readings", json=body, headers=headers)
                except httpx.HTTPError:
                    return  # the server died: this batch was never acknowledged
                if r.status_code == 200:
                    for item in r.json()["results"]:
                        if item["status"] in ("stored", "duplicate"):
                            acknowledged.add(body["data_points"][item["index"]]["header"]["id"])
                    batches += 1
                n += 40

    streams = [threading.Thread(target=stream, args=(p,)) for p in "ab"]
    for t in streams:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while batches < 15 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        server.wait(timeout=10)
    finally:
        stop.set()
        for t in streams:
            t.join(timeout=30)
        if server.poll() is None:
            server.kill()
    assert batches >= 15
    assert acknowledged

    server, url = _serve(database_url, tmp_path)
    try:
        stored = asyncio.run(_stored(database_url, patient_id))
        assert acknowledged <= stored, f"lost {len(acknowledged - stored)} acknowledged readings"
        # The server takes readings again; a retry of what was acknowledged is a duplicate.
        r = httpx.post(
            f"{url}/api/monitoring/readings", json=_batch(0, 40), headers=headers, timeout=10
        )
        assert r.status_code == 200 and r.json()["duplicates"] == 40
    finally:
        server.terminate()
        server.wait(timeout=15)
