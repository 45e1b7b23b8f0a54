"""The demo data: every printed login works in the browser sign-in, and seeding twice is harmless."""

from __future__ import annotations

from careverse import demo


async def test_every_demo_login_signs_in(app, client):
    async with app.state.db.session() as session:
        people = await demo.seed(session, app.state.settings)
    async with app.state.db.session() as session:
        assert len(await demo.seed(session, app.state.settings)) == len(people)
    roles = set()
    for person in people:
        response = await client.post(
            "/api/auth/session", json={"email": person.email, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 200, (person.email, response.text)
        account = response.json()["account"]
        assert account["role"] == person.role.value
        roles.add(account["role"])
    assert {"admin", "clinician", "patient", "caregiver", "moderator"} <= roles
