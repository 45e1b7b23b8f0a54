"""The demo's research: Dr Chen's approved study with three consenting patients, a cohort (its
count suppressed under 11) and a trial; seeding again adds nothing."""

from __future__ import annotations

from careverse import demo
from tests.integration.groups.test_demo import signed_in


async def test_demo_research(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)  # again: nothing new
    await signed_in(client, "dr.chen")
    (study,) = (await client.get("/api/research/studies")).json()
    assert study["status"] == "approved" and study["k"] == 3
    base = f"/api/research/studies/{study['id']}"
    (cohort,) = (await client.get(f"{base}/cohorts")).json()
    counted = (await client.get(f"{base}/cohorts/{cohort['id']}")).json()
    assert counted["count"] == "< 11"
    (trial,) = (await client.get(f"{base}/trials")).json()
    assert trial["enrolled"] == 0
    assert len((await client.get(f"{base}/trials/{trial['id']}/eligible")).json()) == 3
    await signed_in(client, "amara")
    (mine,) = (await client.get("/api/research/consents")).json()
    assert mine["status"] == "active" and mine["title"] == study["title"]
