"""A facilitator acknowledges "I need support" over HTTP (both databases): facilitators only
(anyone else 404), audited, the escalation stops; unknown or other groups' requests are 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from careverse.groups.sessions import ACKNOWLEDGE_WITHIN, escalate_due_once
from careverse.kernel.audit import AuditEvent
from careverse.world.circle_events import CircleSupportRequested
from tests.integration.groups.support import group
from tests.integration.groups.test_continuity import (  # noqa: F401
    in_session,
    publish,
    session_with,
    settings_overrides,
)


async def audited(app, action: str) -> list[AuditEvent]:
    async with app.state.runtime.db.session() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def test_acknowledge_over_http_stops_escalation(app, client, person, in_session):  # noqa: F811
    admin, member, other = await person("admin"), await person("patient"), await person("patient")
    made, joined = await session_with(client, admin, member)
    space = uuid.UUID(joined["space_id"])
    await publish(app, CircleSupportRequested(space_id=space, account_id=member.id))
    url = f"/api/groups/{made['slug']}/support"
    for who in (member, other):  # members and strangers: 404
        assert (await client.get(url, headers=who.headers)).status_code == 404
    r = await client.get(url, headers=admin.headers)
    assert r.status_code == 200, r.text
    (request,) = r.json()["requests"]
    assert request["session_id"] == joined["session_id"] and not request["escalated"]
    assert request["acknowledged_at"] is None
    ack = f"{url}/{request['id']}/ack"
    assert (await client.post(ack, headers=member.headers)).status_code == 404
    assert (
        await client.post(f"{url}/{uuid.uuid4()}/ack", headers=admin.headers)
    ).status_code == 404
    assert (await client.post(f"{url}/not-an-id/ack", headers=admin.headers)).status_code == 422
    r = await client.post(ack, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["acknowledged_at"] is not None
    again = await client.post(ack, headers=admin.headers)  # once; the same answer
    assert (
        again.status_code == 200 and again.json()["acknowledged_at"] == r.json()["acknowledged_at"]
    )
    assert (await client.get(url, headers=admin.headers)).json()["requests"] == []
    in_session.now += ACKNOWLEDGE_WITHIN * 2
    assert await escalate_due_once(app.state.runtime.db, app.state.runtime.settings) == 0
    done = await audited(app, "groups.support.acknowledge")  # each call, the repeat too
    assert [(d.actor_id, d.resource_id) for d in done] == [(admin.id, request["id"])] * 2
    assert await audited(app, "groups.support.list")

    # Another group's facilitator cannot reach this group's request through their own group.
    elsewhere = await person("admin")
    theirs = await group(client, elsewhere)
    r = await client.post(
        f"/api/groups/{theirs['slug']}/support/{request['id']}/ack", headers=elsewhere.headers
    )
    assert r.status_code == 404


async def test_unacknowledged_still_escalates(app, client, person, in_session):  # noqa: F811
    admin, member = await person("admin"), await person("patient")
    made, joined = await session_with(client, admin, member)
    await publish(
        app, CircleSupportRequested(space_id=uuid.UUID(joined["space_id"]), account_id=member.id)
    )
    in_session.now += ACKNOWLEDGE_WITHIN + timedelta(seconds=1)
    assert await escalate_due_once(app.state.runtime.db, app.state.runtime.settings) == 1
    r = await client.get(f"/api/groups/{made['slug']}/support", headers=admin.headers)
    (request,) = r.json()["requests"]
    assert request["escalated"] is True  # still listed, marked, until acknowledged
