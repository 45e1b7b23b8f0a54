"""The MQTT bridge: devices publish batches, the node stores them and answers on an acks topic.

Topic in: ``careverse/devices/<device id>/readings`` (QoS 1), payload
``{"data_points": [Open mHealth data points], "batch_id"?: str}``.
Topic out: ``careverse/devices/<device id>/acks`` (QoS 1), the same per-item answer as HTTP plus
``batch_id``, published only after the commit. An ack with ``error`` carries ``retry``: false
when the message itself is refused (not JSON, nested too deep, unknown device, a credential in
the payload…; resending it cannot help), true when the node failed to store it (send the same
batch again later). The broker's own PUBACK only says the bridge received the message; the ack
message says it is stored.

Devices authenticate to the broker, not to the bridge: MQTT username = device id, password =
the device credential, checked by the broker's password file, and the broker's ACL lets a
username publish only to its own topic (see ``broker.py`` and docs/monitoring.md). So the device
id in the topic is the proof of who sent a message, and the bridge attributes a batch from the
topic alone. A payload that carries a ``credential`` is refused, never used: a credential in a
payload is readable by every client allowed to read that topic.

Nodes subscribe through the shared subscription ``$share/careverse/...`` with their own broker
account (``CAREVERSE_MQTT_URL``), so the broker hands each message to one node rather than to all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from urllib.parse import unquote, urlsplit

import aiomqtt
import msgspec
import structlog
from aiomqtt.exceptions import MqttConnectError

from careverse.kernel.db import Database
from careverse.kernel.errors import DomainError
from careverse.monitoring import ingest, json_input
from careverse.monitoring.service import MonitoringService, device_for_topic

log = structlog.get_logger(__name__)

TOPIC = "careverse/devices/+/readings"
SHARED_TOPIC = f"$share/careverse/{TOPIC}"


class MqttBatch(msgspec.Struct, forbid_unknown_fields=False):
    data_points: list[msgspec.Raw]
    batch_id: str | None = None
    # Only to refuse it: a device authenticates to the broker, never in the payload.
    credential: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET


CREDENTIAL_IN_PAYLOAD = (
    "a credential does not belong in the payload: connect to the broker as the device"
    " (username = device id, password = credential) and publish only data_points"
)


def broker_params(url: str) -> dict:
    """``mqtt://user:pass@host:port`` to aiomqtt.Client keyword arguments."""
    parts = urlsplit(url)
    params: dict = {"hostname": parts.hostname or "127.0.0.1", "port": parts.port or 1883}
    if parts.username:
        params["username"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    return params


def device_of(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == "careverse" and parts[1] == "devices":
        return parts[2]
    return None


def refused(answer: dict, error: str) -> dict:
    """A permanent error: resending the same message cannot succeed (``"retry": false``)."""
    return {**answer, "error": error, "retry": False}


async def handle(db: Database, topic: str, payload: bytes) -> tuple[str | None, dict]:
    """Store one message's batch; answers (device id for the ack topic, ack payload) once the
    batch is committed. Messages that can never be stored answer a :func:`refused` ack."""
    received = time.time()
    topic_device = device_of(topic)
    try:
        batch = json_input.decode(payload, into=MqttBatch)
    except json_input.TooDeep as exc:
        return topic_device, refused({}, exc.message)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return topic_device, refused({}, "expected {data_points: [...], batch_id?}")
    answer: dict = {"batch_id": batch.batch_id} if batch.batch_id else {}
    if batch.credential is not msgspec.UNSET:
        return topic_device, refused(answer, CREDENTIAL_IN_PAYLOAD)
    if len(batch.data_points) > ingest.MAX_BATCH:
        return topic_device, refused(answer, f"at most {ingest.MAX_BATCH} data points")
    async with db.session() as session:
        try:
            device = await device_for_topic(session, topic_device)
        except DomainError as exc:
            return topic_device, refused(answer, exc.message)
        items = ingest.parse_batch(batch.data_points)
        outcome = await MonitoringService(session).ingest_as_device(
            device, items, received, channel="mqtt"
        )
    return topic_device, {**answer, **outcome.as_json()}


async def acknowledge(db: Database, topic: str, payload: bytes) -> tuple[str | None, dict]:
    """:func:`handle`, answering a failure of ours (not the message's) with a transient error
    (``"retry": true``): the device sends the batch again later."""
    try:
        return await handle(db, topic, payload)
    except Exception as exc:  # a bad message must not stop the bridge
        log.error("monitoring.mqtt_failed", error=type(exc).__name__)
        return device_of(topic), {"error": "not stored; try again", "retry": True}


class BrokerAllowsAnonymous(Exception):
    """The broker let a client in without credentials: a topic proves nothing there."""


async def refuse_open_broker(params: dict) -> None:
    """Raise :class:`BrokerAllowsAnonymous` when the broker accepts an anonymous client.

    The bridge trusts the device id in a topic only because the broker authenticated the
    publisher; on a broker that lets anyone in, anyone could publish as any device.
    """
    anonymous = {"hostname": params["hostname"], "port": params["port"]}
    try:
        async with aiomqtt.Client(
            **anonymous, identifier=f"careverse-probe-{uuid.uuid4().hex[:8]}"
        ):
            pass
    except MqttConnectError:
        return  # refused: devices must authenticate
    raise BrokerAllowsAnonymous


def still_wanted() -> None:
    """Raise ``CancelledError`` when this task was asked to stop.

    On Python 3.11, ``asyncio.wait_for`` (aiomqtt awaits every connect, subscribe and publish
    through it) drops a cancellation that arrives as the awaited operation finishes; the bridge
    would then go on serving, and a node's shutdown would wait for it forever.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def run(url: str, db: Database) -> None:
    """Subscribe and serve until cancelled, reconnecting when the broker goes away. Refuses to
    serve (and checks again later) while the broker lets anonymous clients in."""
    identifier = f"careverse-{uuid.uuid4().hex[:12]}"
    params = broker_params(url)
    delay = 1.0
    while True:
        try:
            still_wanted()
            await refuse_open_broker(params)
            still_wanted()
            async with aiomqtt.Client(**params, identifier=identifier) as client:
                await client.subscribe(SHARED_TOPIC, qos=1)
                still_wanted()
                log.info("monitoring.mqtt_connected")
                delay = 1.0
                async for message in client.messages:
                    device_id, ack = await acknowledge(
                        db, message.topic.value, bytes(message.payload)
                    )
                    if device_id:
                        await client.publish(
                            f"careverse/devices/{device_id}/acks", msgspec.json.encode(ack), qos=1
                        )
                        still_wanted()
        except asyncio.CancelledError:
            raise
        except BrokerAllowsAnonymous:
            log.error(
                "monitoring.mqtt_broker_allows_anonymous",
                hint="set allow_anonymous false, a password_file and an acl_file on the broker",
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
        except Exception as exc:  # aiomqtt.MqttError and connection errors
            log.warning("monitoring.mqtt_disconnected", error=type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def stop(task: asyncio.Task | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(BaseException):
        await task
