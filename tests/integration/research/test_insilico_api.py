"""In-silico trials over HTTP (SQLite and PostgreSQL): examples, a small run polled to its
result, who may run and see it, the caps and bad trial files."""

from __future__ import annotations

import asyncio

from careverse.research.insilico import load_trial


async def _wait(client, headers, run_id: str) -> dict:
    for _ in range(600):
        r = await client.get(f"/api/research/sim/runs/{run_id}", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] != "running":
            return body
        await asyncio.sleep(0.2)
    raise AssertionError("the simulation did not finish")


async def test_a_small_example_runs_to_its_result(client, person):
    clinician = await person("clinician")
    r = await client.get("/api/research/sim/examples", headers=clinician.headers)
    assert r.status_code == 200
    assert {e["id"] for e in r.json()["examples"]} == {"hypoxia_oxygen", "sepsis_fluids"}
    r = await client.post(
        "/api/research/sim/runs", json={"example": "sepsis_fluids", "cohort_size": 4},
        headers=clinician.headers,
    )  # fmt: skip
    assert r.status_code == 202, r.text
    started = r.json()
    assert started["total"] == 4 and started["status"] == "running"
    # someone else's run is not theirs to see
    other = await person("researcher")
    r = await client.get(f"/api/research/sim/runs/{started['id']}", headers=other.headers)
    assert r.status_code == 404
    done = await _wait(client, clinician.headers, started["id"])
    assert done["status"] == "finished" and done["done"] == 4
    result = done["result"]
    assert [a["n"] for a in result["arms"]] == [2, 2]
    outcome = next(o for o in result["outcomes"] if o["id"] == "map_min")
    assert outcome["estimates"][0]["method"] == "welch"
    assert len(result["chart"]["arms"][1]["mean_bp"]) == len(result["chart"]["minutes"])


async def test_who_may_run_and_the_caps(client, person):
    patient = await person("patient")
    r = await client.post("/api/research/sim/runs", json={"example": "sepsis_fluids"},
                          headers=patient.headers)  # fmt: skip
    assert r.status_code == 403
    r = await client.get("/api/research/sim/examples", headers=patient.headers)
    assert r.status_code == 403
    researcher = await person("researcher")
    r = await client.post(
        "/api/research/sim/runs", json={"example": "sepsis_fluids", "cohort_size": 500},
        headers=researcher.headers,
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "trial.cohort.size"]
    r = await client.post(
        "/api/research/sim/runs", json={"example": "sepsis_fluids", "cohort_size": 100},
        headers=researcher.headers,
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body",
        "trial.duration_s",
    ]  # 600 patient-hours
    r = await client.post("/api/research/sim/runs", json={"example": "nope"},
                          headers=researcher.headers)  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "example"]


async def test_a_pasted_trial_is_checked_field_by_field(client, person):
    researcher = await person("researcher")
    trial = load_trial("hypoxia_oxygen").model_dump(mode="json")
    trial["arms"][0]["actions"][0]["params"]["flow_l_min"] = 40
    r = await client.post("/api/research/sim/runs", json={"trial": trial},
                          headers=researcher.headers)  # fmt: skip
    assert r.status_code == 422
    detail = r.json()
    assert "flow_l_min" in str(detail) and "40" not in str(detail.get("detail", [{}])[0].get("msg"))
    r = await client.post("/api/research/sim/runs", json={}, headers=researcher.headers)
    assert r.status_code == 422
    both = {"example": "sepsis_fluids", "trial": trial}
    r = await client.post("/api/research/sim/runs", json=both, headers=researcher.headers)
    assert r.status_code == 422
