"""The MQTT bridge against a private Mosquitto that authenticates devices (username = device id,
password = credential) and binds each to its own topic: a device publishes a batch and gets
per-item answers on its acks topic after the commit; malformed and unknown input is refused."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from careverse.monitoring import readings
from careverse.monitoring.events import ReadingsCommitted
from careverse.monitoring.simulate import provision, stream
from tests.integration.monitoring.support import collect, heart_rate, paired_device, spo2
from tests.mqtt_support import admit_devices, private_broker, publish_and_collect, readings_topic

pytestmark = pytest.mark.services


@pytest.fixture
def broker(tmp_path):
    yield from private_broker(tmp_path / "mosquitto")


@pytest.fixture
def settings_overrides(broker) -> dict:
    return {"mqtt_url": broker.url}


async def test_a_device_publishes_readings_and_gets_acks_after_commit(app, client, person, broker):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    await admit_devices(app, broker)
    events = collect(app, ReadingsCommitted)
    good = json.dumps(
        {
            "batch_id": "b1",
            "data_points": [heart_rate(88, source_id="m1"), spo2(101), spo2(95, flow=0)],
        }
    ).encode()
    topic = readings_topic(device["id"])
    answers = await publish_and_collect(
        broker, device, [(topic, good), (topic, b"not json"), (topic, good)], expect=3
    )
    assert answers[0]["batch_id"] == "b1"
    assert answers[0]["accepted"] == 2
    assert answers[0]["rejected"][0]["index"] == 1
    assert answers[1]["retry"] is False and "data_points" in answers[1]["error"]
    assert answers[2]["duplicates"] == 2 and answers[2]["accepted"] == 0
    async with app.state.runtime.db.session() as session:
        latest = await readings.latest(session, alice.patient_id)
    assert latest["8867-4"].value == 88 and latest["3151-8"].value == 0
    assert events and alice.patient_id in events[0].patient_ids


async def test_a_revoked_device_is_refused_by_the_bridge_before_the_broker_forgets_it(
    app, client, person, broker
):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    await admit_devices(app, broker)
    r = await client.delete(f"/api/monitoring/devices/{device['id']}", headers=alice.headers)
    assert r.status_code in (200, 204), r.text
    payload = json.dumps({"data_points": [heart_rate(70)]}).encode()
    answers = await publish_and_collect(
        broker, device, [(readings_topic(device["id"]), payload)], expect=1
    )
    assert answers[0]["retry"] is False and "revoked" in answers[0]["error"]
    async with app.state.runtime.db.session() as session:
        assert await readings.latest(session, alice.patient_id) == {}


async def test_the_simulator_publishes_as_each_device(app, settings, broker):
    devices = await provision(settings, 2)
    await admit_devices(app, broker)
    result = await stream(
        "http://unused.invalid", devices, "stable", 0.2, 0.5, 1, broker.url, report=lambda _: None
    )
    assert result["sent"] > 0
    for attempt in range(100):  # the acks go to the devices; the rows are what matters here
        async with app.state.runtime.db.session() as session:
            found = [await readings.latest(session, uuid.UUID(p)) for p, _, _ in devices]
        if all(found) or attempt == 99:
            break
        await asyncio.sleep(0.1)
    assert all(latest["8867-4"].value > 0 for latest in found)
