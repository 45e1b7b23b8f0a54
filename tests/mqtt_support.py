"""A private Mosquitto per test (``careverse.bench.mosquitto``: its own folder and port, no
anonymous clients, a password file and the Careverse ACL), and devices that sign in to it.
The machine's shared broker on 1883 is never used nor touched."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiomqtt

from careverse.bench.mosquitto import BINARY, Mosquitto
from careverse.monitoring.mqtt import SHARED_TOPIC
from careverse.monitoring.service import broker_accounts
from tests.conftest import service_unavailable


def private_broker(folder: Path, *, allow_anonymous: bool = False) -> Iterator[Mosquitto]:
    """Start a private broker in ``folder``; stop it afterwards (the body of a fixture)."""
    if not os.access(BINARY, os.X_OK):
        service_unavailable("Mosquitto", FileNotFoundError(BINARY))
    broker = Mosquitto(folder, allow_anonymous=allow_anonymous)
    try:
        broker.start()
    except (OSError, RuntimeError) as exc:
        service_unavailable("Mosquitto", exc)
    try:
        yield broker
    finally:
        broker.stop()


async def admit_devices(app, broker: Mosquitto) -> None:
    """What an operator's ``careverse devices broker-passwd`` does: every active device of the
    database into the broker's password file, then a reload; waits for the bridge to listen."""
    async with app.state.runtime.db.session() as session:
        accounts = await broker_accounts(session)
    await asyncio.to_thread(broker.set_accounts, accounts)
    for _ in range(300):  # the bridge subscribes as the app starts (log polled, up to 15 s)
        if broker.subscribed(SHARED_TOPIC):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bridge never subscribed: {broker.log[-500:]}")


def device_client(broker: Mosquitto, username: str | None, password: str | None) -> aiomqtt.Client:
    return aiomqtt.Client(
        "127.0.0.1",
        broker.port,
        username=username,
        password=password,
        identifier=f"t-{uuid.uuid4().hex[:8]}",
    )


async def publish_and_collect(
    broker: Mosquitto,
    device: dict,
    messages: list[tuple[str, bytes]],
    expect: int,
    wait: float = 15,
) -> list[dict]:
    """Connect as ``device`` (username = id, password = credential), read its acks topic,
    publish each ``(topic, payload)``, and answer the first ``expect`` acks (fewer on timeout)."""
    answers: list[dict] = []
    async with device_client(broker, device["id"], device["credential"]) as client:
        await client.subscribe(f"careverse/devices/{device['id']}/acks", qos=1)
        for topic, payload in messages:
            await client.publish(topic, payload, qos=1)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                async for message in client.messages:
                    answers.append(json.loads(message.payload))  # type: ignore[arg-type]
                    if len(answers) >= expect:
                        break
    return answers


def readings_topic(device_id: str) -> str:
    return f"careverse/devices/{device_id}/readings"
