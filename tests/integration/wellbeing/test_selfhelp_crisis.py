"""The self-help crisis path: crisis language in a thought record or an activity note is kept,
answered with the site's crisis resources, and opens an urgent alert to the patient's clinician
(acknowledgement deadline, escalation) whose reason quotes none of the text."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from careverse.kernel import clock
from careverse.kernel.config import DEFAULT_CRISIS_RESOURCES
from careverse.monitoring.escalation import escalate_due
from careverse.monitoring.streams import AlertStreams
from careverse.wellbeing.selfhelp_models import PlannedActivity, ThoughtRecord
from tests.integration.monitoring.alert_support import LONG_SESSIONS, alerts, team
from tests.integration.privacy.support import assign, audit_rows, count
from tests.integration.wellbeing.selfhelp_support import API, write

CRISIS_THOUGHT = "Everyone would be better off without me"


@pytest.fixture
def settings_overrides() -> dict:
    return LONG_SESSIONS


async def test_crisis_words_in_a_thought_record_alert_the_clinician(app, client, person):
    t = await team(client, person)
    async with app.state.runtime.get(AlertStreams).subscribe(t.clinician.id) as sub:
        written = await write(client, t.patient, automatic_thoughts=["I'm useless", CRISIS_THOUGHT])
        message = await asyncio.wait_for(sub.get(), 1)
    crisis = written["crisis"]
    assert crisis["care_team_alerted"] is True and crisis["offer_cssrs"] is True
    assert crisis["resources"]["text"] == DEFAULT_CRISIS_RESOURCES["en"].text
    # Nothing deleted: the record is stored as written.
    listed = (await client.get(f"{API}/thought-records", headers=t.patient.headers)).json()
    assert listed["records"][0]["automatic_thoughts"][1] == CRISIS_THOUGHT
    assert await count(app, ThoughtRecord) == 1

    (alert,) = await alerts(client, t.clinician)
    assert message.change == "opened" and str(message.alert_id) == alert["id"]
    assert (alert["source"], alert["severity"], alert["status"]) == ("wellbeing", "high", "open")
    assert alert["title"] == "Self-help crisis signal: contact the patient now"
    assert alert["why"] == (
        "Self-help: the patient's words in a thought record screened positive for suicide language"
    )
    assert "better off" not in alert["why"].lower() and "useless" not in alert["title"].lower()
    deadline = datetime.fromisoformat(alert["acknowledge_by"])
    assert deadline - datetime.fromisoformat(alert["opened_at"]) == timedelta(minutes=15)
    audited = await audit_rows(app, action="wellbeing.crisis")
    assert [r.resource_id for r in audited] == [written["id"]] and audited[0].detail is None


async def test_an_activity_note_alert_escalates_unless_acknowledged(
    app, client, person, fake_clock
):
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    r = await client.post(
        f"{API}/activities",
        json={"title": "Walk", "category": "pleasure", "planned_for": clock.now().isoformat()},
        headers=t.patient.headers,
    )
    assert r.status_code == 201 and r.json()["crisis"] is None
    assert await alerts(client, t.clinician) == []
    r = await client.patch(
        f"{API}/activities/{r.json()['id']}",
        json={"done": True, "mood_before": 2, "mood_after": 2, "note": "I want to die"},
        headers=t.patient.headers,
    )
    assert r.status_code == 200 and r.json()["crisis"]["care_team_alerted"] is True
    assert r.json()["note"] == "I want to die" and await count(app, PlannedActivity) == 1
    (alert,) = await alerts(client, t.clinician)
    assert alert["why"] == (
        "Self-help: the patient's words in an activity note screened positive for suicide language"
    )
    db, settings = app.state.runtime.db, app.state.runtime.settings
    fake_clock.advance(minutes=16)
    assert await escalate_due(db, settings) == 1
    (escalated,) = await alerts(client, second)
    assert escalated["id"] == alert["id"] and escalated["escalated_to"] == str(second.id)


async def test_ordinary_words_raise_nothing_and_a_patient_without_a_team_still_sees_help(
    client, person
):
    alone = await person("patient")
    calm = await write(client, alone)
    assert calm["crisis"] is None
    flagged = await write(client, alone, situation="I keep thinking about killing myself")
    assert flagged["crisis"]["care_team_alerted"] is False
    assert flagged["crisis"]["resources"]["phone"]
