"""The demo's two groups: a carers' circle and a long-COVID group led by a nurse, each with a
session coming up; seeding again adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from careverse import demo
from careverse.kernel import clock


async def signed_in(client, local: str) -> None:
    r = await client.post(
        "/api/auth/session",
        json={"email": f"{local}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
    )
    assert r.status_code == 200, r.text


async def test_demo_groups_with_upcoming_sessions(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)  # again: nothing new
    await signed_in(client, "nurse.kim")
    r = await client.get("/api/groups")
    assert r.status_code == 200, r.text
    mine = {g["slug"]: g for g in r.json()["groups"]}
    assert mine["long-covid-pacing"]["facilitator"] is True
    assert mine["long-covid-pacing"]["members"] == 2
    await signed_in(client, "maria")
    r = await client.get("/api/groups?caregiver=true&tz=Europe/Madrid")
    (circle,) = r.json()["groups"]
    assert (circle["slug"], circle["my_status"], circle["caregiver"]) == (
        "carers-circle", "active", True,
    )  # fmt: skip
    start = datetime.fromisoformat(circle["next_start"])
    assert clock.now() < start < clock.now() + timedelta(days=8)
