"""Live biofeedback: RR intervals in through the monitoring ingest reach the patient's breathing
stream as a kernel event, with RMSSD that matches neurokit2 on the same beats."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

import httpx
import neurokit2 as nk
import numpy as np
import pytest

from careverse.app import create_app
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.heartbeats import HeartBeatsRecorded
from careverse.kernel.policy import Role
from careverse.monitoring import ingest
from careverse.monitoring.units import RR_INTERVAL
from careverse.wellbeing.biofeedback import BeatStreams
from tests.conftest import PASSWORD, TEST_KEYS
from tests.integration.monitoring.alert_support import vital
from tests.integration.wellbeing.beats import rr_points, rr_series
from tests.support import serve_in_thread


def nk_rmssd(rr: list[float]) -> float:
    peaks = np.concatenate([[0], np.cumsum(rr)]).astype(int)
    return float(nk.hrv_time(peaks, sampling_rate=1000)["HRV_RMSSD"].iloc[0])


async def post(client: httpx.AsyncClient, who, points: list[dict], patient=None) -> dict:
    patient = patient or who
    r = await client.post(
        "/api/monitoring/readings",
        json={"patient_id": str(patient.patient_id), "data_points": points},
        headers=who.headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_an_rr_interval_data_point_parses_in_ms_and_refuses_what_it_must():
    (point,) = rr_points([812.0])
    (value,) = ingest.parse_omh(json.dumps(point).encode(), ingest.clock.now())
    assert (value.code, value.unit, value.value) == (RR_INTERVAL, "ms", 812.0)
    in_seconds = json.loads(json.dumps(point))
    in_seconds["body"]["rr_interval"] = {"value": 0.812, "unit": "s"}
    assert ingest.parse_omh(json.dumps(in_seconds).encode(), ingest.clock.now())[0].value == 812
    for body, reason in [
        ({"value": 812, "unit": "bpm"}, "rr interval: unit not supported for this measurement"),
        ({"value": 5000, "unit": "ms"}, "rr interval: implausible value (accepted 200 to 3000 ms)"),
        ({"value": "812", "unit": "ms"}, "rr interval: value must be a number"),
    ]:
        bad = json.loads(json.dumps(point))
        bad["body"]["rr_interval"] = body
        with pytest.raises(ingest.Implausible) as refused:
            ingest.parse_omh(json.dumps(bad).encode(), ingest.clock.now())
        assert str(refused.value) == reason


async def test_rr_readings_are_stored_and_heard_as_beats_once(app, client, person):
    patient, other = await person("patient"), await person("patient")
    streams = app.state.runtime.get(BeatStreams)
    rr = rr_series(20)
    points = rr_points(rr)
    async with (
        streams.subscribe(patient.patient_id) as mine,
        streams.subscribe(other.patient_id) as theirs,
    ):
        out = await post(client, patient, [*points, vital("8867-4", 66)])
        assert out["accepted"] == 21 and not out["rejected"]
        event: HeartBeatsRecorded = await asyncio.wait_for(mine.queue.get(), 1)
        assert event.patient_id == patient.patient_id
        assert list(event.rr_ms) == rr and event.heart_rate == (66.0,)
        assert list(event.rr_at) == sorted(event.rr_at)
        assert event.rr_at[1] - event.rr_at[0] == pytest.approx(rr[1] / 1000, abs=1e-6)
        # The same batch again stores nothing and is not heard again.
        again = await post(client, patient, points)
        assert again["duplicates"] == 20
        await asyncio.sleep(0.2)
        assert mine.queue.empty() and theirs.queue.empty()
        update = mine.update(event)
    assert update["rmssd"] == pytest.approx(nk_rmssd(rr), abs=0.01)
    assert update["beats"] == 20 and update["rr_ms"] == rr
    r = await client.get(
        f"/api/monitoring/patients/{patient.patient_id}/readings/latest", headers=patient.headers
    )
    assert r.json()["readings"][RR_INTERVAL]["unit"] == "ms"


async def test_bad_rr_points_are_refused_one_by_one(client, person):
    patient = await person("patient")
    good, bad = rr_points([800.0, 5000.0])
    bad_unit = rr_points([800.0])[0]
    bad_unit["body"]["rr_interval"]["unit"] = "bpm"
    out = await post(client, patient, [good, bad, bad_unit])
    assert out["accepted"] == 1
    assert [r["index"] for r in out["rejected"]] == [1, 2]
    assert "5000" not in json.dumps(out)  # reasons never repeat the value


# ---- the stream over HTTP (a real server) ---------------------------------------------------


async def _patient(db: Database, settings: Settings, name: str):
    async with db.session() as session:
        return await IdentityService(session, settings).create_account(
            None,
            NewAccount(email=f"{uuid.uuid4().hex[:8]}@example.org", role=Role.PATIENT,
                       display_name=name, password=PASSWORD),
        )  # fmt: skip


async def _listen(http: httpx.AsyncClient, headers: dict, lines: list, ready: asyncio.Event):
    async with http.stream("GET", "/api/wellbeing/breathing/stream", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            lines.append(line)


def _updates(lines: list[str]) -> list[dict]:
    return [json.loads(line[len("data:") :]) for line in lines if line.startswith("data:")]


async def test_a_wearable_streams_rr_and_the_breathing_stream_shows_neurokit2s_rmssd(
    database_url, tmp_path
):
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, alert_stream_ping_seconds=0.3,
    )  # fmt: skip
    app = create_app(settings)
    db = Database(database_url)
    try:
        me = await _patient(db, settings, "Pat Breathe")
        someone = await _patient(db, settings, "Pat Other")
    finally:
        await db.dispose()
    assert me.patient is not None
    patient_id = str(me.patient.id)
    rr = rr_series(80, seed=8)  # about 70 s: the window keeps the last 30 s
    with serve_in_thread(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            tokens = []
            for account in (me, someone):
                r = await http.post(
                    "/api/auth/token", data={"username": account.email, "password": PASSWORD}
                )
                tokens.append({"Authorization": f"Bearer {r.json()['access_token']}"})
            mine, theirs = [], []
            ready, other_ready = asyncio.Event(), asyncio.Event()
            listeners = [
                asyncio.create_task(_listen(http, tokens[0], mine, ready)),
                asyncio.create_task(_listen(http, tokens[1], theirs, other_ready)),
            ]
            await asyncio.wait_for(asyncio.gather(ready.wait(), other_ready.wait()), 5)
            points = rr_points(rr)
            for start in range(0, len(points), 10):  # a wearable sends every few beats
                batch = points[start : start + 10]
                r = await http.post(
                    "/api/monitoring/readings", headers=tokens[0],
                    json={"patient_id": patient_id, "data_points": batch},
                )  # fmt: skip
                assert r.status_code == 200 and r.json()["accepted"] == len(batch)
            async with asyncio.timeout(5):
                while len(_updates(mine)) < 8:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            updates = _updates(mine)
            assert "event: hrv" in mine
            last = updates[-1]
            times = np.cumsum(rr) / 1000.0
            inside = [v for v, t in zip(rr, times, strict=True) if t >= times[-1] - 30]
            assert last["beats"] == len(inside) and last["window_seconds"] == 30
            assert last["rmssd"] == pytest.approx(nk_rmssd(inside), abs=0.01)
            assert last["heart_rate"] == pytest.approx(60000 / np.mean(inside), abs=0.05)
            assert [v for u in updates for v in u["rr_ms"]] == rr
            # Another patient's stream hears nothing of these beats, only pings.
            async with asyncio.timeout(5):
                while ": ping" not in theirs:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            assert not _updates(theirs)
            # Signing out ends the stream at the next ping.
            assert (await http.post("/api/auth/logout", headers=tokens[1])).status_code == 204
            await asyncio.wait_for(listeners[1], 2)
            for task in listeners:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            streams = app.state.runtime.get(BeatStreams)
            for _ in range(100):
                if not streams.patients:
                    break
                await asyncio.sleep(0.05)
            assert not streams.patients
            assert (await http.get("/api/wellbeing/breathing/stream")).status_code == 401
