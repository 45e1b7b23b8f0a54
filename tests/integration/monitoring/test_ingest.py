"""Readings over HTTP: per-item answers, conversion, idempotent retries, chart queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from careverse.kernel import clock
from careverse.kernel.audit import AuditEvent
from careverse.monitoring import readings
from careverse.monitoring.events import ReadingsCommitted
from careverse.monitoring.models import Reading
from tests.integration.monitoring.support import (
    blood_pressure,
    collect,
    heart_rate,
    paired_device,
    point,
    spo2,
    temperature,
    when,
)


async def test_a_batch_answers_per_item_and_stores_only_the_good_ones(app, client, person):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    events = collect(app, ReadingsCommitted)
    batch = [
        heart_rate(72),  # 0 ok
        spo2(101),  # 1 implausible
        temperature(98.6, unit="F"),  # 2 converted
        blood_pressure(120, 80),  # 3 two rows
        heart_rate(400),  # 4 implausible
        spo2(94, flow=2),  # 5 with oxygen
        {"header": {"id": "x"}},  # 6 malformed
        point(
            "heart-rate",
            {"heart_rate": {"value": 70, "unit": "beats/min"}},
            at="2020-01-01T00:00:00",
        ),
        heart_rate(70, at=(clock.now() + timedelta(hours=2)).isoformat()),  # 8 future
        blood_pressure(80, 120),  # 9 diastolic above systolic
        point("sleep-duration", {"sleep_duration": {"value": 7, "unit": "h"}}),  # 10
    ]
    r = await client.post(
        "/api/monitoring/readings", json={"data_points": batch}, headers=device["headers"]
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["accepted"] == 4 and out["duplicates"] == 0
    assert [x["index"] for x in out["rejected"]] == [1, 4, 6, 7, 8, 9, 10]
    assert [x["status"] for x in out["results"]][:4] == ["stored", "rejected", "stored", "stored"]
    for rejected in out["rejected"]:
        assert rejected["reason"]
    assert "101" not in out["rejected"][0]["reason"]
    assert events and events[-1].patient_ids == {alice.patient_id}
    assert "8480-6" in events[-1].codes and "3151-8" in events[-1].codes

    async with app.state.runtime.db.session() as session:
        latest = await readings.latest(session, alice.patient_id)
        assert latest["8310-5"].value == 37.0 and latest["8310-5"].unit == "Cel"
        assert latest["8480-6"].value == 120 and latest["8462-4"].value == 80
        assert latest["3151-8"].value == 2 and latest["59408-5"].value == 94
        assert latest["8867-4"].device_id == uuid.UUID(device["id"])
        # One audit event for the batch, not one per reading.
        n = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "vitals.write",
                AuditEvent.patient_id == alice.patient_id,
                AuditEvent.resource_type == "Device",
                AuditEvent.actor_role == "device",
            )
        )
        assert n == 1

    # The same batch again: nothing stored twice; duplicates are reported as such.
    r = await client.post(
        "/api/monitoring/readings", json={"data_points": batch}, headers=device["headers"]
    )
    assert r.json()["accepted"] == 0 and r.json()["duplicates"] == 4
    async with app.state.runtime.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Reading))
        assert count == 6


async def test_bad_bodies_answer_4xx_never_500(client, person):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    h = {**device["headers"], "Content-Type": "application/json"}
    for body in (
        b"not json",
        b"[]",
        b'{"data_points": 3}',
        b"{}",
        b'{"data_points": [1, null, "x"]}',
    ):
        r = await client.post("/api/monitoring/readings", content=body, headers=h)
        assert r.status_code in (200, 422), (body, r.status_code)
    r = await client.post("/api/monitoring/readings", content=b'{"data_points": [1]}', headers=h)
    assert r.json()["rejected"][0]["index"] == 0
    r = await client.post(
        "/api/monitoring/readings",
        json={"data_points": []},
        headers={"Authorization": "Bearer cvd_nope"},
    )
    assert r.status_code == 401
    r = await client.post("/api/monitoring/readings", json={"data_points": []})
    assert r.status_code == 401


async def test_vitals_are_downsampled_in_the_database(app, client, person):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    batch = [
        heart_rate(60 + i % 10, at=when(minutes_ago=i), source_id=f"hr-{i}") for i in range(240)
    ]
    r = await client.post(
        "/api/monitoring/readings", json={"data_points": batch}, headers=device["headers"]
    )
    assert r.json()["accepted"] == 240
    end = clock.now() + timedelta(seconds=1)
    start = end - timedelta(hours=4, seconds=30)
    r = await client.get(
        f"/api/monitoring/patients/{alice.patient_id}/vitals",
        params={"code": "8867-4", "start": start.isoformat(), "end": end.isoformat(), "buckets": 4},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["unit"] == "/min" and out["label"] == "Heart rate"
    assert sum(p["n"] for p in out["points"]) == 240
    assert len(out["points"]) <= 4
    for p in out["points"]:
        assert 60 <= p["min"] <= p["mean"] <= p["max"] <= 69
    async with app.state.runtime.db.session() as session:
        raw = await readings.series(session, alice.patient_id, "8867-4", start, end)
        assert len(raw) == 240 and raw[0][0] < raw[-1][0]
        at = await readings.last_reading_at(session, alice.patient_id)
        assert at is not None and abs((at - clock.now()).total_seconds()) < 60
    r = await client.get(
        f"/api/monitoring/patients/{alice.patient_id}/vitals",
        params={"code": "nonsense"},
        headers=alice.headers,
    )
    assert r.status_code == 422


async def test_demo_vitals_are_seeded_once(app, make_account):
    from careverse.monitoring.simulate import seed_demo

    account = await make_account("patient")
    async with app.state.runtime.db.session() as session:
        first = await seed_demo(session, {account.patient.id: "deteriorating"}, hours=24)
        again = await seed_demo(session, {account.patient.id: "deteriorating"}, hours=24)
        latest = await readings.latest(session, account.patient.id)
    assert first > 200 and again == 0
    assert set(latest) >= {"8867-4", "59408-5", "8480-6", "9279-1", "8310-5"}
