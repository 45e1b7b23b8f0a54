"""Devices: registration by who may write, pairing once, credentials bound to one patient,
revocation that stops a device at once."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from careverse.identity import directory
from careverse.monitoring import simulate
from careverse.monitoring.models import Device
from tests.integration.monitoring.support import heart_rate, paired_device
from tests.integration.privacy.support import assign, delegate


async def test_patient_pairs_a_device_and_it_writes_only_to_its_patient(app, client, person):
    alice, bob = await person("patient"), await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    assert device["credential"].startswith("cvd_")

    r = await client.post(
        "/api/monitoring/readings",
        json={"data_points": [heart_rate(72)]},
        headers=device["headers"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1

    # Naming another patient is refused; the device's patient is the only one it can write.
    r = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(bob.patient_id), "data_points": [heart_rate(72)]},
        headers=device["headers"],
    )
    assert r.status_code == 422
    r = await client.get(
        f"/api/monitoring/patients/{bob.patient_id}/readings/latest", headers=bob.headers
    )
    assert r.json()["readings"] == {}

    # The credential is stored only as a hash.
    async with app.state.runtime.db.session() as session:
        stored = await session.scalar(select(Device).where(Device.id == uuid.UUID(device["id"])))
        assert stored.credential_hash and device["credential"] not in stored.credential_hash


async def test_a_patient_cannot_write_to_or_register_for_another_patient(client, person):
    alice, bob = await person("patient"), await person("patient")
    r = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(bob.patient_id), "data_points": [heart_rate(72)]},
        headers=alice.headers,
    )
    assert r.status_code == 404
    r = await client.post(
        "/api/monitoring/devices",
        json={"patient_id": str(bob.patient_id), "kind": "wearable"},
        headers=alice.headers,
    )
    assert r.status_code == 404
    r = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(alice.patient_id), "data_points": [heart_rate(72)]},
        headers=alice.headers,
    )
    assert r.status_code == 200 and r.json()["accepted"] == 1


async def test_revoking_stops_the_device_at_once_and_codes_work_once(client, person):
    alice = await person("patient")
    device = await paired_device(client, alice, alice.patient_id)
    r = await client.delete(f"/api/monitoring/devices/{device['id']}", headers=alice.headers)
    assert r.status_code == 204
    r = await client.post(
        "/api/monitoring/readings",
        json={"data_points": [heart_rate(72)]},
        headers=device["headers"],
    )
    assert r.status_code == 401
    listed = await client.get(
        f"/api/monitoring/patients/{alice.patient_id}/devices", headers=alice.headers
    )
    assert [d["status"] for d in listed.json()] == ["revoked"]

    other = await client.post(
        "/api/monitoring/devices",
        json={"patient_id": str(alice.patient_id), "kind": "scale", "label": "Bathroom"},
        headers=alice.headers,
    )
    code = (
        await client.post(
            f"/api/monitoring/devices/{other.json()['id']}/pairing-code", headers=alice.headers
        )
    ).json()["code"]
    assert (
        await client.post("/api/monitoring/pair", json={"code": code.lower()})
    ).status_code == 200
    again = await client.post("/api/monitoring/pair", json={"code": code})
    assert again.status_code == 404
    assert code not in again.text


async def test_caregiver_and_clinician_follow_the_policy(client, person):
    alice, bob = await person("patient"), await person("patient")
    admin, doc = await person("admin"), await person("clinician")
    reader, writer = await person("caregiver"), await person("caregiver")
    await assign(client, admin, doc, alice)
    await delegate(client, alice, reader, ["vitals:read"])
    await delegate(client, alice, writer, ["vitals:write"])

    def batch(pid):
        return {"patient_id": str(pid), "data_points": [heart_rate(80)]}

    r = await client.post(
        "/api/monitoring/readings", json=batch(alice.patient_id), headers=reader.headers
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/monitoring/readings", json=batch(alice.patient_id), headers=writer.headers
    )
    assert r.status_code == 200
    r = await client.post(
        "/api/monitoring/readings", json=batch(alice.patient_id), headers=doc.headers
    )
    assert r.status_code == 200
    device = await paired_device(client, doc, alice.patient_id, kind="pulse_oximeter")
    assert device["id"]

    # The clinician sees their own patient only.
    r = await client.get(
        f"/api/monitoring/patients/{alice.patient_id}/readings/latest", headers=doc.headers
    )
    assert r.status_code == 200 and r.json()["readings"]["8867-4"]["value"] == 80
    for path in ("readings/latest", "devices", "vitals?code=8867-4"):
        r = await client.get(
            f"/api/monitoring/patients/{bob.patient_id}/{path}", headers=doc.headers
        )
        assert r.status_code == 404, path
    r = await client.post(
        "/api/monitoring/readings", json=batch(bob.patient_id), headers=doc.headers
    )
    assert r.status_code == 404


async def test_the_simulator_provisions_devices_for_the_first_patients(
    app, client, person, settings
):
    alice = await person("patient")
    devices = await simulate.provision(settings, 2)
    assert devices[0][0] == str(alice.patient_id)
    async with app.state.runtime.db.session() as session:
        made = await directory.patient(session, uuid.UUID(devices[1][0]))
    assert made is not None and made.name == "Simulated patient 2"
    for _, _, credential in devices:
        r = await client.post(
            "/api/monitoring/readings",
            json={"data_points": [heart_rate(72)]},
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    # Run again: the same two patients, each with a new device.
    again = await simulate.provision(settings, 2)
    assert [p for p, _, _ in again] == [p for p, _, _ in devices]
    assert {d for _, d, _ in again}.isdisjoint(d for _, d, _ in devices)
