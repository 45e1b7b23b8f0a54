"""Persistent objects over the socket, pointing, and full spaces (overflow rooms, spectators)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from careverse.app import create_app
from careverse.kernel.db import Database
from careverse.world import protocol as proto
from careverse.world.client import WorldClient
from careverse.world.models import SpaceObject
from tests.support import serve_in_thread


def is_obj(op: str, kind: str | None = None):
    return lambda m: (
        isinstance(m, proto.ObjectOut) and m.op == op and (kind is None or m.o.kind == kind)
    )


def is_error(code: str):
    return lambda m: isinstance(m, proto.Error) and m.code == code


async def test_objects_permissions_pointing_and_restart(live, person, space):
    url, app = live
    clin_id, clin = await person("clinician")
    pat_id, pat = await person("patient")
    room = await space(clin, template="consult-room")
    async with (
        await WorldClient.connect(url, clin, room) as host,
        await WorldClient.connect(url, pat, room) as guest,
    ):
        assert host.welcome.objects == []
        await host.send(
            proto.ObjectAdd(kind="poster", p=(1, 1.5, -5), title="Hand washing",
                            text="Twenty seconds", url="/static/posters/hands.png")
        )  # fmt: skip
        poster = (await guest.wait_for(is_obj("add", "poster"))).o
        assert (poster.title, poster.url, poster.by) == (
            "Hand washing",
            "/static/posters/hands.png",
            clin_id,
        )
        await host.send(proto.ObjectAdd(kind="model", p=(0, 1, 0), model="heart", shared=True))
        heart = (await guest.wait_for(is_obj("add", "model"))).o
        assert heart.shared and heart.model == "heart"
        await host.send(proto.ObjectAdd(kind="note", p=(2, 1, 2), text="Breathe in for four"))
        note = (await guest.wait_for(is_obj("add", "note"))).o

        # Refused: a participant placing things, unknown models, foreign images, out of bounds.
        await guest.send(proto.ObjectAdd(kind="note", p=(0, 1, 0), text="mine"))
        await guest.wait_for(is_error("forbidden"))
        await host.send(proto.ObjectAdd(kind="model", p=(0, 1, 0), model="rocket"))
        await host.wait_for(is_error("bad_object"))
        await host.send(proto.ObjectAdd(kind="poster", p=(0, 1, 0), title="x",
                                        url="https://evil.example/x.png"))  # fmt: skip
        await host.wait_for(is_error("bad_object"))
        await host.send(proto.ObjectAdd(kind="note", p=(500, 1, 0), text="far away"))
        await host.wait_for(is_error("bad_object"))

        # Anyone turns the shared model; only the facilitator moves the poster.
        await guest.send(proto.ObjectMove(id=heart.id, p=(0.5, 1, 0), yaw=1.0,
                                          rot=(0.0, 0.38, 0.0, 0.92)))  # fmt: skip
        moved = await host.wait_for(is_obj("move"))
        assert (moved.id, moved.by, moved.o.p, moved.o.rot) == (
            heart.id, pat_id, (0.5, 1.0, 0.0), (0.0, 0.38, 0.0, 0.92),
        )  # fmt: skip
        await guest.send(proto.ObjectMove(id=poster.id, p=(0, 1, 0)))
        await guest.wait_for(is_error("forbidden"))
        await guest.send(proto.ObjectDelete(id=note.id))
        await guest.wait_for(is_error("forbidden"))

        await guest.send(proto.Point(obj=heart.id))
        pointed = await host.wait_for(lambda m: isinstance(m, proto.PointOut))
        assert (pointed.id, pointed.obj) == (pat_id, heart.id)
        await guest.send(proto.Point(p=(1, 0, 1), obj=heart.id))  # one or the other
        await guest.wait_for(is_error("bad_point"))

        await host.send(proto.ObjectDelete(id=note.id))
        gone = await guest.wait_for(is_obj("del"))
        assert gone.id == note.id

    # Restart: a new node on the same database welcomes with the objects as they were left
    # (moves are coalesced and written twice a second: wait until the last one is).
    db = Database(app.state.runtime.settings.effective_database_url)
    try:
        async with asyncio.timeout(10):
            while True:
                async with db.session() as session:
                    row = await session.get(SpaceObject, uuid.UUID(heart.id))
                if row is not None and (row.x, row.y, row.z) == (0.5, 1.0, 0.0):
                    break
                await asyncio.sleep(0.05)
    finally:
        await db.dispose()
    with serve_in_thread(create_app(app.state.runtime.settings)) as url2:
        async with await WorldClient.connect(url2, pat, room) as again:
            objects = {o.id: o for o in again.welcome.objects}
    assert set(objects) == {poster.id, heart.id}
    assert objects[heart.id].p == (0.5, 1.0, 0.0) and objects[heart.id].shared
    assert objects[heart.id].rot == (0.0, 0.38, 0.0, 0.92)
    assert objects[poster.id].text == "Twenty seconds"


async def test_full_space_admits_spectators_who_see_and_chat(live, person, space):
    url, _ = live
    clin_id, clin = await person("clinician")
    _, pat = await person("patient", "Watcher")
    room = await space(clin, template="support-circle", capacity=1)
    async with (
        await WorldClient.connect(url, clin, room) as member,
        await WorldClient.connect(url, pat, room) as watcher,
    ):
        assert watcher.welcome.spectator and watcher.welcome.instance == f"{room}#1"
        assert [a.id for a in watcher.welcome.avatars] == [clin_id]  # no avatar of its own
        notice = await watcher.wait_for(lambda m: isinstance(m, proto.Event))
        assert notice.kind == "spectator"
        assert notice.detail.startswith("This space is full; you are watching as a spectator")
        await member.move(*member.avatars[clin_id].p)
        await watcher.chat("Hello from the gallery")
        chat = await member.wait_for(lambda m: isinstance(m, proto.ChatOut))
        assert (chat.name, chat.text) == ("Watcher", "Hello from the gallery")
        await member.chat("Welcome")
        await watcher.wait_for(lambda m: isinstance(m, proto.ChatOut) and m.text == "Welcome")
        await watcher.send(proto.ObjectAdd(kind="note", p=(0, 1, 0), text="hi"))
        await watcher.wait_for(is_error("forbidden"))
        assert watcher.you not in member.avatars


@pytest.mark.parametrize("template", ["training-lab"])
async def test_full_space_opens_an_overflow_room(live, person, space, template):
    url, _ = live
    _, owner = await person("clinician")
    _, a = await person()
    _, b = await person()
    room = await space(owner, template=template, capacity=1)
    async with (
        await WorldClient.connect(url, a, room) as first,
        await WorldClient.connect(url, b, room) as second,
    ):
        assert first.welcome.instance == f"{room}#1"
        assert second.welcome.instance == f"{room}#2" and not second.welcome.spectator
        notice = await second.wait_for(lambda m: isinstance(m, proto.Event))
        assert (notice.kind, notice.detail) == (
                "overflow", "This space is full; you are in overflow room 2."
            )  # fmt: skip
