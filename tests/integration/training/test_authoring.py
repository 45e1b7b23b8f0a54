"""Scenario authoring: an educator previews a scenario headless with and without its model
answer, saves drafts that are theirs only; bad fields answer 422 with their path (both DBs)."""

from __future__ import annotations

import copy
import uuid


def locs(response) -> list[list]:
    return [e["loc"] for e in response.json()["detail"]]


async def test_preview_with_and_without_the_model_answer(client, signed_in):
    _, educator = await signed_in("clinician", name="Dr Author")
    _, trainee = await signed_in("patient")
    source = await client.get("/api/training/scenarios/asthma/source", headers=educator)
    assert source.status_code == 200
    body = source.json()
    assert body["id"] is None and body["scenario"]["id"] == "asthma" and body["actions"]
    scenario = body["scenario"]
    scenario["title"] = "Asthma, my version"

    r = await client.post(
        "/api/training/scenarios/preview",
        json={"scenario": scenario, "actions": body["actions"], "seed": 1}, headers=educator,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["with_actions"]["outcome"] == "stabilised"
    assert done["without_actions"]["outcome"] == "deteriorated"
    assert (
        done["with_actions"]["score"]["checklist_percent"]
        > done["without_actions"]["score"]["checklist_percent"]
    )
    timeline = done["without_actions"]["timeline"]
    assert len(timeline) > 100 and {"time_s", "heart_rate", "spo2"} <= set(timeline[0])

    # Not an educator: forbidden (the catalogue of who may author is the policy's).
    r = await client.post("/api/training/scenarios/preview",
                          json={"scenario": scenario}, headers=trainee)  # fmt: skip
    assert r.status_code == 403
    assert (await client.get("/api/training/drafts", headers=trainee)).status_code == 403
    r = await client.get("/api/training/scenarios/nope/source", headers=educator)
    assert r.status_code == 404


async def test_bad_fields_answer_422_with_their_path(client, signed_in):
    _, educator = await signed_in("clinician")
    scenario = (await client.get("/api/training/scenarios/sepsis/source", headers=educator)).json()[
        "scenario"
    ]

    async def preview(s, actions=()):
        return await client.post("/api/training/scenarios/preview",
                                 json={"scenario": s, "actions": list(actions)},
                                 headers=educator)  # fmt: skip

    bad = copy.deepcopy(scenario)
    bad["states"][0]["id"] = ""
    r = await preview(bad)
    assert r.status_code == 422 and ["body", "scenario", "states", 0, "id"] in locs(r)
    bad = copy.deepcopy(scenario)
    bad["initial"][0] = {"action": "adrenaline", "params": {"dose_mg": 50}}
    r = await preview(bad)
    assert r.status_code == 422
    assert any(loc[:4] == ["body", "scenario", "initial", 0] for loc in locs(r))
    assert "dose_mg" in r.text
    bad = copy.deepcopy(scenario)
    bad["duration_s"] = -5
    r = await preview(bad)
    assert r.status_code == 422 and ["body", "scenario", "duration_s"] in locs(r)
    r = await preview(scenario, [{"at": 10, "action": "teleport"}])
    assert r.status_code == 422 and any(loc[:3] == ["body", "actions", 0] for loc in locs(r))
    # Nothing was stored by a refused save.
    r = await client.post("/api/training/drafts", json={"scenario": {"id": "x"}}, headers=educator)
    assert r.status_code == 422 and ["body", "scenario", "title"] in locs(r)
    assert (await client.get("/api/training/drafts", headers=educator)).json()["drafts"] == []


async def test_drafts_are_their_authors_only(client, signed_in):
    _, author = await signed_in("clinician", name="Dr Author")
    _, colleague = await signed_in("clinician", name="Dr Other")
    source = (await client.get("/api/training/scenarios/haemorrhage/source", headers=author)).json()
    scenario = source["scenario"]
    scenario["title"] = "Road traffic collision"
    r = await client.post("/api/training/drafts",
                          json={"scenario": scenario, "actions": source["actions"]},
                          headers=author)  # fmt: skip
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["title"] == "Road traffic collision" and draft["actions"]
    scenario["title"] = "Road traffic collision (v2)"
    r = await client.put(f"/api/training/drafts/{draft['id']}",
                         json={"scenario": scenario, "actions": []}, headers=author)  # fmt: skip
    assert r.status_code == 200 and r.json()["actions"] == []
    listed = (await client.get("/api/training/drafts", headers=author)).json()["drafts"]
    assert [(d["id"], d["title"]) for d in listed] == [(draft["id"], "Road traffic collision (v2)")]
    got = (await client.get(f"/api/training/drafts/{draft['id']}", headers=author)).json()
    assert got["scenario"]["title"] == "Road traffic collision (v2)"

    for method in ("get", "delete"):
        r = await client.request(method, f"/api/training/drafts/{draft['id']}", headers=colleague)
        assert r.status_code == 404
    r = await client.put(f"/api/training/drafts/{draft['id']}",
                         json={"scenario": scenario}, headers=colleague)  # fmt: skip
    assert r.status_code == 404
    assert (await client.get("/api/training/drafts", headers=colleague)).json()["drafts"] == []
    r = await client.get(f"/api/training/drafts/{uuid.uuid4()}", headers=author)
    assert r.status_code == 404

    assert (
        await client.delete(f"/api/training/drafts/{draft['id']}", headers=author)
    ).status_code == 204
    assert (await client.get("/api/training/drafts", headers=author)).json()["drafts"] == []
