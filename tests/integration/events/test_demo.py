"""The demo's vaccination-week campaign: hosted by Nurse Kim, with slides, Maria registered;
seeding again adds nothing."""

from __future__ import annotations

from careverse import demo
from tests.integration.groups.test_demo import signed_in


async def test_demo_vaccination_week_with_a_host(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)  # again: nothing new
    await signed_in(client, "nurse.kim")
    r = await client.get("/api/events")
    assert r.status_code == 200, r.text
    (week,) = [e for e in r.json()["events"] if e["slug"] == "vaccination-week"]
    assert week["host"] is True and week["kind"] == "campaign" and week["registered"] == 2
    await signed_in(client, "maria")
    r = await client.get("/api/events/vaccination-week/slides")
    assert r.status_code == 200 and len(r.json()["slides"]) == 4
    assert (await client.get("/api/events/vaccination-week")).json()["my_status"] == "registered"
