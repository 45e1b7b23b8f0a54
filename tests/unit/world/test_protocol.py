"""Protocol validation, the spliced deltas of the tick, and the node-to-node messages."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from careverse.world import cluster
from careverse.world import protocol as proto
from careverse.world.hub import Avatar, Client, Instance, Limits
from careverse.world.templates import TEMPLATES


@pytest.mark.parametrize(
    "raw",
    [
        '{"t":"obj_add","kind":"model","p":[0,1,0],"model":"heart","shared":true}',
        '{"t":"obj_add","kind":"poster","p":[1,1,1],"title":"Wash hands","url":"/static/a.png"}',
        '{"t":"obj_move","id":"x","p":[0,1,0],"yaw":1.5,"rot":[0,0,0,1]}',
        '{"t":"obj_del","id":"x"}',
        '{"t":"point","p":[1,0,1]}',
        '{"t":"point","obj":"x"}',
    ],
)
def test_object_messages_parse(raw):
    proto.decode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        '{"t":"obj_add","kind":"rocket","p":[0,1,0]}',  # unknown kind
        '{"t":"obj_add","kind":"note","p":[0,1]}',  # not a 3-vector
        '{"t":"obj_add","kind":"note","p":[0,1,0],"scale":50}',  # scale out of range
        '{"t":"obj_add","kind":"note","p":[0,1,0],"text":"' + "x" * 2001 + '"}',  # too long
        '{"t":"obj_move","id":"x","p":[0,1,0],"owner":"me"}',  # unknown field
        '{"t":"obj_del"}',  # no id
    ],
)
def test_bad_object_messages_are_refused(raw):
    with pytest.raises(msgspec.ValidationError):
        proto.decode(raw)


async def test_spliced_deltas_decode_as_deltas():
    limits = Limits(tick_hz=20)
    inst = Instance("space", 1, TEMPLATES["support-circle"], 24, limits)
    sent: dict[str, list[bytes]] = {}

    async def nothing(*_):
        return None

    clients = {}
    for key in ("a", "b", "c"):
        client = Client(key, nothing, nothing, limits)
        client.writer.cancel()
        inst.attach(Avatar(key, key.upper(), "patient"), client)
        clients[key] = client
    inst.step(time.time())
    inst.avatars["a"].x, inst.avatars["a"].seq, inst.avatars["a"].dirty = 1.25, 7, True
    inst.step(time.time())
    for key, client in clients.items():
        sent[key] = []
        while not client.outbox.empty():
            sent[key].append(client.outbox.get_nowait())
    deltas = [proto.server_decoder.decode(m) for m in sent["b"]]
    deltas = [d for d in deltas if isinstance(d, proto.Delta)]
    assert deltas and deltas[-1].upd == [
        proto.AvatarUpdate("a", 1.25, 0.0, inst.avatars["a"].z, 0.0, "idle", 7)
    ]
    # The mover does not get its own update.
    assert not any(
        isinstance(m, proto.Delta) and m.upd for m in map(proto.server_decoder.decode, sent["a"])
    )
    await asyncio.sleep(0)


def test_node_messages_round_trip():
    out = proto.ChatOut(id="a", name="A", text="hi", scope="space", at=1.0)
    for message in (
        cluster.Poses("n1", [("a", 1.0, 0.0, 2.0, 0.5, "walk", 3, None, None, None)]),
        cluster.Chat("n1", out, None, 1.0, 2.0),
        cluster.Join("n1", proto.AvatarState(id="a", name="A", role="patient", p=(0, 0, 0))),
        cluster.Mod("n1", "remove", "a"),
        cluster.State("n1", True, ["a"], []),
    ):
        decoded = cluster.decoder.decode(cluster.encoder.encode(message))
        assert type(decoded) is type(message) and decoded.node == "n1"
