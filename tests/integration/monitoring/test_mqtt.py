"""The MQTT bridge against the real Mosquitto on 127.0.0.1:1883: a device publishes a batch and
gets per-item answers on its acks topic after the commit; a bad credential is refused."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from careverse.monitoring import readings
from careverse.monitoring.events import ReadingsCommitted
from tests.conftest import service_unavailable
from tests.integration.monitoring.support import collect, heart_rate, paired_device, spo2

pytestmark = pytest.mark.services
MQTT_URL = "mqtt://127.0.0.1:1883"


@pytest.fixture
def settings_overrides() -> dict:
    return {"mqtt_url": MQTT_URL}


async def _exchange(device_id: str, payloads: list[bytes], expect: int) -> list[dict]:
    import aiomqtt

    answers: list[dict] = []
    try:
        async with aiomqtt.Client("127.0.0.1", 1883, identifier=f"t-{uuid.uuid4().hex[:8]}") as c:
            await c.subscribe(f"careverse/devices/{device_id}/acks", qos=1)
            await asyncio.sleep(0.3)  # the bridge subscribes as the app starts
            for payload in payloads:
                await c.publish(f"careverse/devices/{device_id}/readings", payload, qos=1)
            async with asyncio.timeout(15):
                async for message in c.messages:
                    answers.append(json.loads(message.payload))
                    if len(answers) >= expect:
                        break
    except aiomqtt.MqttError as exc:
        service_unavailable("Mosquitto", exc)
    return answers


async def test_a_device_publishes_readings_and_gets_acks_after_commit(app, client, person):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    events = collect(app, ReadingsCommitted)
    good = json.dumps(
        {
            "credential": device["credential"],
            "batch_id": "b1",
            "data_points": [heart_rate(88, source_id="m1"), spo2(101), spo2(95, flow=0)],
        }
    ).encode()
    bad = json.dumps({"credential": "cvd_wrong", "data_points": [heart_rate(70)]}).encode()
    answers = await _exchange(device["id"], [good, bad, good], expect=3)
    assert answers[0]["batch_id"] == "b1"
    assert answers[0]["accepted"] == 2
    assert answers[0]["rejected"][0]["index"] == 1
    assert "credential" in answers[1]["error"]
    assert answers[2]["duplicates"] == 2 and answers[2]["accepted"] == 0
    async with app.state.runtime.db.session() as session:
        latest = await readings.latest(session, alice.patient_id)
    assert latest["8867-4"].value == 88 and latest["3151-8"].value == 0
    assert events and alice.patient_id in events[0].patient_ids


async def test_a_device_cannot_publish_for_another_device(client, person):
    alice, bob = await person("patient"), await person("patient")
    mine = await paired_device(client, alice, alice.patient_id)
    theirs = await paired_device(client, bob, bob.patient_id)
    payload = json.dumps(
        {"credential": mine["credential"], "data_points": [heart_rate(70)]}
    ).encode()
    answers = await _exchange(theirs["id"], [payload], expect=1)
    assert "another device" in answers[0]["error"]
