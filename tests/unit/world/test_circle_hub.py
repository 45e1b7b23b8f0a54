"""A request for support acknowledged over HTTP reaches the room through the hub
(``Hub.support_closed``, called on every node by the EVERYWHERE event)."""

from __future__ import annotations

import json

from careverse.world import protocol as proto
from careverse.world.avatar import Avatar
from careverse.world.connection import Client, Limits
from careverse.world.hub import Hub


def drain(client: Client) -> list:
    out = []
    while not client.outbox.empty():
        data = client.outbox.get_nowait()
        if data is not None:
            out.append(proto.server_decoder.decode(data))
    return out


async def test_support_closed_over_http_is_told_in_the_room():
    hub = Hub(Limits(tick_hz=10))
    inst = hub.instance("space-1", "support-circle", 24, 1)

    async def nothing(*_):
        return None

    clients = {}
    for key, lead in (("lead", True), ("ana", False), ("ben", False)):
        client = Client(key, nothing, nothing, hub.limits)
        client.writer.cancel()
        inst.attach(Avatar(key, key.title(), "patient", facilitator=lead), client)
        clients[key] = client
    inst.handle("ana", clients["ana"], proto.NeedSupport())
    inst.handle("lead", clients["lead"], proto.Agenda(items=["One"]))
    for client in clients.values():
        drain(client)
    assert inst.circle.support == {"ana": "Ana"}

    hub.support_closed("space-1", "ana", "Nurse Lee")
    assert inst.circle.support == {}
    told = {k: [m for m in drain(c) if isinstance(m, proto.Event)] for k, c in clients.items()}
    assert [(m.kind, m.target, m.detail) for m in told["ana"]] == [
        ("support_ack", "ana", "Nurse Lee")
    ]
    assert [m.kind for m in told["lead"]] == ["support_ack"]
    assert told["ben"] == []  # the others are never told

    # Someone arriving now is sent the circle as it is (no support alert unless facilitating).
    late = Client("cy", nothing, nothing, hub.limits)
    late.writer.cancel()
    inst.attach(Avatar("cy", "Cy", "patient"), late)
    events = [m for m in drain(late) if isinstance(m, proto.Event)]
    assert [(m.kind, json.loads(m.detail or "null")) for m in events][:1] == [("agenda", ["One"])]
