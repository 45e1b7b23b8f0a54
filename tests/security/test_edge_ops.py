"""Issue 11, finding 13 (the operations endpoints and the CSP): ``/metrics`` answers only the
operations network (loopback by default) or the operations token; ``/docs``, ``/redoc`` and
``/openapi.json`` can be put behind the same gate or switched off; pages may connect only to the
node's own origin."""

from __future__ import annotations

import httpx
import pytest

TOKEN = "ops-" + "t" * 40
DOCS = ("/docs", "/redoc", "/openapi.json")


def _from(app, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("settings_overrides", [{"ops_token": TOKEN}])
async def test_edge_metrics_answer_only_the_ops_network_or_token(app):
    async with _from(app, "203.0.113.7") as stranger:
        refused = await stranger.get("/metrics")
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
        assert "careverse_http" not in refused.text
        wrong = await stranger.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        opened = await stranger.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert opened.status_code == 200 and "careverse_http_requests_total" in opened.text
    async with _from(app, "127.0.0.1") as local:
        assert (await local.get("/metrics")).status_code == 200
        # Through a proxy nobody said to trust, loopback is anyone: not the ops network.
        forwarded = await local.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"})
        assert forwarded.status_code == 403


@pytest.mark.parametrize(
    "settings_overrides",
    [{"ops_networks": ["10.1.0.0/16"], "trusted_proxies": ["127.0.0.1"]}],
)
async def test_edge_metrics_behind_a_trusted_proxy_see_the_real_client(app):
    async with _from(app, "127.0.0.1") as proxy:
        inside = await proxy.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
        assert inside.status_code == 200
        outside = await proxy.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"})
        assert outside.status_code == 403


@pytest.mark.parametrize("settings_overrides", [{"api_docs": "ops", "ops_token": TOKEN}])
async def test_edge_docs_behind_the_ops_gate(app):
    async with _from(app, "203.0.113.7") as stranger:
        for path in DOCS:
            assert (await stranger.get(path)).status_code == 403, path
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert (await stranger.get("/openapi.json", headers=auth)).json()["info"]["title"]
    async with _from(app, "127.0.0.1") as local:
        assert (await local.get("/docs")).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"api_docs": "off"}])
async def test_edge_docs_switched_off(app):
    async with _from(app, "127.0.0.1") as local:
        for path in DOCS:
            response = await local.get(path)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"
    assert app.openapi()["paths"]  # the schema still exists for the FHIR metadata and tooling


async def test_edge_docs_public_by_default(client):
    assert (await client.get("/openapi.json")).status_code == 200


async def test_edge_csp_connects_only_to_our_own_origin(client):
    csp = (await client.get("/healthz")).headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["connect-src"] == ["'self'"]
