"""The sessions a facilitator writes notes on (both databases): the group's facilitators see the
opened sessions, newest first; members and others get 404."""

from __future__ import annotations

from tests.integration.groups.test_continuity import (  # noqa: F401 (fixtures)
    in_session,
    session_with,
    settings_overrides,
)


async def test_facilitators_list_opened_sessions_others_404(client, person):
    admin, member = await person("admin"), await person("patient")
    made, joined = await session_with(client, admin, member)
    url = f"/api/groups/{made['slug']}/sessions"
    r = await client.get(url, headers=admin.headers)
    assert r.status_code == 200, r.text
    (only,) = r.json()["sessions"]
    assert only["id"] == joined["session_id"] and only["starts_at"] == joined["starts_at"]
    for who in (member, await person("clinician")):
        assert (await client.get(url, headers=who.headers)).status_code == 404
    assert (await client.get("/api/groups/no-such-group/sessions", headers=admin.headers)
            ).status_code == 404  # fmt: skip
