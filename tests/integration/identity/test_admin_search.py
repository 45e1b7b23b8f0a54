"""Admins search accounts by name or address, and by state; the listing is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careverse.kernel.audit import AuditEvent


async def test_search_by_name_part_address_and_state(client, signed_in, make_account, app):
    _, admin = await signed_in("admin")
    rivera = await make_account("clinician", email="l.rivera@clinic.example", name="Dr Luis Rivera")
    await make_account("patient", email="amara@example.org", name="Amara Nwosu")
    by_name = await client.get("/api/admin/accounts", params={"q": "rIVera"}, headers=admin)
    assert [a["id"] for a in by_name.json()] == [str(rivera.id)]
    by_address = await client.get(
        "/api/admin/accounts", params={"q": "L.Rivera@Clinic.example"}, headers=admin
    )
    assert [a["id"] for a in by_address.json()] == [str(rivera.id)]
    by_domain = await client.get("/api/admin/accounts", params={"q": "AMARA@"}, headers=admin)
    assert [a["email"] for a in by_domain.json()] == ["amara@example.org"]
    await client.patch(f"/api/admin/accounts/{rivera.id}", json={"is_active": False}, headers=admin)
    inactive = await client.get("/api/admin/accounts", params={"active": "false"}, headers=admin)
    assert [a["id"] for a in inactive.json()] == [str(rivera.id)]
    async with app.state.runtime.db.session() as session:
        details = (
            await session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "account.search")
            )
        ).all()
    assert len(details) == 4
    assert not any("ivera" in d.lower() or "example" in d for d in details)


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "x" * 121}, {"active": "perhaps"}])
async def test_bad_search_is_a_clear_422(client, signed_in, params):
    _, admin = await signed_in("admin")
    assert (
        await client.get("/api/admin/accounts", params=params, headers=admin)
    ).status_code == 422


async def test_others_cannot_search(client, signed_in):
    _, headers = await signed_in("clinician")
    refused = await client.get("/api/admin/accounts", params={"q": "a"}, headers=headers)
    assert refused.status_code == 403
