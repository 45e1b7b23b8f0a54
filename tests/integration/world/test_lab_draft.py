"""An educator starts their own (draft) scenario in the lab: checked by the schema, run live."""

from __future__ import annotations

import json

from careverse.training.scenarios import DATA
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_lab import lab_where, wait_error, wait_lab


async def test_start_a_draft_scenario(live, person, space):
    url, _ = live
    _, teacher = await person("clinician", "Dr Author")
    lab = await space(teacher, template="training-lab")
    draft = json.loads((DATA / "opioid_overdose.json").read_text())
    draft["id"], draft["title"] = "my_overdose", "Found in the park"
    async with await WorldClient.connect(url, teacher, lab) as instructor:
        broken = {**draft, "states": [{**draft["states"][0], "id": ""}]}
        await instructor.send(proto.Lab(action="start", draft=broken))
        assert "states.0.id" in (await wait_error(instructor, "bad_scenario")).message
        await instructor.send(proto.Lab(action="start", draft=draft, speed=5))
        running = await wait_lab(instructor, lab_where(lambda m: m.status == "running"))
        assert (running.scenario, running.title) == ("my_overdose", "Found in the park")
        await instructor.send(proto.LabAct(name="naloxone", params={"dose_mg": 0.4, "route": "iv"}))
        await wait_lab(instructor, lab_where(lambda m: any(e["name"] == "naloxone" for e in m.log)))
