"""``careverse demo`` gives its clinicians hours all day, every day: a new user can book at once,
whenever the demo is started."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careverse import demo

SATURDAY_NIGHT = datetime(2026, 3, 28, 23, 2, tzinfo=UTC)  # outside any office's hours
MONDAY_DAWN = datetime(2026, 3, 23, 5, 32, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "first_slot"),
    [(SATURDAY_NIGHT, "2026-03-28T23:15:00Z"), (MONDAY_DAWN, "2026-03-23T05:45:00Z")],
)
async def test_demo_clinicians_have_free_slots(app, client, fake_clock, now, first_slot):
    fake_clock.now = now
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
    assert card["next_free_slot"]["start"] == first_slot
    made = await client.post(
        "/api/care/appointments",
        json={"clinician_id": card["id"], "start": card["next_free_slot"]["start"]},
        headers=csrf,
    )
    assert made.status_code == 201, made.text
