"""Helpers of the events tests: an event made through the API, registering, notices."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from careverse.kernel import clock
from careverse.kernel.uow import unit_of_work
from tests.integration.privacy.support import Person


async def event(
    client: httpx.AsyncClient, organiser: Person, *, expect: int = 201, in_minutes: int = 60,
    **extra,
) -> dict:  # fmt: skip
    body = {
        "slug": f"talk-{uuid.uuid4().hex[:6]}",
        "title": "Vaccination week: ask a nurse",
        "description": "Flu and COVID-19 boosters, then your questions.",
        "kind": "campaign",
        "starts_at": (clock.now() + timedelta(minutes=in_minutes)).isoformat(),
        "duration_minutes": 60,
        "capacity": 2,
        **extra,
    }
    r = await client.post("/api/events", json=body, headers=organiser.headers)
    assert r.status_code == expect, r.text
    return r.json()


async def register(client: httpx.AsyncClient, who: Person, slug: str, expect: int = 200) -> dict:
    r = await client.post(f"/api/events/{slug}/register", headers=who.headers)
    assert r.status_code == expect, r.text
    return r.json()


async def notices(client: httpx.AsyncClient, who: Person, kind: str) -> list[dict]:
    r = await client.get("/api/me/notifications", headers=who.headers)
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == kind]


async def publish(app, event) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session) as uow:
        await uow.publish(event)
