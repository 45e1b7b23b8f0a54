"""Issue 11, finding 11 (proxies): ``X-Forwarded-For`` counts only from the proxies named in
``CAREVERSE_TRUSTED_PROXIES``. With none named (the default), a forged header — even from a proxy
on the same host — does not change the address the sign-in throttle and the audit trail see."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from sqlalchemy import select

from careverse.kernel.audit import AuditEvent
from tests.security.served import served_node

PROXY = "127.0.0.1"  # a reverse proxy on the node's own host
FORGED = "198.51.100.23"
WRONG = {"username": "nobody@example.org", "password": "wrong-Horse-battery-1"}


async def _failed_login_address(app, peer: str, headers: dict[str, str]) -> str | None:
    """Sign in wrongly from ``peer``; answer the address the audit trail recorded."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.post("/api/auth/token", data=WRONG, headers=headers)
    assert response.status_code == 401, response.text
    async with app.state.runtime.db.session() as session:
        rows = await session.execute(select(AuditEvent.address).where(AuditEvent.action == "login"))
        addresses = rows.scalars().all()
    assert len(addresses) == 1
    return addresses[0]


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_edge_forwarded_for_is_ignored_without_trusted_proxies(app):
    address = await _failed_login_address(app, PROXY, {"X-Forwarded-For": FORGED})
    assert address == PROXY


@pytest.mark.parametrize("settings_overrides", [{"trusted_proxies": ["127.0.0.0/8"]}])
async def test_edge_forwarded_for_counts_from_a_trusted_proxy(app):
    address = await _failed_login_address(app, PROXY, {"X-Forwarded-For": FORGED})
    assert address == FORGED


@pytest.mark.parametrize("settings_overrides", [{"trusted_proxies": ["10.0.0.5"]}])
async def test_edge_forwarded_for_is_ignored_from_an_untrusted_peer(app):
    """A client that is not the configured proxy cannot name its own address."""
    address = await _failed_login_address(app, "203.0.113.40", {"X-Forwarded-For": FORGED})
    assert address == "203.0.113.40"


def test_edge_served_node_ignores_forwarded_for_by_default(tmp_path):
    """``careverse serve`` as shipped: a forged header through loopback changes nothing."""
    with served_node(tmp_path, login_max_failures_per_address="1000") as node:
        response = httpx.post(
            f"{node.url}/api/auth/token", data=WRONG, headers={"X-Forwarded-For": FORGED}
        )
        assert response.status_code == 401, response.text
        with sqlite3.connect(node.database) as db:
            rows = db.execute("SELECT address FROM audit_events WHERE action = 'login'").fetchall()
    assert rows == [(PROXY,)]
