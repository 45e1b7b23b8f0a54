"""Escalation's record of what it did: the audit rows, the on-call clinician's short access, what
is logged when nobody can take an alert, and an alert acknowledged after its claim. (When and to
whom alerts escalate, and claims between nodes: test_alerts.py and test_scheduler.py.)"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from careverse.identity.models import CareRelationship
from careverse.kernel import clock
from careverse.kernel.uow import unit_of_work
from careverse.monitoring import escalation
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.escalation import escalate_due
from tests.integration.monitoring.alert_support import add_rule, alerts, send, team, vital
from tests.integration.privacy.support import assign, audit_rows

WEIGHT = "29463-7"


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 7 * 24 * 3600}  # the clock moves by a day


class Logged(list):
    """Stands in for the escalation module's logger: (level, event, fields) in order."""

    def error(self, event: str, **fields) -> None:
        self.append(("error", event, fields))

    def warning(self, event: str, **fields) -> None:
        self.append(("warning", event, fields))


async def one_alert(app, client, t) -> dict:
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))
    (alert,) = await alerts(client, t.clinician)
    return alert


async def relationships(app, clinician_id) -> list[CareRelationship]:
    async with app.state.runtime.db.session() as session:
        query = select(CareRelationship).where(CareRelationship.clinician_id == clinician_id)
        return list((await session.scalars(query)).all())


@pytest.mark.parametrize("oncall", [None, "not-a-uuid", "the patient"])
async def test_an_alert_nobody_can_take_is_audited_as_not_escalated(
    app, client, person, fake_clock, monkeypatch, oncall
):
    t = await team(client, person)  # one clinician; on-call unset, invalid or not a clinician
    alert = await one_alert(app, client, t)
    oncall = str(t.patient.id) if oncall == "the patient" else oncall
    settings = app.state.runtime.settings.model_copy(update={"alert_oncall_account_id": oncall})
    monkeypatch.setattr(escalation, "log", logged := Logged())
    fake_clock.advance(minutes=16)
    assert await escalate_due(app.state.runtime.db, settings) == 0
    because = {None: [], "not-a-uuid": [("error", "monitoring.oncall_invalid", {})]}.get(
        oncall, [("error", "monitoring.oncall_not_a_clinician", {})]
    )
    assert logged == [
        *because,
        ("warning", "monitoring.escalation_no_target", {"alert_id": alert["id"]}),
    ]
    (row,) = await audit_rows(app, action="alert.escalate")
    assert (row.outcome, row.actor_id, row.actor_role, row.patient_id, row.resource_type,
            row.resource_id, json.loads(row.detail)) == (
        "failure", None, "system", t.patient.patient_id, "Alert", alert["id"],
        {"reason": "no_target"},
    )  # fmt: skip
    r = await client.get(f"/api/monitoring/alerts/{alert['id']}", headers=t.clinician.headers)
    assert r.json()["escalated_to"] is None


async def test_an_escalation_is_audited_and_gives_the_on_call_clinician_a_days_access(
    app, client, person, fake_clock
):
    t = await team(client, person)
    oncall = await person("clinician")
    alert = await one_alert(app, client, t)
    settings = app.state.runtime.settings.model_copy(
        update={"alert_oncall_account_id": str(oncall.id)}
    )
    fake_clock.advance(minutes=16)
    escalated_at = clock.now()
    assert await escalate_due(app.state.runtime.db, settings) == 1
    (row,) = await audit_rows(app, action="alert.escalate")
    assert (row.outcome, row.actor_id, row.actor_role, row.patient_id, row.resource_type,
            row.resource_id, json.loads(row.detail)) == (
        "success", None, "system", t.patient.patient_id, "Alert", alert["id"],
        {"to": str(oncall.id)},
    )  # fmt: skip
    (access,) = await relationships(app, oncall.id)
    assert (access.patient_id, access.kind, access.source_id, access.revoked_at) == (
        t.patient.patient_id, "escalation", alert["id"], None,
    )  # fmt: skip
    assert clock.as_utc(access.ends_at) == escalated_at + timedelta(hours=24)

    url = f"/api/monitoring/alerts/{alert['id']}"
    fake_clock.advance(hours=24, seconds=-1)
    assert (await client.get(url, headers=oncall.headers)).status_code == 200
    fake_clock.advance(seconds=1)
    assert (await client.get(url, headers=oncall.headers)).status_code == 404


async def test_a_care_team_clinician_escalated_to_gets_no_second_relationship(
    app, client, person, fake_clock
):
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    alert = await one_alert(app, client, t)
    before = [(r.kind, r.patient_id) for r in await relationships(app, second.id)]
    fake_clock.advance(minutes=16)
    assert await escalate_due(app.state.runtime.db, app.state.runtime.settings) == 1
    assert [(r.kind, r.patient_id) for r in await relationships(app, second.id)] == before
    (row,) = await audit_rows(app, action="alert.escalate")
    assert (row.resource_id, json.loads(row.detail)) == (alert["id"], {"to": str(second.id)})


async def test_an_alert_acknowledged_after_it_was_claimed_is_not_escalated(app, client, person):
    t = await team(client, person)
    await assign(client, t.admin, second := await person("clinician"), t.patient)
    alert = await one_alert(app, client, t)
    r = await client.post(f"/api/monitoring/alerts/{alert['id']}/acknowledge",
                          headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    runtime = app.state.runtime
    async with runtime.db.session() as session, unit_of_work(session) as uow:
        escalated = await escalation._escalate(
            session, uow, runtime.settings, uuid.UUID(alert["id"]), clock.now()
        )
    assert escalated == 0
    assert await audit_rows(app, action="alert.escalate") == []
    r = await client.get(f"/api/monitoring/alerts/{alert['id']}", headers=second.headers)
    assert r.json()["escalated_to"] is None


async def test_an_escalation_that_fails_is_released_for_the_next_run_alone(
    app, client, person, fake_clock, monkeypatch
):
    t = await team(client, person)
    await assign(client, t.admin, second := await person("clinician"), t.patient)
    for value in (100, 90):
        await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                       value=value, severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))
    failing, other = (uuid.UUID(a["id"]) for a in await alerts(client, t.clinician))
    real = escalation.alert_changed

    async def breaks_for_one(session, alert, change):
        if alert.id == failing:
            raise RuntimeError("the stream is down")
        return await real(session, alert, change)

    monkeypatch.setattr(escalation, "alert_changed", breaks_for_one)
    monkeypatch.setattr(escalation, "log", logged := Logged())
    fake_clock.advance(minutes=16)
    db, settings = app.state.runtime.db, app.state.runtime.settings
    assert await escalate_due(db, settings) == 1
    assert logged == [("error", "monitoring.escalation_failed", {"error": "RuntimeError"})]
    async with db.session() as session:
        claims = dict((await session.execute(select(Alert.id, Alert.escalation_claimed_at))).all())
    assert claims[failing] is None and claims[other] is not None  # only the failed one released
    escalated = [r.resource_id for r in await audit_rows(app, action="alert.escalate")]
    assert escalated == [str(other)]

    monkeypatch.setattr(escalation, "alert_changed", real)
    assert await escalate_due(db, settings) == 1  # the next run escalates it, and only it
    escalated = [r.resource_id for r in await audit_rows(app, action="alert.escalate")]
    assert escalated == [str(other), str(failing)]
    r = await client.get(f"/api/monitoring/alerts/{failing}", headers=second.headers)
    assert r.json()["escalated_to"] == str(second.id)
