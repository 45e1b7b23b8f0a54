"""The event bus, in-process and over the real Redis (two buses stand for two nodes)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from careverse.kernel import bus as event_bus
from careverse.kernel import redis as redis_conn
from tests.conftest import REDIS_URL, service_unavailable


async def _next(sub: event_bus.Subscription) -> tuple[str, bytes]:
    return await asyncio.wait_for(sub.get(), 3)


async def test_in_process_bus_delivers_to_subscribers_of_the_channel_only():
    bus = event_bus.create(None)
    assert not bus.shared
    async with bus.subscribe("a") as a, bus.subscribe("a", "b") as ab:
        await bus.publish("a", b"1")
        await bus.publish("b", b"2")
        await bus.publish("c", b"lost")
        assert await _next(a) == ("a", b"1")
        assert await _next(ab) == ("a", b"1")
        assert await _next(ab) == ("b", b"2")
        assert a.queue.empty()
    await bus.publish("a", b"nobody")  # no subscribers left: nothing to deliver, no error


async def test_slow_subscriber_loses_messages_instead_of_blocking_the_publisher():
    bus = event_bus.create(None)
    async with bus.subscribe("x") as sub:
        for i in range(event_bus.QUEUE + 10):
            await bus.publish("x", str(i).encode())
        assert sub.overflowed == 10
        assert await _next(sub) == ("x", b"0")


@pytest.mark.services
async def test_two_nodes_share_messages_over_redis():
    channel = f"test:{uuid.uuid4().hex}"
    one, two = redis_conn.connect(REDIS_URL), redis_conn.connect(REDIS_URL)
    try:
        await one.ping()
    except Exception as exc:
        await one.aclose()
        await two.aclose()
        service_unavailable("Redis", exc)
        return
    node1, node2 = event_bus.create(one), event_bus.create(two)
    try:
        assert node1.shared
        async with node1.subscribe(channel) as sub1, node2.subscribe(channel) as sub2:
            await node2.publish(channel, b"hello")
            assert await _next(sub1) == (channel, b"hello")
            assert await _next(sub2) == (channel, b"hello")
        async with node1.subscribe(channel) as again:  # resubscribing after the last one left
            await node2.publish(channel, b"again")
            assert await _next(again) == (channel, b"again")
    finally:
        await node1.close()
        await node2.close()
        await one.aclose()
        await two.aclose()
