"""Finding 7: device credentials travelled in MQTT payloads, readable by any subscriber of a broker
that let anonymous clients in. Now the broker authenticates each device (username = device id,
password = credential, Mosquitto ``password_file``) and its ``acl_file`` binds a device to its own
topic; the bridge attributes a batch from the topic alone and refuses a payload that carries a
credential. Every test runs against a private Mosquitto started for it (``tests.mqtt_support``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess

import pytest
from aiomqtt.exceptions import MqttConnectError

from careverse.monitoring import broker as broker_files
from careverse.monitoring import mqtt, readings
from tests.integration.monitoring.support import heart_rate, paired_device
from tests.integration.privacy.support import person
from tests.mqtt_support import (
    admit_devices,
    device_client,
    private_broker,
    publish_and_collect,
    readings_topic,
)

__all__ = ["person"]
pytestmark = pytest.mark.services


@pytest.fixture
def broker(tmp_path):
    yield from private_broker(tmp_path / "mosquitto")


@pytest.fixture
def settings_overrides(broker) -> dict:
    return {"mqtt_url": broker.url}


def batch(value: float, **extra) -> bytes:
    return json.dumps({"data_points": [heart_rate(value)], **extra}).encode()


async def _latest(app, patient_id) -> dict:
    async with app.state.runtime.db.session() as session:
        return await readings.latest(session, patient_id)


async def _two_devices(app, client, person, broker):
    alice, bob = await person("patient"), await person("patient")
    mine = await paired_device(client, alice, alice.patient_id)
    theirs = await paired_device(client, bob, bob.patient_id)
    await admit_devices(app, broker)
    return alice, bob, mine, theirs


async def test_mqtt_anonymous_client_cannot_connect_nor_subscribe(app, broker):
    with pytest.raises(MqttConnectError):
        async with device_client(broker, None, None) as anonymous:
            await anonymous.subscribe("careverse/devices/+/readings", qos=1)


async def test_mqtt_wrong_password_is_refused_by_the_broker(app, client, person, broker):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    await admit_devices(app, broker)
    with pytest.raises(MqttConnectError):
        async with device_client(broker, device["id"], "cvd_not-the-credential"):
            pass
    async with device_client(broker, device["id"], device["credential"]):
        pass  # the right one is let in


async def test_mqtt_device_ingests_from_its_own_topic_without_a_credential(
    app, client, person, broker
):
    alice, bob, mine, _ = await _two_devices(app, client, person, broker)
    answers = await publish_and_collect(
        broker, mine, [(readings_topic(mine["id"]), batch(77, batch_id="b1"))], expect=1
    )
    assert answers[0]["batch_id"] == "b1" and answers[0]["accepted"] == 1, answers
    assert (await _latest(app, alice.patient_id))["8867-4"].value == 77
    assert await _latest(app, bob.patient_id) == {}


async def test_mqtt_device_cannot_publish_on_another_devices_topic(app, client, person, broker):
    alice, bob, mine, theirs = await _two_devices(app, client, person, broker)
    # Forged on bob's topic, then one of alice's own: her own ack arriving means the bridge has
    # had every message the broker let through (one publisher, one subscriber: in order).
    answers = await publish_and_collect(
        broker,
        mine,
        [(readings_topic(theirs["id"]), batch(150)), (readings_topic(mine["id"]), batch(66))],
        expect=1,
    )
    assert answers[0]["accepted"] == 1
    assert await _latest(app, bob.patient_id) == {}
    assert (await _latest(app, alice.patient_id))["8867-4"].value == 66


async def test_mqtt_device_cannot_read_another_devices_topics(app, client, person, broker):
    _, _, mine, theirs = await _two_devices(app, client, person, broker)
    seen: list[str] = []
    async with device_client(broker, mine["id"], mine["credential"]) as spy:
        await spy.subscribe(f"careverse/devices/{theirs['id']}/#", qos=1)
        await publish_and_collect(
            broker, theirs, [(readings_topic(theirs["id"]), batch(70))], expect=1
        )
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1):
                async for message in spy.messages:
                    seen.append(message.topic.value)
    assert seen == []


async def test_mqtt_credential_in_the_payload_is_not_authentication(app, client, person, broker):
    alice, bob, mine, theirs = await _two_devices(app, client, person, broker)
    # Alice's device on its own topic, carrying bob's (valid) credential, then its own: neither
    # is stored, neither is attributed to bob; the answer says why and not to resend.
    answers = await publish_and_collect(
        broker,
        mine,
        [
            (readings_topic(mine["id"]), batch(120, credential=theirs["credential"])),
            (readings_topic(mine["id"]), batch(121, credential=mine["credential"])),
        ],
        expect=2,
    )
    assert [a["retry"] for a in answers] == [False, False]
    assert all("credential" in a["error"] for a in answers)
    assert not any(theirs["credential"] in json.dumps(a) for a in answers)
    assert await _latest(app, bob.patient_id) == {}
    assert await _latest(app, alice.patient_id) == {}


async def test_mqtt_bridge_refuses_to_serve_an_open_broker(tmp_path):
    """A topic proves who published only on a broker that authenticates: on one that lets
    anonymous clients in, the bridge does not serve (it says so in the log, and checks again)."""
    for open_broker in private_broker(tmp_path / "open", allow_anonymous=True):
        with pytest.raises(mqtt.BrokerAllowsAnonymous):
            await mqtt.refuse_open_broker(mqtt.broker_params(open_broker.url))
    for closed in private_broker(tmp_path / "closed"):
        await mqtt.refuse_open_broker(mqtt.broker_params(closed.url))


def test_mqtt_password_file_hash_is_mosquittos_own(tmp_path):
    """Our ``$7$`` hash and ``mosquitto_passwd``'s verify each other (the broker tests above show
    that Mosquitto accepts ours)."""
    hashed = broker_files.mosquitto_hash("cvd_example")
    assert broker_files.mosquitto_verify("cvd_example", hashed)
    assert not broker_files.mosquitto_verify("cvd_other", hashed)
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        pytest.skip("mosquitto_passwd is not installed")
    path = tmp_path / "passwd"
    subprocess.run([tool, "-c", "-b", str(path), "device", "cvd_example"], check=True)
    theirs = broker_files.parse_password_file(path.read_text())["device"]
    assert broker_files.mosquitto_verify("cvd_example", theirs)


def test_mqtt_password_file_drops_revoked_devices_and_keeps_the_operators_lines():
    kept_bridge = broker_files.mosquitto_hash("bridge-secret")
    existing = (
        f"careverse-bridge:{kept_bridge}\n"
        "monitoring:$7$101$c2FsdA==$aGFzaA==\n"
        "6f1c7d0e-8f5e-4a52-9d1e-2b8a3f1f0c11:$7$101$c2FsdA==$cmV2b2tlZA==\n"
    )
    active = {"0b6d2c9e-1f0a-4c5e-8a4b-7f3e2d1c0b9a": broker_files.mosquitto_hash("cvd_a")}
    accounts = broker_files.merged_accounts(existing, active, ("careverse-bridge", "bridge-secret"))
    assert accounts == {
        "careverse-bridge": kept_bridge,  # unchanged: the file is rewritten only on a change
        "monitoring": "$7$101$c2FsdA==$aGFzaA==",
        **active,
    }
    text = broker_files.password_file(accounts)
    assert broker_files.password_file(broker_files.parse_password_file(text)) == text
    with pytest.raises(ValueError, match="username"):
        broker_files.password_file({"a/#": "x"})
