"""Alerts: lifecycle, de-duplication, escalation (claimed once per alert), webhook, live stream."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import text

from careverse.app import create_app
from careverse.identity.relationships import RelationshipService
from careverse.identity.service import IdentityService, NewAccount
from careverse.kernel import redis as redis_conn
from careverse.kernel.config import Settings
from careverse.kernel.db import Database
from careverse.kernel.policy import Actor, Role
from careverse.monitoring import webhook
from careverse.monitoring.escalation import escalate_due
from careverse.monitoring.streams import AlertStreams, alert_events
from tests.conftest import PASSWORD, REDIS_URL, TEST_KEYS, service_unavailable
from tests.integration.monitoring.alert_support import (
    LONG_SESSIONS,
    add_rule,
    alerts,
    send,
    team,
    vital,
    vitals_set,
)
from tests.integration.privacy.support import assign, audit_rows
from tests.support import serve_in_thread

SPO2, WEIGHT, HR, RR, TEMP = "59408-5", "29463-7", "8867-4", "9279-1", "8310-5"


async def test_open_acknowledge_resolve_and_who_may(app, client, person):
    t = await team(client, person)
    stranger = await person("clinician")
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 104.2))
    (alert,) = await alerts(client, t.clinician)
    url = f"/api/monitoring/alerts/{alert['id']}"

    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.post(f"{url}/acknowledge", headers=stranger.headers)).status_code == 404
    assert (await client.post(f"{url}/acknowledge", headers=t.patient.headers)).status_code == 403
    assert await alerts(client, stranger) == []

    r = await client.post(f"{url}/acknowledge", headers=t.clinician.headers)
    assert r.status_code == 200, r.text
    acked = r.json()
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == str(t.clinician.id)
    again = await client.post(f"{url}/acknowledge", headers=t.clinician.headers)
    assert again.json()["acknowledged_at"] == acked["acknowledged_at"]

    r = await client.post(f"{url}/resolve", headers=t.clinician.headers)
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert (await client.post(f"{url}/resolve", headers=t.clinician.headers)).status_code == 409
    assert (await client.post(f"{url}/acknowledge", headers=t.clinician.headers)).status_code == 409
    assert await alerts(client, t.clinician) == []
    assert [a["id"] for a in await alerts(client, t.clinician, "resolved")] == [alert["id"]]

    # The condition persists after resolution: a new alert, not the old one re-opened.
    await send(app, client, t.patient, vital(WEIGHT, 104.5))
    (fresh,) = await alerts(client, t.clinician)
    assert fresh["id"] != alert["id"]

    actions = [row.action for row in await audit_rows(app, resource_id=alert["id"])]
    assert actions[0] == "alert.open"
    assert {"alert.acknowledge", "alert.resolve", "vitals.read", "vitals.write"} <= set(actions)
    denied = await audit_rows(app, actor_id=stranger.id, outcome="denied")
    assert denied and all(row.patient_id == t.patient.patient_id for row in denied)


async def test_a_persisting_condition_updates_and_a_rise_reopens(app, client, person):
    t = await team(client, person)
    async with app.state.runtime.get(AlertStreams).subscribe(t.clinician.id) as sub:
        await send(app, client, t.patient, vital(SPO2, 91))  # NEWS2 3 (single 3): low-medium
        (alert,) = await alerts(client, t.clinician)
        assert (alert["severity"], alert["count"]) == ("low", 1)
        r = await client.post(f"/api/monitoring/alerts/{alert['id']}/acknowledge",
                              headers=t.clinician.headers)  # fmt: skip
        assert r.status_code == 200

        await send(app, client, t.patient, vital(SPO2, 90))  # still a single 3
        (same,) = await alerts(client, t.clinician)
        assert same["id"] == alert["id"] and same["count"] == 2
        assert same["status"] == "acknowledged"

        await send(app, client, t.patient, *vitals_set({RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}))
        (risen,) = await alerts(client, t.clinician)
        assert risen["id"] == alert["id"] and risen["count"] == 3
        assert risen["status"] == "open" and risen["severity"] == "high"

        changes = []
        while len(changes) < 4:  # each change reaches the stream after its commit
            changes.append((await asyncio.wait_for(sub.get(), 1)).change)
        assert sub.queue.empty()
    assert changes == ["opened", "acknowledged", "updated", "reopened"]


async def test_escalation_goes_to_the_other_care_team_clinician_once(
    app, client, person, fake_clock
):
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    for value, severity in ((100, "high"), (90, "low")):
        await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                       value=value, severity=severity)  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))
    high, low = sorted(await alerts(client, t.clinician), key=lambda a: a["severity"])
    assert (high["severity"], low["severity"]) == ("high", "low")
    await client.post(f"/api/monitoring/alerts/{low['id']}/acknowledge",
                      headers=second.headers)  # fmt: skip
    db, settings = app.state.runtime.db, app.state.runtime.settings

    fake_clock.advance(minutes=14)
    assert await escalate_due(db, settings) == 0
    fake_clock.advance(minutes=2)
    async with app.state.runtime.get(AlertStreams).subscribe(second.id) as sub:
        assert await escalate_due(db, settings) == 1
        message = await asyncio.wait_for(sub.get(), 1)
    assert message.change == "escalated" and str(message.alert_id) == high["id"]
    assert await escalate_due(db, settings) == 0  # claimed: never twice

    r = await client.get(f"/api/monitoring/alerts/{high['id']}", headers=second.headers)
    assert r.json()["escalated_to"] == str(second.id) and r.json()["escalated_at"]
    r = await client.get(f"/api/monitoring/alerts/{low['id']}", headers=second.headers)
    assert r.json()["escalated_to"] is None


async def test_escalation_fires_at_exactly_the_configured_minutes_not_a_second_before(
    app, client, person, fake_clock
):
    """The boundary is inclusive: an alert opened at T escalates at T + 15:00 (the rule's
    minutes), and not at T + 14:59. Checking 14 and 16 minutes only would let a minute slip."""
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))  # opened at the fake clock's now
    (alert,) = await alerts(client, t.clinician)
    db, settings = app.state.runtime.db, app.state.runtime.settings
    assert settings.alert_escalation_minutes == 15

    fake_clock.advance(minutes=14, seconds=59)
    assert await escalate_due(db, settings) == 0
    fake_clock.advance(seconds=1)  # exactly 15:00 after it opened
    assert await escalate_due(db, settings) == 1
    r = await client.get(f"/api/monitoring/alerts/{alert['id']}", headers=second.headers)
    assert r.json()["escalated_to"] == str(second.id)


async def test_escalation_to_the_on_call_clinician_gives_them_access(
    app, client, person, fake_clock
):
    t = await team(client, person)
    oncall = await person("clinician")
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))
    (alert,) = await alerts(client, t.clinician)
    assert (await client.get(f"/api/monitoring/alerts/{alert['id']}",
                             headers=oncall.headers)).status_code == 404  # fmt: skip

    settings = app.state.runtime.settings.model_copy(
        update={"alert_oncall_account_id": str(oncall.id)}
    )
    fake_clock.advance(minutes=16)
    assert await escalate_due(app.state.runtime.db, settings) == 1
    (seen,) = await alerts(client, oncall)
    assert seen["id"] == alert["id"] and seen["escalated_to"] == str(oncall.id)
    r = await client.post(f"/api/monitoring/alerts/{alert['id']}/acknowledge",
                          headers=oncall.headers)  # fmt: skip
    assert r.status_code == 200


async def test_two_nodes_escalating_at_once_escalate_each_alert_once(
    app, client, person, fake_clock, database_url
):
    t = await team(client, person)
    second = await person("clinician")
    await assign(client, t.admin, second, t.patient)
    for value in (100, 95, 90):
        await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                       value=value, severity="medium")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 105))
    fake_clock.advance(minutes=20)
    nodes = [Database(database_url) for _ in range(3)]
    try:
        done = await asyncio.gather(*(escalate_due(db, app.state.runtime.settings) for db in nodes))
    finally:
        for db in nodes:
            await db.dispose()
    assert sum(done) == 3
    escalations = await audit_rows(app, action="alert.escalate")
    assert sorted(r.resource_id for r in escalations) == sorted(
        a["id"] for a in await alerts(client, t.clinician)
    )


# ---- the paging webhook ------------------------------------------------------------------------


class Hook:
    """A local paging endpoint: records requests; answers 503 first, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes, float]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append((dict(self.headers), body, time.monotonic()))
                self.send_response(503 if len(hook.requests) == 1 else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/page"


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def settings_overrides(request) -> dict:
    """Long sessions; the webhook test adds its endpoint."""
    overrides = dict(LONG_SESSIONS)
    if "hook" in request.fixturenames:
        hook = request.getfixturevalue("hook")
        overrides |= {"alert_webhook_url": hook.url, "alert_webhook_secret": "s3cret"}
    return overrides


async def test_the_webhook_is_signed_retried_and_carries_no_health_data(app, client, person, hook):
    t = await team(client, person, patient_name="Wanda Webhook")
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high", label="Weight above 100 kg")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 104.7))
    await app.state.runtime.get(webhook.Webhook).drain()
    (alert,) = await alerts(client, t.clinician)

    assert len(hook.requests) == 2  # 503, then retried
    (_, _, t1), (h2, body, t2) = hook.requests
    assert t2 - t1 >= 0.4  # backoff
    # What a receiver computes, independently of the code (docs/security.md): HMAC-SHA256 with
    # the shared secret over "<timestamp>.<body>", sent as "sha256=<hex>".
    stamp = h2["X-Careverse-Timestamp"]
    assert stamp.isdigit() and abs(int(stamp) - time.time()) < 60
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert h2["X-Careverse-Signature"] == f"sha256={expected}"
    assert webhook.verify("s3cret", stamp, body, h2["X-Careverse-Signature"])
    assert not webhook.verify("wrong", stamp, body, h2["X-Careverse-Signature"])
    notice = json.loads(body)
    assert notice["alert_id"] == alert["id"] and notice["event"] == "opened"
    assert notice["severity"] == "high" and notice["status"] == "open"
    assert set(notice) == {"alert_id", "event", "severity", "status", "at", "link"}
    # The value itself, as sent and as the rule saw it (a bare "104" would match inside a UUID).
    for secret in ("Wanda", "Webhook", "104.7", "Weight", "kg", str(t.patient.patient_id)):
        assert secret not in body.decode()


def test_a_webhook_without_its_secret_is_not_started(settings):
    # CAREVERSE_ALERT_WEBHOOK_URL without the secret: the node starts (alerts still reach
    # clinicians in Careverse), but it pages nobody with unsigned requests.
    unsigned = settings.model_copy(update={"alert_webhook_url": "http://127.0.0.1:1/page"})
    assert unsigned.alert_webhook_secret is None
    assert create_app(unsigned).state.runtime.find(webhook.Webhook) is None
    signed = unsigned.model_copy(update={"alert_webhook_secret": "s3cret"})
    assert create_app(signed).state.runtime.find(webhook.Webhook) is not None


# ---- the live stream (a real server) -----------------------------------------------------------


async def _account(db: Database, settings: Settings, role: Role, name: str):
    async with db.session() as session:
        return await IdentityService(session, settings).create_account(
            None,
            NewAccount(email=f"{uuid.uuid4().hex[:8]}@example.org", role=role,
                       display_name=name, password=PASSWORD),
        )  # fmt: skip


async def _token(http: httpx.AsyncClient, email: str) -> dict:
    r = await http.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _listen(http: httpx.AsyncClient, headers: dict, events: list, ready: asyncio.Event):
    async with http.stream("GET", "/api/monitoring/alerts/stream", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            events.append((time.monotonic(), line))


async def test_a_subscribed_clinician_hears_of_a_breach_within_a_second(database_url, tmp_path):
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
        migrate_on_start=False, log_json=False, alert_stream_ping_seconds=0.3,
    )  # fmt: skip
    app = create_app(settings)
    db = Database(database_url)
    try:
        clinician = await _account(db, settings, Role.CLINICIAN, "Dr Live")
        stranger = await _account(db, settings, Role.CLINICIAN, "Dr Elsewhere")
        patient = await _account(db, settings, Role.PATIENT, "Pat Live")
        async with db.session() as session:
            await RelationshipService(session).create(
                clinician.id, patient.patient.id, "assignment"
            )
    finally:
        await db.dispose()

    with serve_in_thread(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            doctor, other, me = (
                await _token(http, clinician.email), await _token(http, stranger.email),
                await _token(http, patient.email),
            )  # fmt: skip
            r = await http.post(
                f"/api/monitoring/patients/{patient.patient.id}/rules", headers=doctor,
                json={"kind": "threshold", "code": SPO2, "op": "<", "value": 92,
                      "severity": "high"},
            )  # fmt: skip
            assert r.status_code == 201, r.text
            heard, unheard = [], []
            ready, other_ready = asyncio.Event(), asyncio.Event()
            listeners = [
                asyncio.create_task(_listen(http, doctor, heard, ready)),
                asyncio.create_task(_listen(http, other, unheard, other_ready)),
            ]
            await asyncio.wait_for(asyncio.gather(ready.wait(), other_ready.wait()), 5)

            sent = time.monotonic()
            r = await http.post(
                "/api/monitoring/readings", headers=me,
                json={"patient_id": str(patient.patient.id), "data_points": [vital(SPO2, 88)]},
            )  # fmt: skip
            assert r.status_code == 200 and r.json()["accepted"] == 1
            deadline, found = sent + 1.0, None
            while time.monotonic() < deadline and found is None:
                for at, line in heard:
                    if line.startswith("data:"):
                        alert = json.loads(line[len("data:") :])
                        if alert["source"] == "rule":
                            found = at, alert
                await asyncio.sleep(0.01)
            assert found is not None, "no alert within 1 s"
            assert found[0] - sent <= 1.0
            alert = found[1]
            assert alert["patient_id"] == str(patient.patient.id) and alert["status"] == "open"
            assert alert["change"] == "opened" and alert["why"].startswith("SpO2 88 % below 92 %")
            assert "event: alert" in [line for _, line in heard]

            # The other clinician's stream stays open (pings every 0.3 s) and hears nothing.
            async with asyncio.timeout(10):
                while not any(line == ": ping" for _, line in unheard):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            assert not any(line.startswith(("data:", "event:")) for _, line in unheard)
            r = await http.get(
                f"/api/monitoring/patients/{patient.patient.id}/news2", headers=other
            )
            assert r.status_code == 404

            # Signing out ends the stream at the next ping.
            assert (await http.post("/api/auth/logout", headers=other)).status_code == 204
            await asyncio.wait_for(listeners[1], 2)
            for task in listeners:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            # The server lets go of the subscriptions of closed streams.
            streams = app.state.runtime.get(AlertStreams)
            for _ in range(100):
                if not streams.accounts:
                    break
                await asyncio.sleep(0.05)
            assert not streams.accounts
            assert (await http.get("/api/monitoring/alerts/stream")).status_code == 401


async def test_stored_alerts_hold_no_plaintext_names_or_values(app, client, person, database_url):
    t = await team(client, person)
    await add_rule(client, t.clinician, t.patient, kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="high", label="Watch weight closely")  # fmt: skip
    await send(app, client, t.patient, vital(WEIGHT, 104.7))
    async with app.state.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM monitoring_alerts"))).all()
    stored = repr(rows)
    assert rows and "104.7" not in stored and "Weight" not in stored and "closely" not in stored


@pytest.mark.services
async def test_an_alert_raised_on_one_node_reaches_a_clinician_on_another(
    sqlite_template, tmp_path
):
    probe = redis_conn.connect(REDIS_URL)
    try:
        await probe.ping()
    except Exception as exc:
        service_unavailable("Redis", exc)
    finally:
        await probe.aclose()
    shutil.copy(sqlite_template, tmp_path / "shared.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    node_settings = [
        Settings(
            data_dir=tmp_path / name,
            database_url=url,
            encryption_keys=TEST_KEYS,
            migrate_on_start=False,
            log_json=False,
            redis_url=REDIS_URL,
        )
        for name in ("a", "b")
    ]
    node_a, node_b = (create_app(s) for s in node_settings)  # (installs the key ring)
    db = Database(url)
    try:
        clinician = await _account(db, node_settings[0], Role.CLINICIAN, "Dr Node")
        patient = await _account(db, node_settings[0], Role.PATIENT, "Pat Node")
        async with db.session() as session:
            await RelationshipService(session).create(
                clinician.id, patient.patient.id, "assignment"
            )
    finally:
        await db.dispose()

    with serve_in_thread(node_a) as url_a, serve_in_thread(node_b) as url_b:
        async with (
            httpx.AsyncClient(base_url=url_a, timeout=10) as a,
            httpx.AsyncClient(base_url=url_b, timeout=10) as b,
        ):
            doctor, me = await _token(a, clinician.email), await _token(a, patient.email)
            r = await a.post(
                f"/api/monitoring/patients/{patient.patient.id}/rules", headers=doctor,
                json={"kind": "threshold", "code": HR, "op": ">", "value": 140,
                      "severity": "high"},
            )  # fmt: skip
            assert r.status_code == 201, r.text
            heard, ready = [], asyncio.Event()
            listener = asyncio.create_task(_listen(b, doctor, heard, ready))
            await asyncio.wait_for(ready.wait(), 5)
            sent = time.monotonic()
            r = await a.post(
                "/api/monitoring/readings", headers=me,
                json={"patient_id": str(patient.patient.id), "data_points": [vital(HR, 150)]},
            )  # fmt: skip
            assert r.status_code == 200 and r.json()["accepted"] == 1
            found = None
            while time.monotonic() < sent + 1.0 and found is None:
                data = [json.loads(line[5:]) for _, line in heard if line.startswith("data:")]
                found = next((d for d in data if d["source"] == "rule"), None)
                await asyncio.sleep(0.01)
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    assert found is not None, "no alert on the other node within 1 s"
    assert found["why"].startswith("Heart rate 150 /min above 140 /min")


async def test_a_rise_while_open_is_announced_as_an_escalation_with_why(app, client, person):
    t = await team(client, person, patient_name="Amara Nwosu")
    runtime = app.state.runtime
    actor = Actor(t.clinician.id, Role.CLINICIAN)
    events = alert_events(runtime.db, runtime.get(AlertStreams), runtime.settings, actor)
    assert await anext(events) == ": connected\n\n"  # subscribed from here on

    async def next_alert() -> dict:
        frame = await asyncio.wait_for(anext(events), 2)
        return json.loads(frame.split("data: ", 1)[1])

    try:
        await send(app, client, t.patient, *vitals_set({RR: 22, HR: 115, SPO2: 94}))  # 5: medium
        opened = await next_alert()
        assert (opened["change"], opened["severity"]) == ("opened", "medium")
        assert opened["previous_severity"] is None

        await send(app, client, t.patient, *vitals_set({RR: 22, HR: 115, SPO2: 94}, 0.5))
        again = await next_alert()  # the same, fired again: one alert, its count updated
        assert (again["id"], again["change"], again["count"]) == (opened["id"], "updated", 2)
        assert again["previous_severity"] is None

        await send(app, client, t.patient, *vitals_set({RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}))
        risen = await next_alert()
    finally:
        await events.aclose()
    assert risen["id"] == opened["id"]
    assert risen["change"] == "raised"
    assert (risen["previous_severity"], risen["severity"]) == ("medium", "high")
    assert risen["status"] == "open"
    assert risen["why"].startswith("NEWS2 7:")  # the why comes with it
    assert risen["count"] == opened["count"] + 2
    rows = await audit_rows(app, action="alert.raise")
    assert len(rows) == 1


async def test_a_wavering_score_escalates_once_and_keeps_the_worst_until_resolved(
    app, client, person
):
    t = await team(client, person)
    medium = {RR: 22, HR: 115, SPO2: 94}  # NEWS2 5
    high = {RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}  # NEWS2 7
    async with app.state.runtime.get(AlertStreams).subscribe(t.clinician.id) as sub:
        for changes in (medium, high, medium, high, medium):
            await send(app, client, t.patient, *vitals_set(changes))
        (alert,) = await alerts(client, t.clinician)
        seen = []
        while not sub.queue.empty():
            seen.append((await sub.get()).change)
    assert seen == ["opened", "raised", "updated", "updated", "updated"]
    assert (alert["severity"], alert["count"]) == ("high", 5)
    assert alert["title"].startswith("NEWS2 7") and alert["why"].startswith("NEWS2 7:")
