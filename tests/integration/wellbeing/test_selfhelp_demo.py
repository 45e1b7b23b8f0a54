"""The demo patient's self-help (a recommended guide half read, one shared thought record and a
week of activities; seeding twice adds nothing; no crisis alert comes of it), and an erasure."""

from __future__ import annotations

from datetime import timedelta

from careverse import demo
from careverse.kernel import clock
from careverse.privacy.service import PrivacyService
from careverse.wellbeing.selfhelp_models import ModuleProgress, PlannedActivity, ThoughtRecord
from tests.integration.privacy.support import count
from tests.integration.wellbeing.selfhelp_support import API, write


async def _sign_in(client, local: str) -> None:
    client.cookies.clear()
    r = await client.post(
        "/api/auth/session",
        json={"email": f"{local}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
    )
    assert r.status_code == 200, r.text


async def test_the_demo_patient_has_self_help_to_show(app, client):
    for _ in range(2):
        async with app.state.runtime.db.session() as session:
            await demo.seed(session, app.state.runtime.settings)
    await _sign_in(client, "amara")
    first = (await client.get(f"{API}/modules")).json()["modules"][0]
    assert (first["module"], first["recommended"], first["completed"]) == ("low-mood", True, False)
    assert first["sections_read"] == ["what", "cycle"]
    (record,) = (await client.get(f"{API}/thought-records")).json()["records"]
    assert record["shared"] and record["change"][0]["change"] == -35
    start = (clock.now() - timedelta(days=7)).isoformat()
    week = (await client.get(f"{API}/activities", params={"start": start})).json()
    # Six in the last seven days (the seventh is tomorrow), five of them done.
    assert len(week["activities"]) == 6 and week["summary"]["done"] == 5
    await _sign_in(client, "dr.rivera")
    alerts = (await client.get("/api/monitoring/alerts")).json()["alerts"]
    assert not [a for a in alerts if "Self-help" in a["why"]]


async def test_an_erasure_removes_the_patients_self_help(app, client, person, fake_clock):
    patient, other = await person("patient"), await person("patient")
    for who in (patient, other):
        await write(client, who)
        r = await client.post(
            f"{API}/modules/sleep/read", json={"section": "how"}, headers=who.headers
        )
        assert r.status_code == 200
        r = await client.post(
            f"{API}/activities",
            json={"title": "Walk", "category": "pleasure", "planned_for": clock.now().isoformat()},
            headers=who.headers,
        )
        assert r.status_code == 201
    assert (await client.delete("/api/me", headers=patient.headers)).status_code == 202
    fake_clock.advance(days=app.state.runtime.settings.erasure_grace_days, seconds=1)
    async with app.state.runtime.db.session() as session:
        assert await PrivacyService(session, app.state.runtime.settings).erase_due() == 1
    for model in (ModuleProgress, ThoughtRecord, PlannedActivity):
        assert await count(app, model) == 1  # the other patient's only
        assert await count(app, model, model.patient_id == patient.patient_id) == 0
