"""The crisis path: PHQ-9 item 9 or any C-SSRS risk answers with the site's crisis resources and
opens an urgent alert, with its reason and acknowledgement deadline, that escalates."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from careverse.kernel.config import DEFAULT_CRISIS_RESOURCES
from careverse.monitoring.escalation import escalate_due
from careverse.monitoring.streams import AlertStreams
from tests.integration.monitoring.alert_support import LONG_SESSIONS, alerts, team
from tests.integration.privacy.support import assign, audit_rows
from tests.integration.wellbeing.support import PHQ9_CALM, submit

ITEM9_SEVERAL_DAYS = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
def settings_overrides() -> dict:
    return {
        **LONG_SESSIONS,
        "wellbeing_crisis_resources": {
            "en": DEFAULT_CRISIS_RESOURCES["en"].model_dump(),
            "fr": {"text": "Vous n'êtes pas seul·e.", "phone": "3114", "url": "https://3114.fr"},
        },
    }


async def test_item9_shows_crisis_resources_and_alerts_the_clinician(app, client, person):
    t = await team(client, person)
    async with app.state.runtime.get(AlertStreams).subscribe(t.clinician.id) as sub:
        answered = await submit(client, t.patient, "phq9", ITEM9_SEVERAL_DAYS)
        message = await asyncio.wait_for(sub.get(), 1)
    crisis = answered["crisis"]
    assert crisis["offer_cssrs"] is True and crisis["care_team_alerted"] is True
    assert crisis["resources"]["text"] == DEFAULT_CRISIS_RESOURCES["en"].text
    assert crisis["resources"]["phone"] and crisis["resources"]["language"] == "en"
    assert answered["flags"] == ["phq9-item9"] and answered["band"] == "minimal"

    (alert,) = await alerts(client, t.clinician)
    assert message.change == "opened" and str(message.alert_id) == alert["id"]
    assert (alert["source"], alert["severity"], alert["status"]) == ("wellbeing", "high", "open")
    assert alert["why"] == "PHQ-9 item 9 answered 'several days'"
    opened = datetime.fromisoformat(alert["opened_at"])
    deadline = datetime.fromisoformat(alert["acknowledge_by"])
    assert deadline - opened == timedelta(minutes=15)  # alert_escalation_minutes

    crisis_audit = await audit_rows(app, action="wellbeing.crisis")
    assert [r.resource_id for r in crisis_audit] == [answered["id"]]
    assert crisis_audit[0].detail is None  # the audit names the path taken, not the answers
    opened_audit = await audit_rows(app, action="alert.open", resource_id=alert["id"])
    assert opened_audit and opened_audit[0].patient_id == t.patient.patient_id


async def test_the_crisis_alert_escalates_unless_acknowledged(app, client, person, fake_clock):
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    await submit(client, t.patient, "phq9", [None, None, None, None, None, None, None, None, 3])
    (alert,) = await alerts(client, t.clinician)
    assert alert["why"] == "PHQ-9 item 9 answered 'nearly every day'"
    db, settings = app.state.runtime.db, app.state.runtime.settings

    fake_clock.advance(minutes=14)
    assert await escalate_due(db, settings) == 0
    fake_clock.advance(minutes=2)
    assert await escalate_due(db, settings) == 1
    (escalated,) = await alerts(client, second)
    assert escalated["id"] == alert["id"] and escalated["escalated_to"] == str(second.id)

    # Acknowledged in time, a second crisis alert does not escalate.
    await submit(client, t.patient, "cssrs", {"q1": True, "q2": False, "q6": False})
    fresh = [a for a in await alerts(client, t.clinician) if a["id"] != alert["id"]]
    assert len(fresh) == 1 and fresh[0]["acknowledge_by"]
    r = await client.post(
        f"/api/monitoring/alerts/{fresh[0]['id']}/acknowledge", headers=t.clinician.headers
    )
    assert r.status_code == 200 and r.json()["acknowledge_by"] is None
    fake_clock.advance(minutes=30)
    assert await escalate_due(db, settings) == 0


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ({"q1": True, "q2": False, "q6": False}, "low risk (yes to question 1"),
        (
            {"q1": True, "q2": True, "q3": True, "q4": False, "q5": False, "q6": False},
            "moderate risk (yes to question 3",
        ),
        (
            {"q1": False, "q2": False, "q6": True, "q6_past_3_months": True},
            "high risk (yes to question 6, suicidal behaviour within the past 3 months)",
        ),
    ],
)
async def test_any_cssrs_risk_takes_the_crisis_path(app, client, person, answers, why):
    t = await team(client, person)
    answered = await submit(client, t.patient, "cssrs", answers)
    assert answered["crisis"]["offer_cssrs"] is False  # it is the screener already
    (alert,) = await alerts(client, t.clinician)
    assert alert["why"].startswith("C-SSRS screener: ") and why in alert["why"]


async def test_no_risk_no_crisis(app, client, person):
    t = await team(client, person)
    for instrument, answers in (
        ("phq9", PHQ9_CALM),
        ("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]),  # severe, but item 9 not endorsed
        ("cssrs", {"q1": False, "q2": False, "q6": False}),
    ):
        assert (await submit(client, t.patient, instrument, answers))["crisis"] is None
    assert await alerts(client, t.clinician) == []
    assert await audit_rows(app, action="wellbeing.crisis") == []


async def test_crisis_resources_follow_the_language(client, person):
    patient = await person("patient")
    answered = await submit(
        client, patient, "phq9", ITEM9_SEVERAL_DAYS, **{"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    resources = answered["crisis"]["resources"]
    assert (resources["language"], resources["phone"]) == ("fr", "3114")
    assert answered["crisis"]["care_team_alerted"] is False  # no clinician yet
    other = await submit(client, patient, "phq9", ITEM9_SEVERAL_DAYS, **{"Accept-Language": "de"})
    assert other["crisis"]["resources"]["language"] == "en"


async def test_answers_never_reach_the_logs(client, person, json_logs):
    t = await team(client, person)
    await submit(client, t.patient, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    await alerts(client, t.clinician)
    logs = json_logs()
    assert "http.request" in logs
    for words in ("more than half the days", "item 9", "phq9-item9", "PHQ-9"):
        assert words not in logs


async def test_a_crisis_response_is_never_stored_without_its_alert(
    app, client, person, monkeypatch
):
    """The alert opens in the response's transaction: if it cannot, neither is stored."""
    from careverse.monitoring import wellbeing_alerts

    t = await team(client, person)

    async def broken(*args, **kwargs):
        raise RuntimeError("the alert could not be opened")

    monkeypatch.setattr(wellbeing_alerts, "apply_finding", broken)
    with pytest.raises(RuntimeError):  # the test transport re-raises what answered 500
        await client.post(
            "/api/wellbeing/responses",
            json={"instrument": "phq9", "answers": ITEM9_SEVERAL_DAYS},
            headers=t.patient.headers,
        )
    mine = await client.get("/api/wellbeing/me/results", headers=t.patient.headers)
    assert mine.json()["results"] == []
    assert await audit_rows(app, action="wellbeing.crisis") == []
