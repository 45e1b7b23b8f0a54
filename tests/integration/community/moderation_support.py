"""Helpers of the moderation tests: a community with a moderator, a member and a reader."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from careverse.kernel.events import Phase
from careverse.kernel.notify import NotificationRequested
from tests.integration.community.support import community, join, topic
from tests.integration.privacy.support import Person


@dataclass
class Room:
    admin: Person
    moderator: Person
    member: Person
    other: Person
    slug: str
    community_id: str


async def room(client: httpx.AsyncClient, person, kind: str = "caregiver") -> Room:
    admin = await person("admin")
    moderator, member, other = await person("caregiver"), await person("patient"), await person()
    made = await community(client, admin, kind=kind)
    for who in (moderator, member, other):
        await join(client, who, made["slug"])
    members = (await client.get(f"/api/community/communities/{made['slug']}/members",
                                headers=admin.headers)).json()["members"]  # fmt: skip
    (mine,) = [m for m in members if m["account_id"] == str(moderator.id)]
    answer = await client.put(
        f"/api/community/communities/{made['slug']}/members/{mine['membership_id']}/role",
        json={"role": "moderator"},
        headers=admin.headers,
    )
    assert answer.status_code == 200, answer.text
    return Room(admin, moderator, member, other, made["slug"], made["id"])


async def post(client: httpx.AsyncClient, who: Person, slug: str, body: str, **kw) -> dict:
    return await topic(client, who, slug, body=body, **kw)


def notices(app) -> list[NotificationRequested]:
    """Collect every NotificationRequested committed from now on (the inbox's view)."""
    seen: list[NotificationRequested] = []

    async def keep(event: NotificationRequested) -> None:
        seen.append(event)

    app.state.runtime.events.subscribe(NotificationRequested, keep, phase=Phase.COMMITTED)
    return seen


async def queue(client: httpx.AsyncClient, who: Person, expect: int = 200) -> list[dict]:
    answer = await client.get("/api/community/moderation/queue", headers=who.headers)
    assert answer.status_code == expect, answer.text
    return answer.json()["items"] if expect == 200 else []
