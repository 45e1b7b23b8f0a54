"""Helpers of the groups tests: a community and a group made through the API."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.community.support import community
from tests.integration.privacy.support import Person

RULES = "What is said here stays here. One voice at a time. You may pass."


async def group(
    client: httpx.AsyncClient,
    admin: Person,
    *,
    visibility: str = "public",
    expect: int = 201,
    **extra,
) -> dict:
    made = await community(client, admin, visibility=visibility)
    body = {
        "slug": f"circle-{uuid.uuid4().hex[:6]}",
        "name": "Thursday carers' circle",
        "timezone": "Europe/London",
        "first_date": "2026-03-05",
        "start_time": "18:30",
        "duration_minutes": 60,
        "every_weeks": 1,
        "capacity": 2,
        "admission": "open",
        "ground_rules": RULES,
        **extra,
    }
    r = await client.post(
        f"/api/groups/communities/{made['slug']}", json=body, headers=admin.headers
    )
    assert r.status_code == expect, r.text
    return r.json()


async def join(client: httpx.AsyncClient, who: Person, slug: str, expect: int = 200, **extra):
    body = {"accept_rules": True, "rules_version": 1, **extra}
    r = await client.post(f"/api/groups/{slug}/join", json=body, headers=who.headers)
    assert r.status_code == expect, r.text
    return r.json()


async def notices(client: httpx.AsyncClient, who: Person, kind: str) -> list[dict]:
    r = await client.get("/api/me/notifications", headers=who.headers)
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == kind]
