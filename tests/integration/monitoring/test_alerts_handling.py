"""A clinician's acknowledgement and resolution of an alert, as mutation testing found them
unpinned (docs/testing.md, "Mutation testing"): each is audited as a change of the patient's
vitals by that clinician on that alert, the resolver is kept, the resolution reaches the live
stream, and a resolved alert answers a 409 that says why."""

from __future__ import annotations

import asyncio
import uuid

from careverse.monitoring.alert_models import Alert
from careverse.monitoring.streams import AlertStreams
from tests.integration.monitoring.alert_support import add_rule, alerts, send, team, vital
from tests.integration.privacy.support import audit_rows, head_seq

WEIGHT = "29463-7"


async def _one_alert(app, client, person):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 104.2))
    (alert,) = await alerts(client, t.clinician)
    return t, alert


async def _audited(app, since: int, alert_id: str) -> list[tuple]:
    return [
        (row.action, row.outcome, row.actor_id, row.patient_id, row.resource_type)
        for row in await audit_rows(app, since, resource_id=alert_id)
    ]


async def test_acknowledging_is_audited_as_that_clinicians_change_to_that_alert(
    app, client, person
):
    t, alert = await _one_alert(app, client, person)
    since = await head_seq(app)
    r = await client.post(f"/api/monitoring/alerts/{alert['id']}/acknowledge",
                          headers=t.clinician.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    who, patient = t.clinician.id, t.patient.patient_id
    assert await _audited(app, since, alert["id"]) == [
        ("vitals.write", "success", who, patient, "Alert"),  # a change, not a read
        ("alert.acknowledge", "success", who, patient, "Alert"),
    ]


async def test_resolving_is_audited_keeps_the_resolver_and_reaches_the_stream(app, client, person):
    t, alert = await _one_alert(app, client, person)
    since = await head_seq(app)
    async with app.state.runtime.get(AlertStreams).subscribe(t.clinician.id) as sub:
        r = await client.post(f"/api/monitoring/alerts/{alert['id']}/resolve",
                              headers=t.clinician.headers)  # fmt: skip
        assert r.status_code == 200, r.text
        event = await asyncio.wait_for(sub.get(), 10)
    assert (event.change, event.status, str(event.alert_id)) == (
        "resolved",
        "resolved",
        alert["id"],
    )
    who, patient = t.clinician.id, t.patient.patient_id
    assert await _audited(app, since, alert["id"]) == [
        ("vitals.write", "success", who, patient, "Alert"),
        ("alert.resolve", "success", who, patient, "Alert"),
    ]
    async with app.state.runtime.db.session() as session:
        stored = await session.get(Alert, uuid.UUID(alert["id"]))
        assert stored is not None and stored.resolved_by == t.clinician.id


async def test_a_resolved_alert_refuses_acknowledgement_and_resolution_saying_why(
    app, client, person
):
    t, alert = await _one_alert(app, client, person)
    url = f"/api/monitoring/alerts/{alert['id']}"
    assert (await client.post(f"{url}/resolve", headers=t.clinician.headers)).status_code == 200
    for step in ("acknowledge", "resolve"):
        r = await client.post(f"{url}/{step}", headers=t.clinician.headers)
        assert r.status_code == 409
        assert r.json() == {"detail": "This alert is already resolved.", "code": "alert_resolved"}


async def test_an_alert_one_may_not_see_reads_exactly_like_one_that_does_not_exist(
    app, client, person
):
    _, alert = await _one_alert(app, client, person)
    stranger = await person("clinician")
    hidden = await client.get(f"/api/monitoring/alerts/{alert['id']}", headers=stranger.headers)
    missing = await client.get(f"/api/monitoring/alerts/{uuid.uuid4()}", headers=stranger.headers)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json() == missing.json()  # no oracle of which alert ids exist
