"""Exposure therapy over HTTP: who may build a hierarchy and run a session, the session's life
(SUDS, commands with who and when, progression, SSQ), the live changes, bad input, audit and
encryption at rest."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from careverse.wellbeing.exposure_events import ExposureStreams, exposure_events
from tests.integration.monitoring.alert_support import LONG_SESSIONS, team
from tests.integration.privacy.support import audit_rows, delegate

BASE = "/api/wellbeing/exposure"


@pytest.fixture
def settings_overrides() -> dict:
    return LONG_SESSIONS


def steps(count: int = 10, **change) -> list[dict]:
    scenes = ["heights", "crowd", "spider"]
    return [
        {
            "description": f"Step {i + 1}",
            "scene": scenes[i % 3],
            "height_m": 2.0 + i if scenes[i % 3] == "heights" else None,
            "crowd_density": 0.5 + i / 10 if scenes[i % 3] == "crowd" else None,
            "proximity_m": 5.0 - i / 4 if scenes[i % 3] != "heights" else None,
            "noise": 0.3,
            "expected_suds": min(10 * (i + 1), 100),
            **change,
        }
        for i in range(count)
    ]


async def hierarchy(client, therapist, patient, *, ready=True, count=10, status=201) -> dict:
    r = await client.post(
        f"{BASE}/patients/{patient.patient_id}/hierarchies",
        json={"title": "Heights first", "steps": steps(count), "ready": ready},
        headers=therapist.headers,
    )
    assert r.status_code == status, r.text
    return r.json()


async def test_a_therapist_builds_a_hierarchy_and_the_patient_runs_a_step(app, client, person):
    t = await team(client, person)
    built = await hierarchy(client, t.clinician, t.patient)
    assert len(built["steps"]) == 10 and built["ready"] is True
    mine = (await client.get(f"{BASE}/me/hierarchies", headers=t.patient.headers)).json()
    assert [h["id"] for h in mine["hierarchies"]] == [built["id"]]

    streams = app.state.runtime.get(ExposureStreams)
    async with streams.subscribe(t.patient.patient_id) as watching:
        r = await client.post(
            f"{BASE}/sessions",
            json={"hierarchy_id": built["id"], "step": 0},
            headers=t.patient.headers,
        )
        assert r.status_code == 201, r.text
        s = r.json()
        assert (s["status"], s["intensity"], s["scene"]["height_m"]) == ("active", 50, 2.0)
        assert (await asyncio.wait_for(watching.queue.get(), 1)).kind == "started"
        sid = s["id"]

        async def rate(phase: str, value: int, status: int = 200) -> dict:
            r = await client.post(
                f"{BASE}/sessions/{sid}/suds",
                json={"phase": phase, "value": value},
                headers=t.patient.headers,
            )
            assert r.status_code == status, r.text
            return r.json()

        async def control(who, action: str, value=None, status: int = 200) -> dict:
            r = await client.post(
                f"{BASE}/sessions/{sid}/control",
                json={"action": action, "value": value},
                headers=who.headers,
            )
            assert r.status_code == status, r.text
            return r.json()

        await rate("before", 40)
        assert (await asyncio.wait_for(watching.queue.get(), 1)).kind == "suds"
        await rate("during", 70)
        raised = await control(t.clinician, "intensity", 100)
        assert raised["scene"]["height_m"] == 3.0 and raised["intensity"] == 100
        assert (await asyncio.wait_for(watching.queue.get(), 1)).kind == "suds"
        change = await asyncio.wait_for(watching.queue.get(), 1)
        assert (change.kind, str(change.session_id)) == ("intensity", sid)
        # Only the therapist changes the intensity; only the patient rates.
        await control(t.patient, "intensity", 10, status=403)
        r = await client.post(
            f"{BASE}/sessions/{sid}/suds",
            json={"phase": "during", "value": 5},
            headers=t.clinician.headers,
        )
        assert r.status_code == 403
        paused = await control(t.patient, "pause")
        assert paused["status"] == "paused"
        assert (await asyncio.wait_for(watching.queue.get(), 1)).kind == "paused"
        await control(t.clinician, "resume")
        during = await rate("during", 36)
        assert during["progression_suggested"] is False and during["peak_suds"] == 70
        during = await rate("during", 35)
        assert during["progression_suggested"] is True
        ended = await control(t.clinician, "stop")
        assert ended["status"] == "ended" and ended["ended_at"]
        await control(t.clinician, "pause", status=409)
        await rate("during", 20, status=409)
        after = await rate("after", 20)
        await rate("after", 10, status=409)
        assert [x["value"] for x in after["suds"]] == [40, 70, 36, 35, 20]
        phases = [x["phase"] for x in after["suds"]]
        assert phases == ["before", "during", "during", "during", "after"]
        kinds = [(e["kind"], e["role"], e["value"]) for e in after["events"]]
        assert kinds == [
            ("started", "patient", 50), ("intensity", "clinician", 100),
            ("paused", "patient", None), ("resumed", "clinician", None),
            ("stopped", "clinician", None),
        ]  # fmt: skip
        assert after["events"][1]["by"] == str(t.clinician.id) and after["events"][1]["at"]

    answers = [1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0]
    r = await client.post(
        f"{BASE}/sessions/{sid}/ssq", json={"answers": answers}, headers=t.patient.headers
    )
    assert r.status_code == 200, r.text
    ssq = r.json()["ssq"]
    assert (ssq["nausea"], ssq["oculomotor"], ssq["disorientation"], ssq["total"]) == (
        19.08, 22.74, 55.68, 33.66,
    )  # fmt: skip
    r = await client.post(
        f"{BASE}/sessions/{sid}/ssq", json={"answers": answers}, headers=t.patient.headers
    )
    assert r.status_code == 409

    # The therapist's list: the session logged, oldest first.
    r = await client.get(
        f"{BASE}/patients/{t.patient.patient_id}/sessions", headers=t.clinician.headers
    )
    logged = r.json()["sessions"]
    assert [x["id"] for x in logged] == [sid] and logged[0]["ssq"]["total"] == 33.66

    writes = await audit_rows(app, action="wellbeing.write", patient_id=t.patient.patient_id)
    assert {w.resource_type for w in writes} == {"ExposureHierarchy", "ExposureSession"}
    async with app.state.runtime.db.session() as session:
        (record,) = (
            await session.execute(text("SELECT record FROM wellbeing_exposure_sessions"))
        ).one()
        (plan,) = (
            await session.execute(text("SELECT plan FROM wellbeing_exposure_hierarchies"))
        ).one()
    assert "suds" not in record and "during" not in record and "Step 1" not in plan


async def test_another_clinician_and_a_caregiver(client, person):
    t = await team(client, person)
    built = await hierarchy(client, t.clinician, t.patient)
    other = await person("clinician")
    caregiver = await person("caregiver")
    # Neither may build, read or watch.
    await hierarchy(client, other, t.patient, status=404)
    await hierarchy(client, caregiver, t.patient, status=404)
    for who in (other, caregiver):
        for path in ("hierarchies", "sessions", "stream"):
            r = await client.get(
                f"{BASE}/patients/{t.patient.patient_id}/{path}", headers=who.headers
            )
            assert r.status_code == 404, (who.role, path)
    s = await client.post(
        f"{BASE}/sessions", json={"hierarchy_id": built["id"], "step": 1},
        headers=t.clinician.headers,
    )  # fmt: skip
    assert s.status_code == 201
    sid = s.json()["id"]
    for who in (other, caregiver):
        assert (await client.get(f"{BASE}/sessions/{sid}", headers=who.headers)).status_code == 404
        r = await client.post(
            f"{BASE}/sessions/{sid}/control", json={"action": "stop"}, headers=who.headers
        )
        assert r.status_code == 404
    # A caregiver with wellbeing:read sees the sessions but cannot steer them or build.
    await delegate(client, t.patient, caregiver, ["wellbeing:read"])
    r = await client.get(f"{BASE}/sessions/{sid}", headers=caregiver.headers)
    assert r.status_code == 200
    r = await client.post(
        f"{BASE}/sessions/{sid}/control", json={"action": "stop"}, headers=caregiver.headers
    )
    assert r.status_code == 403
    await hierarchy(client, caregiver, t.patient, status=403)
    # The patient cannot write their own hierarchy: the therapist builds it.
    await hierarchy(client, t.patient, t.patient, status=403)


async def test_bad_input_is_refused_with_a_reason(client, person):
    t = await team(client, person)
    draft = await hierarchy(client, t.clinician, t.patient, ready=False, count=4)
    assert draft["ready"] is False
    r = await client.post(
        f"{BASE}/patients/{t.patient.patient_id}/hierarchies",
        json={"title": "Too short", "steps": steps(9), "ready": True},
        headers=t.clinician.headers,
    )
    assert r.status_code == 422 and "10 to 15" in r.text
    for body in (
        {"title": "Too long", "steps": steps(16)},
        {"title": "SUDS", "steps": steps(10, expected_suds=101)},
        {"title": "SUDS", "steps": steps(10, expected_suds=-1)},
        {"title": "Scene", "steps": steps(10, scene="sharks")},
        {"title": "Extra", "steps": steps(10, colour="red")},
        {"title": "", "steps": steps(10)},
    ):
        r = await client.post(
            f"{BASE}/patients/{t.patient.patient_id}/hierarchies", json=body,
            headers=t.clinician.headers,
        )  # fmt: skip
        assert r.status_code == 422, body["title"]
    # A draft cannot be run; a step must exist; SUDS and intensity are 0-100.
    r = await client.post(
        f"{BASE}/sessions", json={"hierarchy_id": draft["id"], "step": 0},
        headers=t.patient.headers,
    )  # fmt: skip
    assert r.status_code == 409
    ready = await hierarchy(client, t.clinician, t.patient)
    r = await client.post(
        f"{BASE}/sessions", json={"hierarchy_id": ready["id"], "step": 12},
        headers=t.patient.headers,
    )  # fmt: skip
    assert r.status_code == 422 and "no such step" in r.text
    r = await client.post(
        f"{BASE}/sessions", json={"hierarchy_id": ready["id"], "step": 0},
        headers=t.patient.headers,
    )  # fmt: skip
    sid = r.json()["id"]
    for body in ({"phase": "during", "value": 101}, {"phase": "soon", "value": 1}, {}):
        r = await client.post(f"{BASE}/sessions/{sid}/suds", json=body, headers=t.patient.headers)
        assert r.status_code == 422
    r = await client.post(
        f"{BASE}/sessions/{sid}/control", json={"action": "intensity"},
        headers=t.clinician.headers,
    )  # fmt: skip
    assert r.status_code == 422
    r = await client.post(
        f"{BASE}/sessions/{sid}/control", json={"action": "intensity", "value": 150},
        headers=t.clinician.headers,
    )  # fmt: skip
    assert r.status_code == 422
    r = await client.post(
        f"{BASE}/sessions/{sid}/ssq", json={"answers": [0] * 16}, headers=t.patient.headers
    )
    assert r.status_code == 409  # after the session only
    await client.post(
        f"{BASE}/sessions/{sid}/control", json={"action": "stop"}, headers=t.patient.headers
    )
    r = await client.post(
        f"{BASE}/sessions/{sid}/ssq", json={"answers": [0] * 15 + [4]}, headers=t.patient.headers
    )
    assert r.status_code == 422
    # Removing a step a session was run on is refused; the session stays readable.
    r = await client.put(
        f"{BASE}/hierarchies/{draft['id']}",
        json={"title": "Now ready", "steps": steps(12), "ready": True},
        headers=t.clinician.headers,
    )
    assert r.status_code == 200 and r.json()["ready"] is True
    r = await client.get(f"{BASE}/sessions/{sid}", headers=t.patient.headers)
    assert r.status_code == 200


async def test_the_stream_says_which_session_changed_and_nothing_else(app, client, person):
    t = await team(client, person)
    streams = app.state.runtime.get(ExposureStreams)
    assert t.patient.patient_id is not None
    frames = exposure_events(streams, t.patient.patient_id, ping_seconds=5)
    assert await anext(frames) == ": connected\n\n"
    built = await hierarchy(client, t.clinician, t.patient)
    nxt = asyncio.ensure_future(anext(frames))
    await asyncio.sleep(0)
    r = await client.post(
        f"{BASE}/sessions", json={"hierarchy_id": built["id"], "step": 2},
        headers=t.clinician.headers,
    )  # fmt: skip
    frame = await asyncio.wait_for(nxt, 1)
    assert frame == (
        'event: exposure\ndata: {"session_id":"' + r.json()["id"] + '","kind":"started"}\n\n'
    )
    await frames.aclose()
