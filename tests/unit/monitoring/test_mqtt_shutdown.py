"""The bridge stops when its node shuts down, even when a cancellation was swallowed on the way:
on Python 3.11 ``asyncio.wait_for`` (under every aiomqtt connect, subscribe and publish) drops a
cancellation that arrives as the operation finishes, and the node then waited for the bridge
forever."""

from __future__ import annotations

import asyncio

import pytest

from careverse.monitoring import mqtt


async def test_the_bridge_stops_after_a_swallowed_cancellation(monkeypatch):
    swallowed = asyncio.Event()

    async def probe_that_swallows(params: dict) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            if swallowed.is_set():
                raise
            swallowed.set()  # once, as wait_for does when the broker answers just then

    monkeypatch.setattr(mqtt, "refuse_open_broker", probe_that_swallows)
    task = asyncio.create_task(mqtt.run("mqtt://bridge:pw@127.0.0.1:9", None))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await task
    assert swallowed.is_set()
