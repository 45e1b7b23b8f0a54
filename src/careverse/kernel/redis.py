"""The Redis connection, when ``CAREVERSE_REDIS_URL`` is set (production and scale-out)."""

from __future__ import annotations

from redis.asyncio import Redis


def connect(url: str | None) -> Redis | None:
    if not url:
        return None
    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3, health_check_interval=30)
