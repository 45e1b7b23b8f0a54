"""Deeply nested JSON is refused where a body is decoded (readings over HTTP, FHIR Observation
and Bundle, MQTT) with a clear 422 that does not echo the input, never a 500; over MQTT the ack
is a permanent error (``"retry": false``) so the device stops resending it."""

from __future__ import annotations

import json

import pytest

from careverse.monitoring import json_input, mqtt

FHIR_JSON = "application/fhir+json"
MARKER = "nested-marker-value"


def nested(depth: int) -> str:
    """A JSON value ``depth`` levels deep (lists and objects), with a marker string inside."""
    return '{"a":[' * (depth // 2) + json.dumps(MARKER) + "]}" * (depth // 2)


def heart_rate(body_extra: str = "") -> str:
    return (
        '{"header":{"id":"hr-1","schema_id":{"namespace":"omh","name":"heart-rate"}},'
        '"body":{"heart_rate":{"value":70,"unit":"beats/min"},'
        '"effective_time_frame":{"date_time":"2026-01-01T00:00:00+00:00"}' + body_extra + "}}"
    )


def readings(patient_id, depth: int) -> str:
    """A batch of one heart rate whose body carries an extra field ``depth`` levels deep."""
    point = heart_rate(',"x":' + nested(depth))
    return '{"patient_id":"' + str(patient_id) + '","data_points":[' + point + "]}"


async def _patient(signed_in):
    account, headers = await signed_in("patient")
    return account.patient.id, headers


def _refused(response) -> None:
    assert response.status_code == 422, response.text
    assert "nest" in response.text.lower()
    assert MARKER not in response.text


@pytest.mark.parametrize("depth", [40, 5000, 200_000])
async def test_input_readings_refuse_deep_nesting(client, signed_in, depth):
    patient_id, headers = await _patient(signed_in)
    body = readings(patient_id, depth)
    r = await client.post(
        "/api/monitoring/readings",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    _refused(r)


@pytest.mark.parametrize("depth", [40, 5000])
async def test_input_fhir_observation_refuses_deep_nesting(client, signed_in, depth):
    _, headers = await _patient(signed_in)
    body = '{"resourceType":"Observation","status":"final","extension":' + nested(depth) + "}"
    r = await client.post(
        "/fhir/Observation", content=body, headers={**headers, "Content-Type": FHIR_JSON}
    )
    _refused(r)


@pytest.mark.parametrize("depth", [40, 5000])
async def test_input_fhir_bundle_refuses_deep_nesting(client, signed_in, depth):
    _, headers = await _patient(signed_in)
    body = '{"resourceType":"Bundle","type":"batch","entry":[' + nested(depth) + "]}"
    r = await client.post("/fhir", content=body, headers={**headers, "Content-Type": FHIR_JSON})
    _refused(r)


async def test_input_ordinary_nesting_is_still_accepted(client, signed_in):
    patient_id, headers = await _patient(signed_in)
    body = readings(patient_id, 20)
    r = await client.post(
        "/api/monitoring/readings",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1


@pytest.mark.parametrize("depth", [40, 5000])
async def test_input_mqtt_deep_nesting_is_a_permanent_error(app, depth):
    payload = ('{"batch_id":"b1","data_points":[' + nested(depth) + "]}").encode()
    device_id, ack = await mqtt.acknowledge(
        app.state.runtime.db, "careverse/devices/d1/readings", payload
    )
    assert device_id == "d1"
    assert ack["retry"] is False
    assert "nest" in ack["error"]
    assert MARKER not in json.dumps(ack)


async def test_input_mqtt_refusals_are_permanent_and_failures_transient(app, monkeypatch):
    db = app.state.runtime.db
    _, ack = await mqtt.acknowledge(db, "careverse/devices/d1/readings", b"not json")
    assert ack["retry"] is False
    _, ack = await mqtt.acknowledge(db, "careverse/devices/d1/readings", b'{"data_points":[]}')
    assert ack["retry"] is False and "device" in ack["error"]

    async def broken(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(mqtt, "handle", broken)
    _, ack = await mqtt.acknowledge(db, "careverse/devices/d1/readings", b"{}")
    assert ack == {"error": "not stored; try again", "retry": True}


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[]", False),
        ('"' + "[" * 100 + '"', False),  # brackets inside strings do not nest
        ('["\\"' + "[" * 100 + '"]', False),  # nor after an escaped quote
        ('["\\\\"' + ",[" * 40 + "]" * 40 + "]", True),  # an escaped backslash ends no string
        ("[" * 32 + "]" * 32, False),
        ("[" * 33 + "]" * 33, True),
        ("[" * 33, True),  # truncated, but nested too deep before it ends
        ("[" * 10 + "]" * 20, False),
    ],
)
def test_input_depth_check(text, deep):
    assert json_input.too_deep(text.encode(), 32) is deep
