"""Helpers of the monitoring ingest tests: Open mHealth data points and a paired device."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx

from careverse.kernel import clock
from careverse.kernel.events import DomainEvent, Phase


def when(minutes_ago: float = 0) -> str:
    return (clock.now() - timedelta(minutes=minutes_ago)).isoformat()


def point(name: str, body: dict, source_id: str | None = None, at: str | None = None) -> dict:
    return {
        "header": {
            "id": source_id or str(uuid.uuid4()),
            "schema_id": {"namespace": "omh", "name": name, "version": "2.0"},
        },
        "body": {**body, "effective_time_frame": {"date_time": at or when()}},
    }


def heart_rate(value, unit="beats/min", **kw) -> dict:
    return point("heart-rate", {"heart_rate": {"value": value, "unit": unit}}, **kw)


def spo2(value, flow=None, **kw) -> dict:
    body: dict = {"oxygen_saturation": {"value": value, "unit": "%"}}
    if flow is not None:
        body["supplemental_oxygen_flow_rate"] = {"value": flow, "unit": "L/min"}
    return point("oxygen-saturation", body, **kw)


def temperature(value, unit="C", **kw) -> dict:
    return point("body-temperature", {"body_temperature": {"value": value, "unit": unit}}, **kw)


def blood_pressure(sys_, dia, **kw) -> dict:
    return point(
        "blood-pressure",
        {
            "systolic_blood_pressure": {"value": sys_, "unit": "mmHg"},
            "diastolic_blood_pressure": {"value": dia, "unit": "mmHg"},
        },
        **kw,
    )


async def paired_device(client: httpx.AsyncClient, owner, patient_id, kind="wearable") -> dict:
    """Register a device as ``owner`` for the patient and pair it; answers ids and headers."""
    r = await client.post(
        "/api/monitoring/devices",
        json={"patient_id": str(patient_id), "kind": kind, "label": "Test watch"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    device_id = r.json()["id"]
    r = await client.post(
        f"/api/monitoring/devices/{device_id}/pairing-code", headers=owner.headers
    )
    assert r.status_code == 201, r.text
    r = await client.post("/api/monitoring/pair", json={"code": r.json()["code"]})
    assert r.status_code == 200, r.text
    credential = r.json()["credential"]
    return {
        "id": device_id,
        "credential": credential,
        "headers": {"Authorization": f"Bearer {credential}"},
    }


def iso(at: datetime) -> str:
    return at.isoformat()


def collect(app, event_type: type[DomainEvent], phase: Phase = Phase.COMMITTED) -> list:
    """Every ``event_type`` the app publishes from now on, in order (a handler subscribed
    through ``app.state.runtime.events``)."""
    events: list = []

    async def record(event: DomainEvent) -> None:
        events.append(event)

    app.state.runtime.events.subscribe(event_type, record, phase=phase)
    return events
