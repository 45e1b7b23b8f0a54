"""The simulation lab across two nodes sharing Redis: the run lives where it was started; people
on the other node see the same patient, their actions apply once, refusals come back to them,
a late joiner there gets the whole log, and the stored run counts them as trainees."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_lab import acted, lab_where, wait_error, wait_lab
from tests.integration.world.test_nodes import second, world_overrides  # noqa: F401

pytestmark = pytest.mark.services


async def test_lab_run_shared_across_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    _, teacher = await person("clinician", "Dr Ada Tutor")
    here_id, here = await person("patient", "Trainee Here")
    there_id, there = await person("patient", "Trainee There")
    lab = await space(teacher, template="training-lab")
    async with (
        await WorldClient.connect(url, teacher, lab) as instructor,
        await WorldClient.connect(url, here, lab) as t_here,
        await WorldClient.connect(second, there, lab) as t_there,
    ):
        everyone = (instructor, t_here, t_there)
        # Wait until node A mirrors the trainee of node B (their actions need their avatar).
        for _ in range(50):
            if there_id in instructor.avatars:
                break
            await asyncio.sleep(0.1)
        await instructor.send(proto.Lab(action="start", scenario="haemorrhage", speed=10))
        started = [await wait_lab(c, lab_where(lambda m: m.status == "running")) for c in everyone]
        assert len({s.run for s in started}) == 1
        run_id = started[0].run

        # The trainee on the other node: a refusal comes back to them only; then oxygen,
        # applied once on the run's node and seen by everyone.
        await t_there.send(proto.LabAct(name="fluid_bolus", params={"volume_ml": 99999}))
        assert "volume_ml" in (await wait_error(t_there, "bad_action")).message
        await t_there.send(proto.Lab(action="pause"))
        await wait_error(t_there, "forbidden")
        await t_there.send(proto.LabAct(name="oxygen", params={"flow_l_min": 15}))
        for c in everyone:
            await c.wait_for(acted("oxygen", there_id))
            await wait_lab(c, lab_where(lambda m: m.vitals.get("on_oxygen") is True))
        await t_here.send(proto.LabAct(name="fluid_bolus", params={"volume_ml": 1000}))
        await t_there.wait_for(acted("fluid_bolus", here_id))
        # The monitor moves on the other node too (frames relayed, the clock advancing).
        clock = (await wait_lab(t_there, lab_where(lambda m: m.clock > 0))).clock
        await wait_lab(t_there, lab_where(lambda m: m.clock > clock))

        # A late joiner on the other node is welcomed with the run and its whole log.
        _, late = await person("patient", "Latecomer")
        async with await WorldClient.connect(second, late, lab) as newcomer:
            assert newcomer.welcome.lab is not None and newcomer.welcome.lab.run == run_id
            names = [e["name"] for e in newcomer.welcome.lab.log if e["kind"] == "action"]
            assert names == ["oxygen", "fluid_bolus"]  # each once

        await wait_lab(instructor, lab_where(lambda m: m.clock >= 12))
        await instructor.send(proto.Lab(action="stop"))
        ended = [await wait_lab(c, lab_where(lambda m: m.status == "ended")) for c in everyone]
        assert ended[2].result is not None and ended[2].result["score"]["checklist_percent"] > 0

    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(50):
            got = await http.get(
                f"/api/training/runs/{run_id}", headers={"Authorization": f"Bearer {there}"}
            )
            if got.status_code == 200:
                break
            await asyncio.sleep(0.1)
    assert got.status_code == 200, got.text
    body = got.json()
    assert [e["name"] for e in body["log"] if e["kind"] == "action"] == ["oxygen", "fluid_bolus"]
    assert {t["id"] for t in body["trainees"]} >= {here_id, there_id}
    mine = {t["id"]: t["score"] for t in body["trainees"]}
    assert mine[there_id] is not None and mine[there_id]["items"]


async def test_group_lesson_shared_across_nodes(live, second, person, space):  # noqa: F811
    url, _ = live
    teacher_id, teacher = await person("clinician", "Dr Ada Tutor")
    _, there = await person("patient", "Trainee There")
    _, late = await person("patient", "Latecomer")
    lab = await space(teacher, template="training-lab")

    def lesson_where(test):
        return lambda m: isinstance(m, proto.LessonOut) and test(m)

    async with (
        await WorldClient.connect(url, teacher, lab) as instructor,
        await WorldClient.connect(second, there, lab) as trainee,
    ):
        assert trainee.welcome.lesson is None
        view = proto.LessonView(model="heart", layers=["muscle", "artery"], label="artery")
        await instructor.send(proto.Lab(action="lesson", lesson=view))
        got = await trainee.wait_for(lesson_where(lambda m: m.view is not None))
        assert isinstance(got, proto.LessonOut) and got.view == view and got.by == teacher_id
        # A trainee cannot steer the group's lesson; a bad model is refused by the protocol.
        await trainee.send(proto.Lab(action="lesson", lesson=proto.LessonView(model="knee")))
        await wait_error(trainee, "forbidden")
        await instructor.ws.send('{"t":"lab","action":"lesson","lesson":{"model":"liver"}}')
        await instructor.wait_for(lambda m: isinstance(m, proto.Error))
        async with await WorldClient.connect(second, late, lab) as newcomer:
            assert newcomer.welcome.lesson is not None and newcomer.welcome.lesson.view == view
        await instructor.send(proto.Lab(action="lesson", lesson=None))
        await trainee.wait_for(lesson_where(lambda m: m.view is None))
