"""Breathing sessions: start with stress before, resonance finder, finish with stress after and
the beats summarised, past sessions; bad input answers 4xx and stores nothing."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import text

from careverse.wellbeing import hrv
from tests.integration.privacy.support import audit_rows
from tests.integration.wellbeing.beats import rr_series

API = "/api/wellbeing/breathing"


def paced(rate: float, swing: float, seconds: float = 60) -> list[float]:
    rr, t = [], 0.0
    while t < seconds:
        value = round(60000.0 / (65 + swing / 2 * math.sin(2 * math.pi * rate / 60 * t)))
        rr.append(value)
        t += value / 1000.0
    return rr


async def start(client, who, status: int = 201, **body) -> dict:
    r = await client.post(f"{API}/sessions", json=body, headers=who.headers)
    assert r.status_code == status, r.text
    return r.json()


async def test_a_paced_session_from_start_to_finish(app, client, person):
    patient = await person("patient")
    opened = await start(client, patient, rate=6, stress_before=7)
    assert (opened["mode"], opened["rate"], opened["stress_before"]) == ("paced", 6, 7)
    assert opened["finished_at"] is None and opened["hrv"] is None
    rr = rr_series(120, seed=2)
    rr[30] = 2600  # a missed beat: counted as an artefact, not in the RMSSD
    r = await client.post(
        f"{API}/sessions/{opened['id']}/finish", json={"stress_after": 3, "rr_ms": rr},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["stress_after"] == 3 and done["duration_seconds"] >= 0
    summary = done["hrv"]
    assert summary["beats"] == 120 and summary["artefacts"] == 1
    assert summary["rmssd"] == pytest.approx(hrv.rmssd(rr), abs=0.01)
    assert summary["rmssd_series"]["windows"] >= 3
    second = await start(client, patient, stress_before=5)  # 6 a minute by default
    r = await client.get(f"{API}/sessions", headers=patient.headers)
    listed = r.json()["sessions"]
    assert [s["id"] for s in listed] == [second["id"], opened["id"]]  # newest first
    assert listed[1]["hrv"]["rmssd"] == summary["rmssd"]
    # Finishing twice is refused; the first finish stands.
    r = await client.post(
        f"{API}/sessions/{opened['id']}/finish", json={"stress_after": 9},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 409
    assert (await client.get(f"{API}/sessions", headers=patient.headers)).json()["sessions"][1][
        "stress_after"
    ] == 3
    # Stored encrypted: no stress rating or RMSSD in the clear.
    async with app.state.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT detail FROM wellbeing_breathing_sessions"))).all()
    assert rows and all("stress" not in row[0] and "rmssd" not in row[0] for row in rows)
    assert await audit_rows(app, action="wellbeing.write")


async def test_the_resonance_finder_chooses_the_rate_with_the_largest_swing(client, person):
    patient = await person("patient")
    opened = await start(client, patient, mode="resonance", rate=6.5, stress_before=6)
    swings = {6.5: 6, 6.0: 9, 5.5: 12, 5.0: 15, 4.5: 10}
    trials = [{"rate": rate, "rr_ms": paced(rate, swing)} for rate, swing in swings.items()]
    r = await client.post(
        f"{API}/sessions/{opened['id']}/resonance", json={"trials": trials},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    chosen = r.json()
    assert chosen["rate"] == 5.0 and chosen["resonance"]["rate"] == 5.0
    amplitudes = {a["rate"]: a["amplitude"] for a in chosen["resonance"]["amplitudes"]}
    assert max(amplitudes, key=lambda k: amplitudes[k] or 0) == 5.0 and len(amplitudes) == 5
    # A paced session has no finder.
    paced_session = await start(client, patient, stress_before=2)
    r = await client.post(
        f"{API}/sessions/{paced_session['id']}/resonance", json={"trials": trials},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 409


async def test_a_garden_breathing_run_is_a_session_of_its_own_setting(app, client, person):
    """The 3D garden's lantern saves its run through the same API, marked ``garden``, at the
    shared pacer's rates (up to 12 a minute); the page's sessions stay ``page``."""
    patient = await person("patient")
    garden = await start(client, patient, rate=12, stress_before=8, setting="garden")
    assert (garden["setting"], garden["rate"], garden["stress_before"]) == ("garden", 12, 8)
    rr = rr_series(90, seed=4)
    r = await client.post(
        f"{API}/sessions/{garden['id']}/finish", json={"stress_after": 4, "rr_ms": rr},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["hrv"]["rmssd"] == pytest.approx(hrv.rmssd(rr), abs=0.01)
    page = await start(client, patient, stress_before=6)
    listed = (await client.get(f"{API}/sessions", headers=patient.headers)).json()["sessions"]
    assert [(s["id"], s["setting"]) for s in listed] == [
        (page["id"], "page"), (garden["id"], "garden"),
    ]  # fmt: skip
    assert (listed[1]["stress_before"], listed[1]["stress_after"]) == (8, 4)
    # The setting is encrypted with the rest of the session (never in the clear).
    async with app.state.runtime.db.session() as session:
        stored = (await session.execute(text("select * from wellbeing_breathing_sessions"))).all()
    assert stored and not any("garden" in str(row) for row in stored)


@pytest.mark.parametrize(
    "body",
    [
        {"stress_before": 11},
        {"stress_before": -1},
        {"stress_before": "5"},
        {"stress_before": 5.5},
        {},
        {"stress_before": 5, "rate": 20},
        {"stress_before": 5, "rate": 0},
        {"stress_before": 5, "mode": "hold"},
        {"stress_before": 5, "extra": 1},
        {"stress_before": 5, "setting": "pool"},
        {"stress_before": 5, "setting": "garden", "rate": 12.5},
    ],
)
async def test_bad_session_starts_answer_422(client, person, body):
    patient = await person("patient")
    r = await client.post(f"{API}/sessions", json=body, headers=patient.headers)
    assert r.status_code == 422, r.text
    assert (await client.get(f"{API}/sessions", headers=patient.headers)).json()["sessions"] == []


async def test_bad_finishes_and_finder_trials_answer_4xx(client, person):
    patient, other, clinician = (
        await person("patient"),
        await person("patient"),
        await person("clinician"),
    )
    opened = await start(client, patient, mode="resonance", stress_before=4)
    url = f"{API}/sessions/{opened['id']}"
    for body in (
        {"stress_after": 12},
        {"stress_after": 3, "rr_ms": [800, 0]},
        {"stress_after": 3, "rr_ms": [800, 20_000]},
        {"stress_after": 3, "rr_ms": [800, "x"]},
        {"stress_after": 3, "rr_ms": "800"},
    ):
        r = await client.post(f"{url}/finish", json=body, headers=patient.headers)
        assert r.status_code == 422, (body, r.text)
    for trials, status in (
        ([{"rate": 6, "rr_ms": paced(6, 9)}], 422),  # one rate only
        ([{"rate": 8, "rr_ms": paced(6, 9)}, {"rate": 6, "rr_ms": paced(6, 9)}], 422),
        ([{"rate": 6, "rr_ms": paced(6, 9)}, {"rate": 6, "rr_ms": paced(6, 9)}], 422),
        ([{"rate": 6, "rr_ms": [1000] * 3}, {"rate": 5, "rr_ms": [1000] * 3}], 422),
    ):
        r = await client.post(f"{url}/resonance", json={"trials": trials}, headers=patient.headers)
        assert r.status_code == status, r.text
    # Not yours: 404 (another patient); not a patient: 403; not signed in: 401.
    r = await client.post(f"{url}/finish", json={"stress_after": 1}, headers=other.headers)
    assert r.status_code == 404
    assert (await start(client, clinician, status=403, stress_before=1))["code"]
    r = await client.post(f"{API}/sessions", json={"stress_before": 1})
    assert r.status_code == 401
    r = await client.get(f"{API}/stream", headers=clinician.headers)
    assert r.status_code == 403
    # The session is still open and unchanged.
    (session,) = (await client.get(f"{API}/sessions", headers=patient.headers)).json()["sessions"]
    assert session["finished_at"] is None and session["resonance"] is None
