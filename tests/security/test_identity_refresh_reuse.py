"""Refresh-token reuse: redeeming a rotated refresh token ends the whole session, and is audited."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from careverse.identity.models import AuthSession
from careverse.kernel.audit import AuditEvent
from tests.conftest import PASSWORD


async def grant(client, **data):
    return await client.post("/api/auth/token", data=data)


async def test_identity_reused_refresh_token_revokes_the_session(client, app, make_account):
    account = await make_account()
    # Bystanders: another session of the same account, and another account's session.
    bystanders = []
    for someone in (account, await make_account()):
        signed = (await grant(client, username=someone.email, password=PASSWORD)).json()
        bystanders.append({"Authorization": f"Bearer {signed['access_token']}"})
    first = (await grant(client, username=account.email, password=PASSWORD)).json()
    # The legitimate holder rotates; the old refresh token was copied by an attacker.
    holder = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert holder.status_code == 200
    holder_tokens = holder.json()
    holder_headers = {"Authorization": f"Bearer {holder_tokens['access_token']}"}
    assert (await client.get("/api/me", headers=holder_headers)).status_code == 200

    # The attacker redeems the rotated token: refused, and the whole session ends.
    reuse = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "invalid_grant"
    assert (await client.get("/api/me", headers=holder_headers)).status_code == 401
    after = await grant(
        client, grant_type="refresh_token", refresh_token=holder_tokens["refresh_token"]
    )
    assert after.status_code == 401
    # Only the session whose token came back ends.
    for headers in bystanders:
        assert (await client.get("/api/me", headers=headers)).status_code == 200

    async with app.state.runtime.db.session() as session:
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "session.refresh_reused")
            )
        ).all()
        sessions = (
            await session.scalars(select(AuthSession).where(AuthSession.account_id == account.id))
        ).all()
    assert len(events) == 1
    event = events[0]
    assert event.actor_id == account.id
    (ended,) = [s for s in sessions if s.revoked_at is not None]
    assert (event.actor_role, event.outcome) == ("patient", "failure")
    assert (event.resource_type, event.resource_id) == ("AuthSession", str(ended.id))
    assert json.loads(event.detail) == {"revoked": True}
    stored = json.dumps({c.name: str(getattr(event, c.key)) for c in AuditEvent.__table__.columns})
    for secret in (first["refresh_token"], holder_tokens["refresh_token"]):
        assert secret not in stored
        assert secret.split("_", 1)[1][:20] not in stored


async def test_identity_attacker_rotating_first_locks_out_both(client, make_account):
    account = await make_account()
    first = (await grant(client, username=account.email, password=PASSWORD)).json()
    # The attacker rotates first and gets working tokens...
    stolen = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert stolen.status_code == 200
    attacker = stolen.json()
    attacker_headers = {"Authorization": f"Bearer {attacker['access_token']}"}
    assert (await client.get("/api/me", headers=attacker_headers)).status_code == 200
    # ...then the holder's (now rotated) token is presented: the attacker's tokens die too.
    holder = await grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert holder.status_code == 401
    assert (await client.get("/api/me", headers=attacker_headers)).status_code == 401
    again = await grant(client, grant_type="refresh_token", refresh_token=attacker["refresh_token"])
    assert again.status_code == 401
    # Other sessions of the account are untouched: a new sign-in works.
    assert (await grant(client, username=account.email, password=PASSWORD)).status_code == 200


async def test_identity_concurrent_redemptions_of_one_refresh_token_end_the_session(
    client, make_account
):
    account = await make_account()
    first = (await grant(client, username=account.email, password=PASSWORD)).json()
    answers = await asyncio.gather(
        *(
            grant(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
            for _ in range(2)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 401], statuses
    # The one that won holds tokens of a session that has been revoked as reused.
    won = next(a.json() for a in answers if a.status_code == 200)
    headers = {"Authorization": f"Bearer {won['access_token']}"}
    assert (await client.get("/api/me", headers=headers)).status_code == 401
