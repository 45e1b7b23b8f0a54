"""Questionnaire schedules: a clinician asks, the patient is reminded once per due time, an
answer moves the next due time; who may; bad input; the minimal clinically important change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careverse.wellbeing.schedules import REMINDER_TITLE, remind_due_once
from tests.integration.monitoring.alert_support import team
from tests.integration.privacy.support import assign, audit_rows, delegate
from tests.integration.wellbeing.support import PHQ9_CALM, submit

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 90 * 24 * 3600}  # the clock moves by weeks


@pytest.fixture(autouse=True)
def monday(fake_clock):
    fake_clock.now = NOW
    return fake_clock


async def schedule(client, clinician, patient, status: int = 201, **body) -> dict:
    r = await client.post(
        f"/api/wellbeing/patients/{patient.patient_id}/schedules",
        json={"instrument": "phq9", "every_days": 14, **body},
        headers=clinician.headers,
    )
    assert r.status_code == status, r.text
    return r.json()


async def due_reminders(client, patient) -> list[dict]:
    r = await client.get("/api/me/notifications", headers=patient.headers)
    assert r.status_code == 200, r.text
    return [n for n in r.json() if n["kind"] == "wellbeing.due"]


async def mine(client, patient) -> list[dict]:
    r = await client.get("/api/wellbeing/me/schedules", headers=patient.headers)
    assert r.status_code == 200, r.text
    return r.json()["schedules"]


async def test_reminded_once_per_due_time_and_an_answer_sets_the_next(app, client, person, monday):
    t = await team(client, person)
    first_due = NOW + timedelta(days=1)
    made = await schedule(client, t.clinician, t.patient, first_due=first_due.isoformat())
    assert (made["title"], made["every_days"], made["due"]) == ("PHQ-9", 14, False)
    db = app.state.runtime.db

    assert await remind_due_once(db) == 0  # not due yet
    monday.now = first_due
    assert await remind_due_once(db) == 1
    assert await remind_due_once(db) == 0  # once per due time, however often the job runs
    (reminder,) = await due_reminders(client, t.patient)
    assert reminder["title"] == REMINDER_TITLE and "PHQ-9" not in reminder["title"]
    assert reminder["link"] == "/wellbeing"
    (row,) = await mine(client, t.patient)
    assert row["due"] is True

    # Answered two hours late: the next one is due 14 days after the answer, not the due time.
    monday.now = first_due + timedelta(hours=2)
    await submit(client, t.patient, "phq9", PHQ9_CALM)
    (row,) = await mine(client, t.patient)
    assert row["due"] is False
    assert datetime.fromisoformat(row["next_due_at"]) == monday.now + timedelta(days=14)
    monday.now += timedelta(days=13, hours=23)
    assert await remind_due_once(db) == 0
    monday.now += timedelta(hours=1)
    assert await remind_due_once(db) == 1
    assert len(await due_reminders(client, t.patient)) == 2

    # Ended: no more reminders, and the patient no longer sees it.
    r = await client.delete(f"/api/wellbeing/schedules/{made['id']}", headers=t.clinician.headers)
    assert r.status_code == 204, r.text
    again = await client.delete(
        f"/api/wellbeing/schedules/{made['id']}", headers=t.clinician.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "schedule_ended"
    monday.now += timedelta(days=30)
    assert await remind_due_once(db) == 0
    assert await mine(client, t.patient) == []
    actions = [r.action for r in await audit_rows(app, patient_id=t.patient.patient_id)]
    assert "wellbeing.schedule_assign" in actions and "wellbeing.schedule_end" in actions


async def test_only_the_patients_clinicians_schedule_and_read(client, person):
    t = await team(client, person)
    stranger = await person("clinician")
    caregiver = await person("caregiver")
    await delegate(client, t.patient, caregiver, ["wellbeing:read"])
    path = f"/api/wellbeing/patients/{t.patient.patient_id}/schedules"
    body = {"instrument": "gad7", "every_days": 7}
    assert (await client.post(path, json=body, headers=stranger.headers)).status_code == 404
    assert (await client.post(path, json=body, headers=t.patient.headers)).status_code == 403
    assert (await client.post(path, json=body, headers=caregiver.headers)).status_code == 403
    made = await schedule(client, t.clinician, t.patient, instrument="gad7", every_days=7)
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    r = await client.get(path, headers=caregiver.headers)  # a wellbeing delegation reads it
    assert r.status_code == 200 and [s["id"] for s in r.json()["schedules"]] == [made["id"]]
    end = f"/api/wellbeing/schedules/{made['id']}"
    assert (await client.delete(end, headers=stranger.headers)).status_code == 404
    # A second clinician assigned to the patient may end it.
    await assign(client, t.admin, stranger, t.patient)
    assert (await client.delete(end, headers=stranger.headers)).status_code == 204


async def test_bad_schedules_are_refused_and_nothing_is_lost(client, person):
    t = await team(client, person)
    kept = await schedule(client, t.clinician, t.patient)
    dup = await schedule(client, t.clinician, t.patient, status=409, every_days=7)
    assert dup["code"] == "already_scheduled"
    for bad in (
        {"every_days": 0},
        {"every_days": 366},
        {"every_days": "often"},
        {"instrument": "bdi"},
        {"first_due": "2026-05-04T09:00:00"},  # no time zone
        {"first_due": (NOW - timedelta(days=2)).isoformat()},
        {"first_due": (NOW + timedelta(days=400)).isoformat()},
        {"extra": 1},
    ):
        r = await client.post(
            f"/api/wellbeing/patients/{t.patient.patient_id}/schedules",
            json={"instrument": "gad7", "every_days": 14, **bad},
            headers=t.clinician.headers,
        )
        assert r.status_code == 422, (bad, r.text)
    r = await client.delete("/api/wellbeing/schedules/not-a-uuid", headers=t.clinician.headers)
    assert r.status_code == 422
    (row,) = await mine(client, t.patient)
    assert row["id"] == kept["id"] and row["every_days"] == 14


async def test_results_mark_a_clinically_important_change_from_the_baseline(client, person, monday):
    patient = await person("patient")
    for answers in (
        [2, 2, 2, 2, 2, 1, 1, 0, 0],
        [2, 2, 1, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1, 0, 0, 0],
    ):
        monday.advance(days=14)
        await submit(client, patient, "phq9", answers)  # totals 12, 9 (-3), 6 (-6)
    for answers in ([1, 1, 1, 1, 1], [2, 2, 2, 2, 2]):
        monday.advance(days=14)
        await submit(client, patient, "who5", answers)  # 20 %, 40 %: higher is better
    r = await client.get("/api/wellbeing/me/results", headers=patient.headers)
    changes = [(x["instrument"], x["change"]) for x in r.json()["results"]]
    assert changes == [
        ("phq9", None), ("phq9", None), ("phq9", "improved"), ("who5", None), ("who5", "improved"),
    ]  # fmt: skip
    r = await client.get("/api/wellbeing/instruments", headers=patient.headers)
    mcid = {i["code"]: (i["mcid"], i["higher_is_better"]) for i in r.json()["instruments"]}
    assert mcid["phq9"] == (5, False) and mcid["gad7"] == (4, False)
    assert mcid["who5"] == (10, True) and mcid["phq2"] == (None, False)


async def test_a_scheduled_questionnaire_past_due_is_overdue_on_the_clinicians_list(
    client, person, monday
):
    t = await team(client, person)
    await schedule(client, t.clinician, t.patient, first_due=(NOW + timedelta(days=1)).isoformat())

    async def overdue() -> int:
        r = await client.get("/api/care/patients", headers=t.clinician.headers)
        assert r.status_code == 200, r.text
        (row,) = r.json()["patients"]
        return row["overdue_questionnaires"]

    assert await overdue() == 0  # never answered, but not due yet
    monday.advance(days=1)
    assert await overdue() == 1
    await submit(client, t.patient, "phq9", PHQ9_CALM)
    assert await overdue() == 0  # answered: due again in 14 days
