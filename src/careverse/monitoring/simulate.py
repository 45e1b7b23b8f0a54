"""Simulated wearables: plausible vital signs for a scenario, as history or as a live stream.

Scenarios move each vital from a healthy baseline towards a target over ``minutes`` (then hold):

- ``stable``: baseline with small noise.
- ``deteriorating``: slow rise of pulse and breathing, falling SpO2 and blood pressure.
- ``sepsis``: fever, fast pulse and breathing, low blood pressure, SpO2 falling.
- ``heart-failure``: weight up about 0.8 kg a day, breathing and pulse up, SpO2 down a little.

``careverse simulate wearables`` gives each of the first N patients (patient accounts, oldest
first; simulated ones are made through identity's service when fewer exist) a device of its own,
made in the database, then sends one batch per patient every ``interval`` seconds to a running
server, over HTTP or MQTT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiomqtt
import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from careverse.identity import directory
from careverse.identity.patients import PatientService
from careverse.kernel import clock, crypto, tokens
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.uow import unit_of_work
from careverse.monitoring import broker, units
from careverse.monitoring.ingest import insert_readings
from careverse.monitoring.models import Device
from careverse.monitoring.mqtt import broker_params

SCENARIOS = ("stable", "deteriorating", "sepsis", "heart-failure")

# code -> (baseline, noise sd, decimals)
BASELINE = {
    units.HEART_RATE: (72.0, 3.0, 0),
    units.SPO2: (97.0, 0.7, 0),
    units.RESPIRATORY_RATE: (14.0, 1.0, 0),
    units.TEMPERATURE: (36.8, 0.15, 1),
    units.SYSTOLIC: (124.0, 5.0, 0),
    units.DIASTOLIC: (79.0, 3.0, 0),
    units.WEIGHT: (78.0, 0.15, 1),
}
TARGETS = {
    "stable": {},
    "deteriorating": {
        units.HEART_RATE: 112, units.SPO2: 92, units.RESPIRATORY_RATE: 23,
        units.TEMPERATURE: 37.9, units.SYSTOLIC: 104, units.DIASTOLIC: 66,
    },
    "sepsis": {
        units.HEART_RATE: 128, units.SPO2: 91, units.RESPIRATORY_RATE: 27,
        units.TEMPERATURE: 39.2, units.SYSTOLIC: 88, units.DIASTOLIC: 52,
    },
    "heart-failure": {
        units.HEART_RATE: 96, units.SPO2: 93, units.RESPIRATORY_RATE: 21, units.SYSTOLIC: 138,
    },
}  # fmt: skip
OMH = {
    units.HEART_RATE: ("heart-rate", "heart_rate", "beats/min"),
    units.SPO2: ("oxygen-saturation", "oxygen_saturation", "%"),
    units.RESPIRATORY_RATE: ("respiratory-rate", "respiratory_rate", "breaths/min"),
    units.TEMPERATURE: ("body-temperature", "body_temperature", "C"),
    units.WEIGHT: ("body-weight", "body_weight", "kg"),
}
HF_KG_PER_DAY = 0.8


@dataclass
class Patient:
    """One simulated wearer: a scenario, a start time and a random stream of its own."""

    scenario: str
    started: datetime
    minutes: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def progress(self, at: datetime) -> float:
        if self.scenario == "stable":
            return 0.0
        return max(0.0, min(1.0, (at - self.started).total_seconds() / 60 / self.minutes))

    def value(self, code: str, at: datetime) -> float:
        base, sd, decimals = BASELINE[code]
        target = TARGETS[self.scenario].get(code, base)
        mean = base + (target - base) * self.progress(at)
        if code == units.WEIGHT and self.scenario == "heart-failure":
            mean = base + HF_KG_PER_DAY * (at - self.started).total_seconds() / 86400
        value = round(self.rng.gauss(mean, sd), decimals)
        low, high = units.CODES[code].low, units.CODES[code].high
        if code == units.SPO2:
            high = 100
        return min(max(value, low), high)

    def vitals(self, at: datetime) -> dict[str, float]:
        values = {c: self.value(c, at) for c in BASELINE if c != units.WEIGHT}
        if values[units.DIASTOLIC] >= values[units.SYSTOLIC] - 10:
            values[units.DIASTOLIC] = values[units.SYSTOLIC] - 25
        return values


def data_points(patient: Patient, at: datetime, tag: str, weight: bool = False) -> list[dict]:
    """One Open mHealth data point per vital (blood pressure as one panel) at ``at``."""
    values = patient.vitals(at)
    stamp = at.astimezone(UTC).isoformat()
    frame = {"effective_time_frame": {"date_time": stamp}}

    def header(name: str) -> dict:
        return {
            "id": f"sim-{tag}-{name}-{int(at.timestamp() * 1000)}",
            "schema_id": {"namespace": "omh", "name": name, "version": "2.0"},
        }

    points = []
    for code, (name, body_field, unit) in OMH.items():
        if code == units.WEIGHT:
            continue
        body = {body_field: {"value": values[code], "unit": unit}, **frame}
        if code == units.SPO2:
            body["supplemental_oxygen_flow_rate"] = {"value": 0, "unit": "L/min"}
        points.append({"header": header(name), "body": body})
    points.append(
        {
            "header": header("blood-pressure"),
            "body": {
                "systolic_blood_pressure": {"value": values[units.SYSTOLIC], "unit": "mmHg"},
                "diastolic_blood_pressure": {"value": values[units.DIASTOLIC], "unit": "mmHg"},
                **frame,
            },
        }
    )
    if weight:
        points.append(
            {
                "header": header("body-weight"),
                "body": {
                    "body_weight": {"value": patient.value(units.WEIGHT, at), "unit": "kg"},
                    **frame,
                },
            }
        )
    return points


def history_rows(
    patient_id: uuid.UUID,
    device_id: uuid.UUID | None,
    scenario: str,
    end: datetime,
    hours: float,
    step_minutes: float = 30,
    seed: int = 0,
) -> list[dict]:
    """Rows for the readings table: ``hours`` of history ending at ``end`` (for the demo).

    The scenario plays out over the last quarter of the window, so charts show the change; a
    heart-failure history also has a daily weight that rises by about 0.8 kg a day.
    """
    start = end - timedelta(hours=hours)
    sim = Patient(scenario, started=end - timedelta(hours=hours / 4), minutes=hours / 4 * 60)
    sim.rng.seed(seed)
    rows = []
    steps = int(hours * 60 / step_minutes)
    for i in range(steps + 1):
        at = start + timedelta(minutes=i * step_minutes)
        for code, value in sim.vitals(at).items():
            rows.append(_row(patient_id, device_id, code, value, at, f"demo-{code}-{i}", end))
    if scenario == "heart-failure":
        sim.started = start
    for day in range(int(hours // 24) + 1):
        at = start + timedelta(days=day, hours=1)
        if at <= end:
            rows.append(
                _row(
                    patient_id, device_id, units.WEIGHT, sim.value(units.WEIGHT, at), at,
                    f"demo-w-{day}", end,
                )
            )  # fmt: skip
    return rows


def _row(patient_id, device_id, code, value, at, source_id, received) -> dict:
    return {
        "patient_id": patient_id,
        "device_id": device_id,
        "code": code,
        "unit": units.CODES[code].unit,
        "value": float(value),
        "effective_at": at,
        "received_at": received,
        "source_id": source_id,
    }


# ---- the live stream -------------------------------------------------------------------------


async def _first_patients(session: AsyncSession, count: int) -> list[uuid.UUID]:
    """The first ``count`` patient records, oldest first."""
    return [p.id for p in await directory.patients(session, limit=count)]


async def _new_patient(session: AsyncSession, n: int) -> uuid.UUID:
    """A simulated patient record, made by identity (no account: nobody signs in as it)."""
    return await PatientService(session).create_without_account(f"Simulated patient {n}")


async def provision(
    settings: Settings, count: int, kind: str = "wearable"
) -> list[tuple[str, str, str]]:
    """A new device for each of the first ``count`` patients (made when fewer exist); answers
    (patient id, device id, credential) for each."""
    crypto.install_keyring(crypto.load_keyring(settings))
    db = Database(settings.effective_database_url)
    try:
        await db.migrate()
        async with db.session() as session:
            patient_ids = await _first_patients(session, count)
            for i in range(len(patient_ids), count):
                patient_ids.append(await _new_patient(session, i + 1))
            out = []
            async with unit_of_work(session):
                for patient_id in patient_ids:
                    credential = tokens.new_secret("cvd")
                    device = Device(
                        patient_id=patient_id, kind=kind, label="Simulator", status="active",
                        credential_hash=tokens.digest(credential), paired_at=clock.now(),
                        broker_hash=broker.mosquitto_hash(credential),
                    )  # fmt: skip
                    session.add(device)
                    await session.flush()
                    out.append((str(patient_id), str(device.id), credential))
            return out
    finally:
        await db.dispose()


async def stream(
    url: str,
    devices: list[tuple[str, str, str]],
    scenario: str,
    interval: float,
    duration: float,
    minutes: float,
    mqtt_url: str | None = None,
    report=print,
) -> dict:
    """Send one batch per patient every ``interval`` seconds until ``duration`` (0: forever)."""
    started = datetime.now(UTC)
    sims = [Patient(scenario, started, minutes, random.Random(i)) for i in range(len(devices))]  # noqa: S311
    sent = stored = rejected = 0
    stop = time.monotonic() + duration if duration else None
    tick = 0
    clients: list[aiomqtt.Client] = []
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
        if mqtt_url:
            # Each device is its own broker client: username = device id, password = credential
            # (the broker's password file and ACL; the payload carries readings only).
            server = broker_params(mqtt_url)
            for _patient_id, device_id, credential in devices:
                device_client = aiomqtt.Client(
                    hostname=server["hostname"],
                    port=server["port"],
                    username=device_id,
                    password=credential,
                    identifier=f"sim-{device_id}",
                )
                clients.append(await stack.enter_async_context(device_client))
        while stop is None or time.monotonic() < stop:
            now = datetime.now(UTC)
            for n, ((_patient_id, device_id, credential), sim) in enumerate(
                zip(devices, sims, strict=True)
            ):
                points = data_points(sim, now, device_id[:8], weight=tick % 720 == 0)
                sent += len(points)
                if clients:
                    await clients[n].publish(
                        f"careverse/devices/{device_id}/readings",
                        json.dumps({"data_points": points}),
                        qos=1,
                    )
                    continue
                r = await http.post(
                    "/api/monitoring/readings",
                    json={"data_points": points},
                    headers={"Authorization": f"Bearer {credential}"},
                )
                if r.status_code == 200:
                    stored += r.json()["accepted"]
                    rejected += len(r.json()["rejected"])
                else:
                    rejected += len(points)
            tick += 1
            report(f"tick {tick}: sent {sent}, stored {stored}, rejected {rejected}")
            await asyncio.sleep(interval)
    return {"sent": sent, "stored": stored, "rejected": rejected, "ticks": tick}


# ---- demo data -------------------------------------------------------------------------------

DEMO_LABEL = "Demo wearable"


async def seed_demo(
    session: AsyncSession, patients: dict[uuid.UUID, str], hours: float = 72
) -> int:
    """A paired wearable and ``hours`` of readings for each demo patient (by scenario), once.

    A few thousand rows in one bulk insert, so ``careverse demo`` still starts in seconds. The
    devices' credentials are not kept: ``careverse simulate wearables`` makes live ones.
    """
    end = clock.now().replace(second=0, microsecond=0)
    rows: list[dict] = []
    async with unit_of_work(session):
        for n, (patient_id, scenario) in enumerate(patients.items()):
            existing = await session.scalar(
                select(Device.id).where(Device.patient_id == patient_id, Device.kind == "wearable")
            )
            if existing is not None:
                continue
            device = Device(
                patient_id=patient_id, kind="wearable", label=DEMO_LABEL, status="active",
                paired_at=end - timedelta(hours=hours),
            )  # fmt: skip
            session.add(device)
            await session.flush()
            rows += history_rows(patient_id, device.id, scenario, end, hours, seed=n)
        if rows:
            await session.execute(insert_readings(session), rows)
    return len(rows)
