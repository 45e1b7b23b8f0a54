"""An event's stage through the real hub and the events API: a host starts it (the audience is
silenced but may chat), brings a questioner up, shows a slide, and approves a raised question
from the room; the audience sees it, and the recording keeps the stage's log."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx

from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from tests.integration.world.test_circle import event


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def eventually(check, seconds: float = 5.0):
    """Poll ``check`` (an async callable) until it answers something truthy."""
    for _ in range(int(seconds / 0.1)):
        if found := await check():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("not in time")


async def test_host_runs_the_stage_and_approves_a_question(live, person):
    url, _ = live
    _, host = await person("admin", "Host Hana")
    (a_id, a), (_, b) = await person("patient", "Ana"), await person("caregiver", "Ben")
    starts = datetime.now(UTC) + timedelta(minutes=5)
    async with httpx.AsyncClient(base_url=url) as http:
        made = await http.post("/api/events", headers=bearer(host), json={
            "slug": f"talk-{uuid.uuid4().hex[:6]}", "title": "Ask a nurse", "kind": "qa",
            "starts_at": starts.isoformat(), "duration_minutes": 60, "capacity": 10,
        })  # fmt: skip
        assert made.status_code == 201, made.text
        slug = made.json()["slug"]
        for token in (a, b):
            assert (
                await http.post(f"/api/events/{slug}/register", headers=bearer(token))
            ).is_success
        joined = [
            await http.post(f"/api/events/{slug}/join", headers=bearer(t)) for t in (host, a, b)
        ]
        assert all(j.status_code == 200 for j in joined), [j.text for j in joined]
        room = joined[0].json()["space_id"]
        async with (
            await WorldClient.connect(url, host, room) as h,
            await WorldClient.connect(url, a, room) as ca,
        ):
            await ca.send(proto.StageCtl(action="slide", slide=1))  # only hosts
            assert (await ca.wait_for(lambda m: isinstance(m, proto.Error))).code == "forbidden"
            await h.send(proto.StageCtl(action="start"))
            await ca.wait_for(event("muted", ca.you))
            live_stage = await ca.wait_for(event("stage"))
            assert json.loads(live_stage.detail) == {"live": True, "speakers": [h.you], "slide": 0}
            async with await WorldClient.connect(url, b, room) as cb:  # a latecomer: silenced
                await cb.wait_for(event("muted", cb.you))
                await cb.chat("Hello from the audience")  # the silenced may still chat
                said = await h.wait_for(lambda m: isinstance(m, proto.ChatOut))
                assert said.text == "Hello from the audience"

                await cb.send(proto.Signal(to="*", kind="call", data="on"))  # joins the call
                await h.wait_for(event("muted", cb.you))  # everyone silences their sound
                await h.send(proto.StageCtl(action="up", target=ca.you))
                await ca.wait_for(event("unmuted", ca.you))
                up = await cb.wait_for(lambda m: event("stage")(m) and ca.you in m.detail)
                assert sorted(json.loads(up.detail)["speakers"]) == sorted([h.you, ca.you])
                await h.send(proto.StageCtl(action="slide", slide=2))
                shown = await cb.wait_for(lambda m: event("stage")(m) and '"slide": 2' in m.detail)
                assert json.loads(shown.detail)["slide"] == 2

                asked = await http.post(f"/api/events/{slug}/questions", headers=bearer(b),
                                        json={"text": "Can carers get the vaccine?"})  # fmt: skip
                assert asked.status_code == 201, asked.text
                await cb.send(proto.StageCtl(action="asked"))
                await h.wait_for(event("stage_asked"))
                qid = asked.json()["id"]
                await h.send(proto.StageCtl(action="approve", target=qid))
                decided = await ca.wait_for(event("stage_question"))
                assert json.loads(decided.detail) == {"id": qid, "status": "approved"}

                async def approved():
                    r = await http.get(f"/api/events/{slug}/questions", headers=bearer(a))
                    return [q for q in r.json()["questions"] if q["status"] == "approved"]

                (shown_q,) = await eventually(approved)
                assert shown_q["text"] == "Can carers get the vaccine?" and shown_q["asker"] is None
                await h.send(proto.StageCtl(action="end"))
                await cb.wait_for(event("unmuted", cb.you))

        async def recorded():
            r = await http.get(f"/api/events/{slug}/recording", headers=bearer(b))
            kinds = [e["kind"] for e in r.json()["log"]]
            return kinds if "end" in kinds else None

        kinds = await eventually(recorded)
        assert kinds[0] == "start" and "chat" in kinds and "slide" in kinds
        assert a_id not in json.dumps(kinds)
