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


async def _sign_in(client, local: str) -> None:
    client.cookies.clear()
    response = await client.post(
        "/api/auth/session",
        json={"email": f"{local}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
    )
    assert response.status_code == 200, response.text


async def test_demo_patient_sees_and_may_enter_a_space_of_each_kind(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:  # seeding again adds none
        await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "amara")
    spaces = (await client.get("/api/spaces")).json()
    assert sorted(s["template"] for s in spaces) == sorted(
        ["clinic-lobby", "support-circle", "therapy-garden", "gallery", "training-lab", "rehab-gym",
         "mindfulness", "therapy-room"]  # her therapist's session room: once, seeded twice
    )  # fmt: skip
    for space in spaces:
        assert (await client.get(f"/api/spaces/{space['id']}")).status_code == 200


async def test_an_earlier_demos_weekday_hours_are_widened(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "dr.rivera")
    csrf = {"X-CSRF-Token": client.cookies.get("cv_csrf")}
    old = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
    body = {"time_zone": "Europe/London", "weekly": old}
    response = await client.put("/api/care/availability", json=body, headers=csrf)
    assert response.status_code == 200, response.text
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    hours = (await client.get("/api/care/availability")).json()["weekly"]
    assert len(hours) == 7
    assert {(h["start"], h["end"]) for h in hours} == {("00:00", "24:00")}
    # Hours a clinician set themselves are theirs: seeding leaves them alone.
    mine = {
        "time_zone": "Europe/London",
        "weekly": [{"weekday": 2, "start": "10:00", "end": "12:00"}],
    }
    assert (await client.put("/api/care/availability", json=mine, headers=csrf)).status_code == 200
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    assert len((await client.get("/api/care/availability")).json()["weekly"]) == 1


async def test_demo_patient_has_questionnaire_results_and_an_acknowledged_crisis_alert(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "amara")
    results = (await client.get("/api/wellbeing/me/results")).json()["results"]
    assert [r["instrument"] for r in results] == ["phq9", "phq9", "gad7", "who5"]
    await _sign_in(client, "dr.rivera")
    crisis = [
        a
        for a in (await client.get("/api/monitoring/alerts")).json()["alerts"]
        if a["source"] == "wellbeing"
    ]
    assert len(crisis) == 1
    assert crisis[0]["status"] == "acknowledged"
    assert crisis[0]["patient_name"] == "Amara Nwosu"


async def test_demo_conversations_and_notifications(app, client):
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "amara")
    threads = (await client.get("/api/messages/threads")).json()["threads"]
    assert [t["subject"] for t in threads] == ["Swollen ankles"]
    thread = (await client.get(f"/api/messages/threads/{threads[0]['id']}")).json()
    assert [m["side"] for m in thread["messages"]] == ["patient", "care_team", "patient"]
    titles = [n["title"] for n in (await client.get("/api/me/notifications")).json()]
    assert titles.count("Welcome to Careverse") == 1
    assert "New message from your care team" in titles
    await _sign_in(client, "dr.rivera")
    waiting = (await client.get("/api/messages/threads", params={"triage": "unassigned"})).json()[
        "threads"
    ]
    assert [(t["patient_name"], t["subject"]) for t in waiting] == [
        ("Jonas Berg", "Repeat prescription")
    ]
    mine = (await client.get("/api/messages/threads", params={"triage": "mine"})).json()
    assert [t["subject"] for t in mine["threads"]] == ["Swollen ankles"]


async def test_demo_communities_have_threads_and_hide_the_professional_one(app, client):
    for _ in range(2):  # seeding again adds nothing
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "maria")
    listed = (await client.get("/api/community/communities")).json()["communities"]
    slugs = {c["slug"] for c in listed}
    assert {"type-2-diabetes", "long-covid", "chronic-pain", "caregivers"} <= slugs
    assert "case-discussion" not in slugs
    threads = (await client.get("/api/community/communities/type-2-diabetes/threads")).json()
    assert len(threads["threads"]) == 2
    await _sign_in(client, "dr.okafor")
    pro = (await client.get("/api/community/communities/case-discussion/threads")).json()
    (thread,) = pro["threads"]
    page = (await client.get(f"/api/community/threads/{thread['id']}")).json()
    assert [p["author"]["badge"] for p in page["posts"]] == ["verified_professional"] * 2


async def test_demo_library_items_and_marked_posts(app, client):
    for _ in range(2):  # seeding again adds nothing
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "maria")
    library = (await client.get("/api/community/communities/type-2-diabetes/library")).json()
    assert sorted(i["kind"] for i in library["items"]) == ["article", "infographic", "module"]
    assert all(i["state"] == "published" and i["reviewed_by"] for i in library["items"])
    threads = (await client.get("/api/community/communities/type-2-diabetes/threads")).json()
    verdicts = []
    for thread in threads["threads"]:
        marks = await client.get(f"/api/community/threads/{thread['id']}/quality-marks")
        verdicts += [m["verdict"] for m in marks.json()["marks"]]
    assert sorted(verdicts) == ["contradicts", "reviewed"]
