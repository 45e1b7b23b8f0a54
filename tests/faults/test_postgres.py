"""PostgreSQL restarted under ingest and booking: while it is down every request answers 503 with
Retry-After (never 500) and /readyz says not ready; after it is back the pool recovers on its own,
every reading acknowledged with a 2xx is stored, and one slot is still booked once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from careverse.care.models import Appointment
from careverse.monitoring import jobs
from careverse.monitoring.models import Reading
from tests.faults.services import until
from tests.integration.care.support import MONDAY, WEEKDAYS, book
from tests.integration.monitoring.alert_support import add_rule, alerts, team, vital
from tests.integration.monitoring.support import heart_rate, paired_device
from tests.integration.privacy.support import person

pytestmark = pytest.mark.faults
__all__ = ["person"]


@pytest.fixture
def database_url(private_postgres_url: str) -> str:
    """The app of these tests (tests/conftest.py `app`) runs on the private cluster."""
    return private_postgres_url


@pytest.fixture
def monday(fake_clock):
    fake_clock.now = MONDAY
    return fake_clock


def batch(prefix: str, start: int, size: int = 10) -> dict:
    return {"data_points": [heart_rate(70, source_id=f"{prefix}{start + i}") for i in range(size)]}


async def test_postgres_restart_during_ingest_and_booking(
    app, client, person, monday, private_postgres
):
    clinician = await person("clinician")
    hours = {"time_zone": "UTC", "buffer_minutes": 5, "weekly": WEEKDAYS}
    r = await client.put("/api/care/availability", json=hours, headers=clinician.headers)
    assert r.status_code == 200, r.text
    patients = [await person("patient") for _ in range(6)]
    device = await paired_device(client, patients[0], patients[0].patient_id)
    booked = await book(client, patients[0], clinician, "2026-03-23T09:00:00Z")
    assert booked.status_code == 201, booked.text

    acknowledged: set[str] = set()
    refusals: Counter[int] = Counter()
    stop = asyncio.Event()

    async def stream(prefix: str) -> None:
        n = 0
        while not stop.is_set():
            body = batch(prefix, n)
            r = await client.post("/api/monitoring/readings", json=body, headers=device["headers"])
            if r.status_code == 200:
                for item in r.json()["results"]:
                    if item["status"] in ("stored", "duplicate"):
                        acknowledged.add(body["data_points"][item["index"]]["header"]["id"])
                n += 10
            else:
                refusals[r.status_code] += 1
                assert r.status_code != 503 or r.headers.get("Retry-After")
                await asyncio.sleep(0.05)  # and send the same batch again, as a device would

    streams = [asyncio.create_task(stream(p)) for p in "ab"]
    try:
        await until(lambda: len(acknowledged) >= 100, what="readings before the outage")
        await asyncio.to_thread(private_postgres.stop)  # a crash, mid-stream

        down = await client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["checks"]["database"].startswith("unreachable")
        r = await client.post(
            "/api/monitoring/readings", json=batch("down", 0), headers=device["headers"]
        )
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["code"] == "unavailable"
        r = await book(client, patients[1], clinician, "2026-03-23T10:00:00Z")
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        await until(lambda: refusals[503] >= 4, what="readings refused while down")

        await asyncio.to_thread(private_postgres.start)
        await until(_ready(client), what="/readyz ready after the restart")
        after = len(acknowledged)
        await until(lambda: len(acknowledged) >= after + 100, what="readings after")
    finally:
        stop.set()
        await asyncio.gather(*streams, return_exceptions=True)
    for task in streams:  # an assertion inside a stream fails the test
        task.result()

    assert set(refusals) == {503}, refusals  # never a 500
    async with app.state.runtime.db.session() as session:
        stored = (
            await session.scalars(
                select(Reading.source_id).where(Reading.patient_id == patients[0].patient_id)
            )
        ).all()
    assert acknowledged <= set(stored), f"lost {len(acknowledged - set(stored))} readings"
    assert len(stored) == len(set(stored)), "a reading was stored twice"

    # After recovery: five patients try one slot at once; the database lets exactly one win.
    attempts = await asyncio.gather(
        *(book(client, p, clinician, "2026-03-23T10:00:00Z") for p in patients[1:])
    )
    assert Counter(r.status_code for r in attempts) == {201: 1, 409: 4}
    async with app.state.runtime.db.session() as session:
        starts = (
            await session.scalars(
                select(Appointment.start_at).where(Appointment.clinician_id == clinician.id)
            )
        ).all()
        assert await session.scalar(select(func.count()).select_from(Appointment)) == 2
    assert sorted(s.hour for s in starts) == [9, 10]  # the booking made before the outage kept


def _ready(client):
    async def check() -> bool:
        return (await client.get("/readyz")).status_code == 200

    return check


async def test_readings_acknowledged_before_an_outage_still_meet_their_rules(
    app, client, person, private_postgres, monkeypatch
):
    """The rules run after the commit: a reading acknowledged just before the database went away
    is evaluated once it is back, and its alert opens."""
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code="59408-5", op="<",
                   value=92, severity="high")  # fmt: skip
    outage = asyncio.Event()
    real = jobs.evaluate_patient

    failed: list[BaseException] = []

    async def after_the_outage_begins(*args, **kw):
        await outage.wait()  # the commit is done; the evaluation meets the outage
        try:
            return await real(*args, **kw)
        except Exception as exc:
            failed.append(exc)
            raise

    monkeypatch.setattr(jobs, "evaluate_patient", after_the_outage_begins)
    r = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(t.patient.patient_id), "data_points": [vital("59408-5", 88)]},
        headers=t.patient.headers,
    )
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text

    await asyncio.to_thread(private_postgres.stop)
    outage.set()
    await until(lambda: failed, what="the evaluation failing while the database is down")
    await asyncio.to_thread(private_postgres.start)

    async def alert_opened() -> bool:
        return len(await alerts(client, t.clinician, status="open", source="rule")) == 1

    await until(alert_opened, timeout=30, what="the alert of the acknowledged reading")
