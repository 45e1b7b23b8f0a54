"""``careverse bench fhir``: the Observation search over a year of minute-level readings.

One patient with a year of heart rate, one a minute (525,600 rows, bulk-inserted as
``bench vitals-query`` does), and a clinician with a care relationship. A node runs in this
process (``create_app``, its lifespan) and is asked through httpx's ASGI transport, as a client
would over HTTP but without the socket: ``GET /fhir/Observation?patient=…&date=ge…&date=le…
&_count=100``, the year's first page and then ``next`` links page after page, and the first
page of random one-day windows. Each request's time is one sample; the answer is p50 and p99.
Then the patient's whole record as the export streams it (every reading: time, size, and the
growth of the process's peak memory).

On PostgreSQL (``CAREVERSE_DATABASE_URL``) the rows stay in that database: use a scratch one.
On the embedded default a temporary SQLite file is used and removed.
"""

from __future__ import annotations

import asyncio
import random
import resource
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert

from careverse.bench.ingest import seed_patients
from careverse.kernel import clock
from careverse.kernel.config import Settings
from careverse.monitoring.models import Reading

DAY = timedelta(days=1)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _seed_year(settings: Settings, patient_id: uuid.UUID, days: int) -> float:
    from careverse.kernel.db import Database

    db = Database(settings.effective_database_url)
    try:
        end = clock.now().replace(second=0, microsecond=0)
        start = end - timedelta(days=days)
        rng = random.Random(13)
        t0 = time.perf_counter()
        async with db.session() as session:
            chunk = 20_000
            minutes = days * 24 * 60
            for offset in range(0, minutes, chunk):
                rows = [
                    {
                        "patient_id": patient_id, "device_id": None, "code": "8867-4",
                        "unit": "/min", "value": float(60 + rng.randint(0, 40)),
                        "effective_at": start + timedelta(minutes=m), "received_at": end,
                        "source_id": f"f{m}",
                    }
                    for m in range(offset, min(minutes, offset + chunk))
                ]  # fmt: skip
                await session.execute(insert(Reading), rows)
            await session.commit()
        return time.perf_counter() - t0
    finally:
        await db.dispose()


async def _fhir_bench(
    settings: Settings, days: int, pages: int, windows: int, export: bool
) -> dict:
    from careverse.app import create_app

    patient_ids, _, token = await seed_patients(settings, 1)
    pid = uuid.UUID(patient_ids[0])
    seed_s = await _seed_year(settings, pid, days)
    end = clock.now().replace(second=0, microsecond=0)
    start = end - timedelta(days=days)
    app = create_app(settings)
    samples: list[float] = []
    first_page: list[float] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def get(url: str) -> dict:
                t = time.perf_counter()
                answer = await client.get(url, headers=headers)
                samples.append(time.perf_counter() - t)
                if answer.status_code != 200:
                    raise RuntimeError(f"bench request answered {answer.status_code}")
                return answer.json()

            def search(ge: str, le: str) -> str:
                return f"/fhir/Observation?patient={pid}&date=ge{ge}&date=le{le}&_count=100"

            await get(search(start.date().isoformat(), end.date().isoformat()))  # warm-up
            samples.clear()
            url: str | None = search(start.date().isoformat(), end.date().isoformat())
            total = None
            for _ in range(pages):
                if url is None:
                    break
                page = await get(url)
                total = page.get("total", total)
                following = [link["url"] for link in page["link"] if link["relation"] == "next"]
                url = None
                if following:
                    parts = urlsplit(following[0])
                    url = f"{parts.path}?{parts.query}"
            rng = random.Random(5)
            for _ in range(windows):
                day = start + DAY * rng.randint(0, days - 1)
                t = time.perf_counter()
                await get(search(day.date().isoformat(), day.date().isoformat()))
                first_page.append(time.perf_counter() - t)
        exported = await _export(app, pid) if export else {}
    return {
        "rows": days * 24 * 60,
        "seed_seconds": round(seed_s, 1),
        "requests": len(samples),
        "year_total": total,
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p99_ms": round(_percentile(samples, 0.99) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        "day_window_p50_ms": round(statistics.median(first_page) * 1000, 1) if first_page else None,
        "target_p99_ms": 100,
        **exported,
        "database": "postgresql" if settings.uses_postgresql else "sqlite",
    }


async def _export(app, patient_id: uuid.UUID) -> dict:
    """The patient's whole record as the export writes it (privacy's ``stream_export``: every
    section, a page at a time), read by their clinician: seconds, size, and how much the
    process's peak memory grew."""
    from sqlalchemy import select

    from careverse.identity.models import CareRelationship
    from careverse.kernel.policy import Actor, Role
    from careverse.privacy.service import stream_export

    runtime = app.state.runtime
    async with runtime.db.session() as session:
        clinician = await session.scalar(
            select(CareRelationship.clinician_id).where(CareRelationship.patient_id == patient_id)
        )
    assert clinician is not None
    actor = Actor(clinician, Role.CLINICIAN)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    size = 0
    async for chunk in stream_export(
        runtime.db, runtime.patient_record, actor, patient_id, runtime.settings.public_url
    ):
        size += len(chunk)
    seconds = time.perf_counter() - t
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {
        "export_seconds": round(seconds, 1),
        "export_mb": round(size / 1e6, 1),
        "export_peak_rss_growth_mb": round(grown / 1024, 1),
    }


def run_fhir_bench(
    days: int = 365, pages: int = 200, windows: int = 100, export: bool = True
) -> dict:
    """See the module doc."""
    settings = Settings(migrate_on_start=True, log_json=False, log_level="WARNING")
    if settings.database_url:
        return asyncio.run(_fhir_bench(settings, days, pages, windows, export))
    scratch = tempfile.mkdtemp(prefix="careverse-bench-")
    try:
        local = Settings(
            data_dir=Path(scratch), migrate_on_start=True, log_json=False, log_level="WARNING"
        )
        return asyncio.run(_fhir_bench(local, days, pages, windows, export))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
