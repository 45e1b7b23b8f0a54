"""The gallery's frames in a running space: a work approved while people are in the gallery
appears on its wall at once, cannot be moved or removed from the room, and leaves the wall the
moment its author removes it."""

from __future__ import annotations

import httpx

from careverse.world import protocol as proto
from careverse.world.client import WorldClient


def is_obj(op: str):
    return lambda m: isinstance(m, proto.ObjectOut) and m.op == op


async def test_a_frame_comes_and_goes_live(live, person):
    url, _ = live
    _, admin = await person("admin")
    _, author = await person("patient")
    auth = {"Authorization": f"Bearer {admin}"}
    mine = {"Authorization": f"Bearer {author}"}
    async with httpx.AsyncClient(base_url=url) as http:
        made = await http.post("/api/community/communities", headers=auth, json={
            "slug": "art-live", "name": "Art", "kind": "caregiver", "visibility": "public",
            "description": "Art", "guidelines": "Be kind."})  # fmt: skip
        assert made.status_code == 201, made.text
        accept = {"accept_guidelines": True, "guidelines_version": 1}
        joined = await http.post(
            "/api/community/communities/art-live/join", headers=mine, json=accept
        )
        assert joined.status_code == 200, joined.text
        space = (await http.post("/api/gallery/communities/art-live/space", headers=auth)).json()
        poem = {"title": "Rain", "body": "Soft rain on the window."}
        sent = await http.post(
            "/api/gallery/communities/art-live/works/text", headers=mine, json=poem
        )
        work_id = sent.json()["work"]["id"]
        async with await WorldClient.connect(url, admin, space["space_id"]) as host:
            assert host.welcome.objects == []
            approved = await http.post(f"/api/gallery/works/{work_id}/approve", headers=auth,
                                       json={})  # fmt: skip
            assert approved.status_code == 200, approved.text
            added = await host.wait_for(is_obj("add"))
            assert isinstance(added, proto.ObjectOut) and added.o is not None
            frame = added.o
            assert (frame.id, frame.kind, frame.title) == (work_id, "artwork", "Rain")
            assert "Soft rain" in frame.text and abs(frame.p[2]) > 39
            # Even a facilitator of the room does not move or remove it there.
            await host.send(proto.ObjectDelete(id=work_id))
            await host.wait_for(lambda m: isinstance(m, proto.Error) and m.code == "forbidden")
            await host.send(proto.ObjectMove(id=work_id, p=(0, 0, 0)))
            await host.wait_for(lambda m: isinstance(m, proto.Error) and m.code == "forbidden")
            gone = await http.delete(f"/api/gallery/works/{work_id}", headers=mine)
            assert gone.status_code == 204
            removed = await host.wait_for(is_obj("del"))
            assert isinstance(removed, proto.ObjectOut) and removed.id == work_id
