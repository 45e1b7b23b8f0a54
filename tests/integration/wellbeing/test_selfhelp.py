"""Self-help over HTTP: modules and progress, recommendations, thought records (encrypted,
shared on the patient's choice), the activity planner's week and summary; who may see what;
bad input answers 4xx and stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from careverse.kernel import clock
from careverse.wellbeing.selfhelp_models import PlannedActivity, ThoughtRecord
from tests.integration.privacy.support import assign, audit_rows, count, delegate
from tests.integration.wellbeing.selfhelp_support import API, thought_record, write


async def test_modules_progress_and_a_clinicians_recommendation(client, person):
    admin, clinician = await person("admin"), await person("clinician")
    patient = await person("patient")
    await assign(client, admin, clinician, patient)
    listed = (await client.get(f"{API}/modules", headers=patient.headers)).json()
    assert listed["modules"][0]["module"] == "low-mood"
    assert "mind-reading" in listed["thinking_traps"]

    r = await client.post(
        f"{API}/patients/{patient.patient_id}/recommendations", json={"module": "sleep"},
        headers=clinician.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    first = (await client.get(f"{API}/modules", headers=patient.headers)).json()["modules"][0]
    assert (first["module"], first["recommended"]) == ("sleep", True)

    sleep = (await client.get(f"{API}/modules/sleep", headers=patient.headers)).json()
    assert sleep["sources"] and [s["id"] for s in sleep["content"]] == ["how", "habits", "worry"]
    for i, section in enumerate(sleep["content"]):
        r = await client.post(
            f"{API}/modules/sleep/read", json={"section": section["id"]}, headers=patient.headers
        )
        assert r.status_code == 200
        assert r.json()["completed"] is (i == len(sleep["content"]) - 1)
    assert r.json()["sections_read"] == ["how", "habits", "worry"]

    summary = await client.get(
        f"{API}/patients/{patient.patient_id}/summary", headers=clinician.headers
    )
    assert summary.status_code == 200
    (progress,) = summary.json()["modules"]
    assert (progress["module"], progress["completed"], progress["recommended"]) == (
        "sleep", True, True,
    )  # fmt: skip

    # Unknown module or section: 404 / 422; a patient cannot recommend.
    assert (await client.get(f"{API}/modules/nope", headers=patient.headers)).status_code == 404
    r = await client.post(
        f"{API}/modules/sleep/read", json={"section": "nope"}, headers=patient.headers
    )
    assert r.status_code == 422 and "section" in r.text
    r = await client.post(
        f"{API}/patients/{patient.patient_id}/recommendations", json={"module": "nope"},
        headers=clinician.headers,
    )  # fmt: skip
    assert r.status_code == 422


async def test_a_thought_record_is_stored_encrypted_with_its_change(app, client, person):
    patient = await person("patient")
    written = await write(client, patient)
    assert written["shared"] is False and written["crisis"] is None
    assert written["change"] == [
        {"name": "anxious", "before": 85, "after": 35, "change": -50},
        {"name": "low", "before": 50, "after": 30, "change": -20},
    ]
    listed = (await client.get(f"{API}/thought-records", headers=patient.headers)).json()
    assert [r["id"] for r in listed["records"]] == [written["id"]]
    assert listed["records"][0]["balanced_thought"] == thought_record()["balanced_thought"]
    async with app.state.runtime.db.engine.connect() as conn:
        (stored,) = (await conn.execute(text("SELECT record FROM wellbeing_thought_records"))).all()
    assert "manager" not in stored[0] and "anxious" not in stored[0]
    assert await audit_rows(app, action="wellbeing.write", resource_type="ThoughtRecord")


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"emotions": [{"name": "sad", "intensity": 101}]}, "intensity"),
        ({"emotions": [{"name": "sad", "intensity": -1}]}, "intensity"),
        ({"emotions": [{"name": "sad", "intensity": "50"}]}, "intensity"),
        ({"emotions": []}, "emotions"),
        ({"situation": ""}, "situation"),
        ({"balanced_thought": "   "}, "balanced_thought"),
        ({"rerated": [{"name": "angry", "intensity": 10}]}, "rerated"),
        ({"hot_thought": 5}, "hot_thought"),
        ({"traps": ["doom"]}, "traps"),
        ({"mood": 3}, "mood"),
    ],
)
async def test_bad_thought_records_are_refused_with_the_field_named(
    app, client, person, changes, names
):
    patient = await person("patient")
    r = await client.post(
        f"{API}/thought-records", json=thought_record(**changes), headers=patient.headers
    )
    assert r.status_code == 422 and names in r.text
    assert "manager" not in r.text  # the patient's words are not echoed
    assert await count(app, ThoughtRecord) == 0


async def test_sharing_and_who_may_see_what(client, person):
    admin, clinician, stranger = (
        await person("admin"), await person("clinician"), await person("clinician"),
    )  # fmt: skip
    patient, other = await person("patient"), await person("patient")
    caregiver = await person("caregiver")
    await assign(client, admin, clinician, patient)
    private = await write(client, patient)
    shared = await write(client, patient, shared=True, situation="Missed the bus")
    url = f"{API}/patients/{patient.patient_id}/thought-records"
    seen = (await client.get(url, headers=clinician.headers)).json()["records"]
    assert [r["id"] for r in seen] == [shared["id"]]  # only what the patient shared
    r = await client.put(
        f"{API}/thought-records/{private['id']}/shared", json={"shared": True},
        headers=patient.headers,
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["shared"] is True
    assert len((await client.get(url, headers=clinician.headers)).json()["records"]) == 2

    summary = f"{API}/patients/{patient.patient_id}/summary"
    for outsider in (stranger, other, caregiver):
        assert (await client.get(url, headers=outsider.headers)).status_code == 404
        assert (await client.get(summary, headers=outsider.headers)).status_code == 404
    # Another patient cannot share (or find) this patient's record.
    r = await client.put(
        f"{API}/thought-records/{private['id']}/shared", json={"shared": False},
        headers=other.headers,
    )  # fmt: skip
    assert r.status_code == 404
    # A caregiver with wellbeing:read sees the summary, never the records' words.
    await delegate(client, patient, caregiver, ["wellbeing:read"])
    r = await client.get(summary, headers=caregiver.headers)
    assert r.status_code == 200
    assert (r.json()["thought_records"], r.json()["shared_thought_records"]) == (2, 2)
    assert "bus" not in r.text and "manager" not in r.text
    assert (await client.get(url, headers=caregiver.headers)).status_code == 404
    r = await client.post(
        f"{API}/patients/{patient.patient_id}/recommendations", json={"module": "sleep"},
        headers=caregiver.headers,
    )  # fmt: skip
    assert r.status_code == 403  # the policy's answer: may read, may not write
    # Only a patient writes a thought record.
    r = await client.post(
        f"{API}/thought-records", json=thought_record(), headers=clinician.headers
    )
    assert r.status_code == 403


async def test_the_activity_planner_week_and_summary(app, client, person):
    admin, clinician = await person("admin"), await person("clinician")
    patient, other = await person("patient"), await person("patient")
    await assign(client, admin, clinician, patient)
    now = clock.now()
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    plans = [
        ("Walk in the park", "pleasure", now - timedelta(hours=3)),
        ("Pay the gas bill", "necessary", now - timedelta(hours=2)),
        ("Call my sister", "values", now + timedelta(days=8)),  # next week
    ]
    ids = []
    for title, category, when in plans:
        r = await client.post(
            f"{API}/activities",
            json={"title": title, "category": category, "planned_for": when.isoformat()},
            headers=patient.headers,
        )
        assert r.status_code == 201, r.text
        assert r.json()["done"] is False and r.json()["crisis"] is None
        ids.append(r.json()["id"])
    r = await client.patch(
        f"{API}/activities/{ids[0]}",
        json={"done": True, "mood_before": 3, "mood_after": 6, "pleasure": 7, "mastery": 4},
        headers=patient.headers,
    )
    assert r.status_code == 200 and r.json()["mood_after"] == 6
    start = monday if now - timedelta(hours=3) >= monday else monday - timedelta(days=7)
    week = await client.get(
        f"{API}/activities", params={"start": start.isoformat()}, headers=patient.headers
    )
    assert week.status_code == 200, week.text
    body = week.json()
    titles = [a["title"] for a in body["activities"]]
    assert "Walk in the park" in titles and "Call my sister" not in titles
    pleasure = next(c for c in body["summary"]["categories"] if c["category"] == "pleasure")
    assert pleasure["done"] == 1 and pleasure["mood_change_mean"] == 3.0

    summary = (
        await client.get(f"{API}/patients/{patient.patient_id}/summary", headers=clinician.headers)
    ).json()["activities"]
    assert (summary["due"], summary["done"], summary["adherence"]) == (2, 1, 0.5)
    async with app.state.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT detail FROM wellbeing_activities"))).all()
    assert rows and all("Walk" not in row[0] and "mood" not in row[0] for row in rows)

    # Refusals: another patient's activity 404; ratings out of range, a bad category, a time
    # without offset 422; nothing changes.
    r = await client.patch(f"{API}/activities/{ids[1]}", json={"done": True}, headers=other.headers)
    assert r.status_code == 404
    for bad in ({"done": True, "mood_before": 11}, {"done": True, "pleasure": -1}, {"done": "x"}):
        r = await client.patch(f"{API}/activities/{ids[1]}", json=bad, headers=patient.headers)
        assert r.status_code == 422, bad
    for bad in (
        {"title": "x", "category": "chores", "planned_for": now.isoformat()},
        {"title": "x", "category": "routine", "planned_for": "2026-12-01T10:00:00"},
        {"title": " ", "category": "routine", "planned_for": now.isoformat()},
    ):
        r = await client.post(f"{API}/activities", json=bad, headers=patient.headers)
        assert r.status_code == 422, bad
    assert await count(app, PlannedActivity) == 3
    r = await client.get(f"{API}/activities", params={"start": "2026-12-01T00:00:00"},
                         headers=patient.headers)  # fmt: skip
    assert r.status_code == 422
