"""The MQTT broker killed and restarted mid-stream: the bridge reconnects and subscribes again on
its own, every batch a device got an ack for is stored once, and QoS 1 redelivery of a batch
(the same batch_id and data points again) is answered as duplicates, never stored twice."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aiomqtt
import pytest
from sqlalchemy import select

from careverse.monitoring.models import Reading
from careverse.monitoring.service import broker_accounts
from tests.faults.services import until
from tests.integration.monitoring.support import heart_rate, paired_device
from tests.integration.privacy.support import person

pytestmark = pytest.mark.faults
__all__ = ["person"]

SIZE = 5


@pytest.fixture
def database_url(private_postgres_url: str) -> str:
    return private_postgres_url


@pytest.fixture
def settings_overrides(private_mosquitto) -> dict:
    return {"mqtt_url": private_mosquitto.url}


def batch(device: dict, number: int) -> tuple[str, bytes, list[str]]:
    ids = [f"m{number}-{i}" for i in range(SIZE)]
    payload = {
        "batch_id": f"b{number}",
        "data_points": [heart_rate(60 + i, source_id=s) for i, s in enumerate(ids)],
    }
    return f"b{number}", json.dumps(payload).encode(), ids


async def send_until_acked(broker, device: dict, batch_id: str, payload: bytes, timeout=90):
    """What a device does: publish at QoS 1 and wait for the ack of ``batch_id``; without one
    (the broker went away, the bridge is reconnecting) publish the same batch again."""
    deadline = time.monotonic() + timeout
    acks = f"careverse/devices/{device['id']}/acks"
    while time.monotonic() < deadline:
        try:
            async with aiomqtt.Client(
                "127.0.0.1", broker.port, identifier=f"dev-{uuid.uuid4().hex[:8]}",
                username=device["id"], password=device["credential"],
            ) as client:  # fmt: skip
                await client.subscribe(acks, qos=1)
                while time.monotonic() < deadline:
                    await client.publish(
                        f"careverse/devices/{device['id']}/readings", payload, qos=1
                    )
                    try:
                        async with asyncio.timeout(2):
                            async for message in client.messages:
                                ack = json.loads(message.payload)
                                if ack.get("batch_id") == batch_id and "error" not in ack:
                                    return ack
                    except TimeoutError:
                        continue  # no ack: send the same batch again
        except aiomqtt.MqttError:
            await asyncio.sleep(0.2)  # the broker is away: connect again
    raise AssertionError(f"batch {batch_id} was never acknowledged")


async def test_broker_restart_mid_stream(app, client, person, private_mosquitto):
    patient = await person("patient")
    device = await paired_device(client, patient, patient.patient_id)
    async with app.state.runtime.db.session() as session:  # the operator admits it to the broker
        private_mosquitto.set_accounts(await broker_accounts(session))
    acknowledged: set[str] = set()
    answers: dict[str, dict] = {}
    stop = asyncio.Event()

    async def stream() -> None:
        number = 0
        while not stop.is_set():
            batch_id, payload, ids = batch(device, number)
            ack = await send_until_acked(private_mosquitto, device, batch_id, payload)
            assert ack["accepted"] + ack["duplicates"] == SIZE, ack
            answers[batch_id] = ack
            acknowledged.update(ids)
            number += 1

    streaming = asyncio.create_task(stream())
    try:
        await until(lambda: len(answers) >= 3, what="batches acknowledged before the restart")
        await asyncio.to_thread(private_mosquitto.kill)  # mid-stream, no goodbye
        before = len(answers)
        await asyncio.to_thread(private_mosquitto.start)
        # The bridge subscribes again by itself: new batches are stored and acknowledged.
        await until(lambda: len(answers) >= before + 3, timeout=90, what="batches after")
    finally:
        stop.set()
        await asyncio.wait_for(streaming, 120)

    # QoS 1 redelivery: the broker (or the device) hands the bridge a batch it already stored.
    batch_id, payload, _ = batch(device, 0)
    again = await send_until_acked(private_mosquitto, device, batch_id, payload)
    assert (again["accepted"], again["duplicates"]) == (0, SIZE)

    async with app.state.runtime.db.session() as session:
        stored = (
            await session.scalars(
                select(Reading.source_id).where(Reading.patient_id == patient.patient_id)
            )
        ).all()
    assert acknowledged <= set(stored), f"lost {len(acknowledged - set(stored))} readings"
    assert len(stored) == len(set(stored)), "a reading was stored twice"
