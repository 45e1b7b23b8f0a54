"""The demo's mentoring: two approved mentors and Jonas mentored by Lucía, with a meeting and a
message; seeding again adds nothing."""

from __future__ import annotations

from careverse import demo
from tests.integration.groups.test_demo import signed_in


async def test_demo_mentoring(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)  # again: nothing new
    await signed_in(client, "jonas")
    r = await client.get("/api/mentoring/relationships")
    (rel,) = r.json()["relationships"]
    assert (rel["my_side"], rel["other"], rel["status"]) == ("mentee", "Lucía Fernández", "active")
    assert "condition" in rel["reasons"]
    r = await client.get(f"/api/mentoring/relationships/{rel['id']}")
    detail = r.json()
    assert len(detail["meetings"]) == 1 and len(detail["messages"]) == 1
    await signed_in(client, "amara")
    (mine,) = (await client.get("/api/mentoring/me")).json()["mentors"]
    assert mine["status"] == "approved" and mine["trained"] is True
    # Volunteering: Maria's two hours as a lobby greeter wait for Sam (the organiser).
    await signed_in(client, "sam")
    board = (await client.get("/api/volunteering/opportunities")).json()["opportunities"]
    greeter = next(o for o in board if o["title"] == "Greeter in the clinic lobby")
    assert greeter["organiser"] is True and len(board) == 2
    r = await client.get(f"/api/volunteering/opportunities/{greeter['id']}/hours")
    assert [(h["volunteer"], h["minutes"], h["status"]) for h in r.json()["hours"]] == [
        ("Maria Santos", 120, "logged")]  # fmt: skip
