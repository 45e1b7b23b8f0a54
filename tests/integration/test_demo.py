"""The demo data: every printed login works, the care team is wired, and seeding is repeatable."""

from __future__ import annotations

from careverse import demo


async def test_every_demo_login_signs_in(app, client):
    async with app.state.runtime.db.session() as session:
        people = await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        assert len(await demo.seed(session, app.state.runtime.settings)) == len(people)
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


async def test_demo_care_team_reaches_its_patients_only(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)

    async def names_seen_by(local: str) -> set[str]:
        await client.post(
            "/api/auth/session",
            json={"email": f"{local}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
        )
        names = {p["name"] for p in (await client.get("/api/patients")).json()}
        client.cookies.clear()
        return names

    assert await names_seen_by("dr.rivera") == {"Amara Nwosu", "Jonas Berg"}
    assert await names_seen_by("dr.okafor") == {"Lucía Fernández"}
    assert await names_seen_by("maria") == {"Amara Nwosu"}
    assert await names_seen_by("sam") == set()
