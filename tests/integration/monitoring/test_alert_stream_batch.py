"""The alert stream takes the changes waiting for it together: one read, one commit, each alert
sent once, in order, each audited as read; an alert the clinician may not see is neither sent
nor lost from the audit (its refusal is recorded)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator
from typing import cast

from careverse.kernel.policy import Actor, Role
from careverse.monitoring.events import AlertChanged
from careverse.monitoring.streams import AlertStreams, alert_events
from tests.integration.monitoring.alert_support import add_rule, alerts, send, team, vital
from tests.integration.privacy.support import audit_rows, head_seq

WEIGHT = "29463-7"


def frames(chunk: str) -> list[dict]:
    """The alerts of one chunk of server-sent events, in order."""
    found = []
    for frame in chunk.split("\n\n"):
        if frame.startswith("event: alert"):
            found.append(json.loads(frame.split("data: ", 1)[1]))
    return found


async def test_waiting_changes_are_sent_together_once_each_and_audited(app, client, person):
    t = await team(client, person)
    other = await team(client, person)
    for value, severity in ((100, "high"), (90, "medium"), (80, "low")):
        await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                       value=value, severity=severity)  # fmt: skip
    await add_rule(client, other.clinician, other.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high")  # fmt: skip
    await send(app, client, other.patient, vital(WEIGHT, 105))
    (foreign,) = await alerts(client, other.clinician)

    runtime = app.state.runtime
    streams = runtime.get(AlertStreams)
    actor = Actor(t.clinician.id, Role.CLINICIAN)
    events = cast(
        AsyncGenerator[str, None], alert_events(runtime.db, streams, runtime.settings, actor)
    )
    assert await anext(events) == ": connected\n\n"
    (subscription,) = streams._open[t.clinician.id]
    since = await head_seq(app)
    try:
        await send(app, client, t.patient, vital(WEIGHT, 105))  # three alerts open
        # A change of an alert the clinician may not see reaches their stream (as a stale
        # recipient list would): it must be refused, not sent.
        stale = AlertChanged(
            alert_id=uuid.UUID(foreign["id"]), patient_id=uuid.UUID(foreign["patient_id"]),
            change="updated", severity="high", status="open", recipients=(t.clinician.id,),
        )  # fmt: skip
        await streams.on_alert_changed(stale)
        for _ in range(200):  # the three opened changes arrive after their commit
            if subscription.queue.qsize() >= 4:
                break
            await asyncio.sleep(0.02)
        assert subscription.queue.qsize() == 4
        chunk = await asyncio.wait_for(anext(events), 5)  # all four taken at once
        assert subscription.queue.empty()
        sent = frames(chunk)
        listed = await alerts(client, t.clinician)
        own = {a["id"] for a in listed}
        (low,) = [a["id"] for a in listed if a["severity"] == "low"]
        assert len(sent) == 3 and {a["id"] for a in sent} == own
        assert all(a["change"] == "opened" and a["why"] for a in sent)
        assert all(a["patient_name"] and a["acknowledge_by"] for a in sent)

        # The next change comes alone: nothing of the batch is sent again.
        await send(app, client, t.patient, vital(WEIGHT, 85))  # the lowest rule fires again
        again = frames(await asyncio.wait_for(anext(events), 5))
        assert [(a["id"], a["change"]) for a in again] == [(low, "updated")]
    finally:
        await events.aclose()

    reads = await audit_rows(app, since, actor_id=t.clinician.id, action="vitals.read")
    shown = [  # the stream's reads (the alert list's are audited per patient, "via": "alerts")
        row for row in reads
        if row.outcome == "success" and row.resource_type == "Alert"
        and "via" not in (row.detail or "")
    ]  # fmt: skip
    assert sorted(str(row.resource_id) for row in shown[:3]) == sorted(own)
    assert [row.resource_id for row in shown[3:]] == [low]  # one read audited per alert sent
    assert all(row.detail and "care-relationship" in row.detail for row in shown)
    denied = [row for row in reads if row.outcome == "denied"]
    assert [row.resource_id for row in denied] == [foreign["id"]]
    assert all(row.patient_id == other.patient.patient_id for row in denied)
