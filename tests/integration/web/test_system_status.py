"""The operator's system status: dependencies, jobs, version, key ring ids; admins, audited."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from careverse import __version__
from careverse.kernel import crypto
from careverse.kernel.audit import AuditEvent
from tests.conftest import PASSWORD, login


async def test_an_admin_sees_the_nodes_state_and_no_key_material(client, make_account, app):
    admin = await make_account("admin")
    headers = await login(client, admin.email, PASSWORD)
    response = await client.get("/api/admin/system", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == __version__
    assert body["database"]["status"] == "ok"
    assert body["database"]["detail"] in {"sqlite", "postgresql"}
    assert body["redis"]["status"] == "not configured"
    assert body["mqtt"] == {"status": "not configured", "detail": None}
    ring = crypto.keyring()
    assert body["key_ring"] == {"primary": ring.primary, "key_ids": sorted(ring.keys)}
    assert {"name": "privacy.erase-due", "running": True} in body["jobs"]
    for key in [*ring.keys.values(), ring.index_key]:
        for form in (key.hex(), base64.b64encode(key).decode(), base64.urlsafe_b64encode(key)):
            assert str(form).strip("=") not in response.text
    async with app.state.runtime.db.session() as session:
        reads = (await session.scalars(select(AuditEvent.action))).all()
    assert "system.read" in reads


@pytest.mark.parametrize("settings_overrides", [{"mqtt_url": "mqtt://127.0.0.1:9"}])
async def test_an_unreachable_broker_is_reported_not_raised(client, make_account):
    admin = await make_account("admin")
    headers = await login(client, admin.email, PASSWORD)
    body = (await client.get("/api/admin/system", headers=headers)).json()
    assert body["mqtt"]["status"] == "unreachable"
    assert "127.0.0.1" not in str(body)


@pytest.mark.parametrize("role", ["patient", "clinician", "caregiver"])
async def test_only_admins_see_it(client, make_account, role):
    someone = await make_account(role)
    headers = await login(client, someone.email, PASSWORD)
    assert (await client.get("/api/admin/system", headers=headers)).status_code == 403
    assert (await client.get("/api/admin/system")).status_code == 401
