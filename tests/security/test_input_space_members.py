"""Inviting an account that does not exist to a space is refused (404), and nothing is stored."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from careverse.world.models import SpaceMember


async def _members(app, space_id: str) -> list[tuple[uuid.UUID, str]]:
    async with app.state.runtime.db.session() as session:
        rows = await session.execute(
            select(SpaceMember.account_id, SpaceMember.role)
            .where(SpaceMember.space_id == uuid.UUID(space_id))
            .order_by(SpaceMember.account_id)
        )
        return [tuple(row) for row in rows.all()]


async def test_input_inviting_an_unknown_account_is_not_found_and_stores_nothing(
    app, client, signed_in
):
    _, headers = await signed_in("clinician")
    guest, _ = await signed_in("patient")
    r = await client.post(
        "/api/spaces",
        json={"name": "Circle", "template": "support-circle", "access": "members"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    space_id = r.json()["id"]
    r = await client.post(
        f"/api/spaces/{space_id}/members", json={"account_id": str(guest.id)}, headers=headers
    )
    assert r.status_code == 204, r.text
    before = await _members(app, space_id)

    unknown = uuid.uuid4()
    r = await client.post(
        f"/api/spaces/{space_id}/members", json={"account_id": str(unknown)}, headers=headers
    )
    assert r.status_code == 404, r.text
    assert "No such person" in r.text
    assert str(unknown) not in r.text
    assert await _members(app, space_id) == before

    # The refusal left the service usable: inviting a real person still works.
    r = await client.post(
        f"/api/spaces/{space_id}/members",
        json={"account_id": str(guest.id), "role": "facilitator"},
        headers=headers,
    )
    assert r.status_code == 204, r.text
