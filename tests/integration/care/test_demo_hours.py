"""``careverse demo`` gives its clinicians weekday hours: a new user can book at once."""

from __future__ import annotations

from careverse import demo
from tests.integration.care.support import MONDAY


async def test_demo_clinicians_have_free_slots(app, client, fake_clock):
    fake_clock.now = MONDAY
    async with app.state.runtime.db.session() as session:
        await demo.seed(session, app.state.runtime.settings)
    signed = await client.post(
        "/api/auth/session",
        json={"email": f"jonas@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
    )
    assert signed.status_code == 200
    csrf = {"X-CSRF-Token": client.cookies.get("cv_csrf")}
    cards = (await client.get("/api/care/clinicians")).json()
    demo_names = {p.name for p in demo.PEOPLE if p.role.value == "clinician"}
    assert {c["name"] for c in cards} >= demo_names
    card = next(c for c in cards if c["name"] in demo_names)
    assert card["time_zone"] == "Europe/London"
    assert card["next_free_slot"]["start"] == "2026-03-23T09:00:00Z"
    made = await client.post(
        "/api/care/appointments",
        json={"clinician_id": card["id"], "start": card["next_free_slot"]["start"]},
        headers=csrf,
    )
    assert made.status_code == 201, made.text
