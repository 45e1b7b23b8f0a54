"""The simulation lab through the real server and sockets: an instructor runs a scenario, the
trainees' actions change the shared patient for everyone, the run is scored and kept for its
trainees and instructor only (both databases)."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def is_error(code: str):
    return lambda m: isinstance(m, proto.Error) and m.code == code


def lab_where(test):
    return lambda m: isinstance(m, proto.LabOut) and test(m)


async def wait_lab(client: WorldClient, predicate) -> proto.LabOut:
    got = await client.wait_for(predicate)
    assert isinstance(got, proto.LabOut)
    return got


async def wait_error(client: WorldClient, code: str) -> proto.Error:
    got = await client.wait_for(is_error(code))
    assert isinstance(got, proto.Error)
    return got


def acted(name: str, by: str):
    return lab_where(
        lambda m: any(e["kind"] == "action" and e["name"] == name and e["by"] == by for e in m.log)
    )


async def test_lab_run_shared_scored_and_kept_for_its_people(live, person, space):
    url, _ = live
    teacher_id, teacher = await person("clinician", "Dr Ada Tutor")
    one_id, one = await person("patient", "Trainee One")
    two_id, two = await person("patient", "Trainee Two")
    _, stranger = await person("patient", "Someone Else")
    _, colleague = await person("clinician", "Dr Other")
    lab = await space(teacher, template="training-lab")
    async with (
        await WorldClient.connect(url, teacher, lab) as instructor,
        await WorldClient.connect(url, one, lab) as t1,
        await WorldClient.connect(url, two, lab) as t2,
    ):
        everyone = (instructor, t1, t2)
        assert t1.welcome.lab is None
        # Trainees cannot run the lab; nothing runs before a start; a bad scenario is refused.
        await t1.send(proto.Lab(action="start", scenario="haemorrhage"))
        await wait_error(t1, "forbidden")
        await t1.send(proto.LabAct(name="oxygen", params={"flow_l_min": 15}))
        await wait_error(t1, "no_run")
        await instructor.send(proto.Lab(action="start", scenario="no_such_thing"))
        await wait_error(instructor, "bad_scenario")

        await instructor.send(proto.Lab(action="start", scenario="haemorrhage", speed=10))
        started = [await wait_lab(c, lab_where(lambda m: m.status == "running")) for c in everyone]
        run_id = started[0].run
        assert {s.run for s in started} == {run_id}
        assert started[0].instructor == teacher_id
        assert started[0].vitals["on_oxygen"] is False
        # The bedside findings come with the vitals (training/findings.py).
        bedside = started[0].bedside or {}
        assert [f["key"].split("_")[0] for f in bedside["examine"]][2:] == [
            "lab.find.crt", "lab.find.skin", "lab.find.avpu",
        ]  # fmt: skip
        assert bedside["ask"]["key"].startswith("lab.find.say_")

        # Bad input says what is wrong and changes nothing.
        await t1.send(proto.LabAct(name="haemorrhage", params={"severity": 1}))
        assert "unknown action" in (await wait_error(t1, "bad_action")).message
        await t1.send(proto.LabAct(name="fluid_bolus", params={"volume_ml": 99999}))
        assert "volume_ml" in (await wait_error(t1, "bad_action")).message
        await t2.ws.send('{"t":"lab_act","name":"adrenaline","params":{"dose_mg":"lots"}}')
        assert "dose_mg" in (await wait_error(t2, "bad_action")).message

        # One trainee gives oxygen, the other fluids: everyone sees both, and the monitor moves.
        await t1.send(proto.LabAct(name="oxygen", params={"flow_l_min": 15}))
        for c in everyone:
            await c.wait_for(acted("oxygen", one_id))
        await t2.send(proto.LabAct(name="fluid_bolus", params={"volume_ml": 1000}))
        await t2.send(proto.LabAct(name="iv_access"))
        for c in everyone:
            await c.wait_for(acted("fluid_bolus", two_id))
            await wait_lab(c, lab_where(lambda m: m.vitals.get("on_oxygen") is True))

        # Pause: trainees cannot act; resume; an injected change is logged as the instructor's.
        await instructor.send(proto.Lab(action="pause"))
        for c in everyone:
            await wait_lab(c, lab_where(lambda m: m.status == "paused"))
        await t1.send(proto.LabAct(name="call_for_help"))
        await wait_error(t1, "paused")
        await instructor.send(proto.Lab(action="resume"))
        await instructor.send(
            proto.Lab(action="inject", name="haemorrhage", params={"severity": 0.2})
        )
        await t2.wait_for(
            lab_where(lambda m: any(e["kind"] == "event" and e.get("by") == teacher_id
                                    for e in m.log))
        )  # fmt: skip
        await t1.send(proto.LabAct(name="call_for_help"))
        await t1.wait_for(acted("call_for_help", one_id))

        # A late joiner gets the run with its whole log.
        _, three = await person("patient", "Latecomer")
        async with await WorldClient.connect(url, three, lab) as late:
            assert late.welcome.lab is not None and late.welcome.lab.run == run_id
            names = [e["name"] for e in late.welcome.lab.log if e["kind"] == "action"]
            assert names[:3] == ["oxygen", "fluid_bolus", "iv_access"]

        # Let the scenario run long enough for the debrief's timeline to hold several samples
        # (one every 5 scenario seconds) before the instructor stops it.
        await wait_lab(instructor, lab_where(lambda m: m.clock >= 12))
        await instructor.send(proto.Lab(action="stop"))
        ended = [await wait_lab(c, lab_where(lambda m: m.status == "ended")) for c in everyone]
        result = ended[1].result
        assert result is not None and result["outcome"] in ("stabilised", "unresolved")
        assert result["score"]["checklist_percent"] > 0
        assert set(result["score"]["by_person"]) <= {one_id, two_id}

    async def get(token: str, path: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(50):  # the run is written just after the end is sent
                r = await http.get(path, headers={"Authorization": f"Bearer {token}"})
                if r.status_code != 404 or token in (stranger, colleague):
                    return r
            return r

    run = await get(one, f"/api/training/runs/{run_id}")
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["scenario"] == "haemorrhage" and body["instructor"] is False
    assert [e["name"] for e in body["log"] if e["kind"] == "action"][:2] == [
        "oxygen",
        "fluid_bolus",
    ]
    assert len(body["timeline"]) > 1 and body["score"]["checklist_percent"] > 0
    scores = {t["id"]: t["score"] for t in body["trainees"]}
    assert scores[one_id] is not None and scores[two_id] is None  # only one's own
    assert scores[one_id]["items"]  # the individual checklist of their own actions

    as_teacher = (await get(teacher, f"/api/training/runs/{run_id}")).json()
    assert as_teacher["instructor"] is True
    assert all(t["score"] is not None for t in as_teacher["trainees"])
    listed = (await get(two, "/api/training/runs")).json()["runs"]
    assert [r["id"] for r in listed] == [run_id]

    # Nobody else sees it: not found, never forbidden.
    for outsider in (stranger, colleague):
        assert (await get(outsider, f"/api/training/runs/{run_id}")).status_code == 404
        assert (await get(outsider, "/api/training/runs")).json()["runs"] == []
    assert (await get(one, f"/api/training/runs/{uuid.uuid4()}")).status_code == 404

    async def put(token: str, body: object) -> httpx.Response:
        async with httpx.AsyncClient(base_url=url) as http:
            return await http.put(
                f"/api/training/runs/{run_id}/notes", json=body,
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip

    assert (await put(one, {"analysis": "mine"})).status_code == 403
    assert (await put(stranger, {"analysis": "x"})).status_code == 404
    too_long = await put(teacher, {"analysis": "x" * 5000})
    assert too_long.status_code == 422 and "analysis" in too_long.text
    saved = await put(teacher, {"reactions": "Calm start.", "summary": "Fluids earlier."})
    assert saved.status_code == 200
    again = await put(teacher, {"analysis": "Good closed-loop talk."})
    assert again.json()["notes"] == {
        "reactions": "Calm start.", "summary": "Fluids earlier.",
        "analysis": "Good closed-loop talk.",
    }  # fmt: skip
    assert (await get(two, f"/api/training/runs/{run_id}")).json()["notes"]["analysis"]


async def test_lab_only_in_training_labs_and_catalogue(live, person, space):
    url, _ = live
    _, teacher = await person("clinician", "Dr Tutor")
    circle = await space(teacher, template="support-circle")
    async with await WorldClient.connect(url, teacher, circle) as c:
        await c.send(proto.Lab(action="start", scenario="asthma"))
        await wait_error(c, "no_lab")
    async with httpx.AsyncClient(base_url=url) as http:
        r = await http.get(
            "/api/training/catalogue", headers={"Authorization": f"Bearer {teacher}"}
        )
        assert (await http.get("/api/training/catalogue")).status_code == 401
    body = r.json()
    assert len(body["scenarios"]) == 6
    names = {i["name"] for i in body["interventions"]}
    assert {"oxygen", "fluid_bolus", "adrenaline", "iv_access", "defibrillation"} <= names
    assert "haemorrhage" not in names and "haemorrhage" in body["conditions"]


async def test_a_run_everyone_leaves_is_judged_and_kept(live, person, space):
    url, _ = live
    _, teacher = await person("clinician", "Dr Tutor")
    trainee_id, trainee = await person("patient", "Lone Trainee")
    lab = await space(teacher, template="training-lab")
    async with (
        await WorldClient.connect(url, teacher, lab) as instructor,
        await WorldClient.connect(url, trainee, lab) as t1,
    ):
        await instructor.send(proto.Lab(action="start", scenario="asthma"))
        run_id = (await wait_lab(t1, lab_where(lambda m: m.status == "running"))).run
        await t1.send(proto.LabAct(name="salbutamol", params={"dose_mg": 5, "route": "neb"}))
        await wait_lab(t1, acted("salbutamol", trainee_id))
    # Both gone (after the grace period): the run is over and stored for its trainee.
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(100):
            got = await http.get(
                f"/api/training/runs/{run_id}", headers={"Authorization": f"Bearer {trainee}"}
            )
            if got.status_code == 200:
                break
            await asyncio.sleep(0.1)
    assert got.status_code == 200, got.text
    end = [e for e in got.json()["log"] if e["kind"] == "end"]
    assert end and end[0]["reason"] == "everyone_left"
