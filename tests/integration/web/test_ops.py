"""Operations: health, readiness (database and Redis), metrics, security headers, the client."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from tests.conftest import REDIS_URL, service_unavailable


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


@pytest.mark.parametrize("settings_overrides", [{"ops_networks": ["203.0.113.0/24"]}])
async def test_metrics_count_requests_by_route_template(client, signed_in):
    _, headers = await signed_in()
    await client.get("/api/me", headers=headers)
    text = (await client.get("/metrics")).text  # the test client is in the ops network
    assert 'careverse_http_requests_total{method="GET",route="/api/me",status="200"} 1.0' in text
    assert "careverse_http_request_seconds_bucket" in text


async def test_security_headers(client):
    response = await client.get("/api/me")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers


async def test_hsts_behind_tls(app):
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://clinic.example.org") as c:
        response = await c.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_client_routes_serve_the_page_and_unknown_api_paths_are_json_404(client):
    page = await client.get("/home")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    missing = await client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert (await client.get("/favicon.ico")).status_code == 404


@pytest.mark.services
class TestRedisReadiness:
    @pytest.fixture
    async def settings_overrides(self) -> dict:
        try:
            r = aioredis.from_url(REDIS_URL)
            await r.ping()
            await r.aclose()
        except Exception as exc:
            service_unavailable("Redis", exc)
        return {"redis_url": REDIS_URL}

    async def test_ready_with_redis(self, client):
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["redis"] == "ok"


class TestUnreachableRedis:
    @pytest.fixture
    def settings_overrides(self) -> dict:
        return {"redis_url": "redis://127.0.0.1:1/0"}

    async def test_not_ready(self, client):
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"].startswith("unreachable")
