"""The per-node alert streams: an AlertChanged reaches the open streams of its recipients only."""

from __future__ import annotations

import uuid

from careverse.monitoring import streams
from careverse.monitoring.events import AlertChanged
from careverse.monitoring.streams import AlertStreams


def change(*recipients: uuid.UUID) -> AlertChanged:
    return AlertChanged(
        alert_id=uuid.uuid4(), patient_id=uuid.uuid4(), change="opened", severity="high",
        status="open", recipients=recipients,
    )  # fmt: skip


async def test_changes_reach_the_recipients_streams_only():
    node = AlertStreams()
    doctor, other = uuid.uuid4(), uuid.uuid4()
    async with node.subscribe(doctor) as first, node.subscribe(doctor) as second:
        async with node.subscribe(other) as elsewhere:
            assert node.accounts == {doctor, other}
            event = change(doctor)
            await node.on_alert_changed(event)
            assert await first.get() == event and await second.get() == event
            assert elsewhere.queue.empty()
        assert node.accounts == {doctor}
        await node.on_alert_changed(change(other))  # nobody listening: dropped
    assert node.accounts == frozenset()


async def test_a_stuck_stream_loses_changes_instead_of_stalling_the_node(monkeypatch):
    monkeypatch.setattr(streams, "QUEUE", 2)
    node = AlertStreams()
    doctor = uuid.uuid4()
    async with node.subscribe(doctor) as stuck:
        for _ in range(5):
            await node.on_alert_changed(change(doctor))
        assert stuck.queue.qsize() == 2 and stuck.overflowed == 3
