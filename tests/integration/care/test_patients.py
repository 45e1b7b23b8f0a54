"""The clinician's patients: own patients only, facets, search, filters, sort, pages, the record
summary, bad parameters, who may call it, and one audit event per list read."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.integration.care.support import MONDAY, book
from tests.integration.monitoring.alert_support import add_rule, send, vital, vitals_set
from tests.integration.privacy.support import assign, audit_rows, delegate, head_seq
from tests.integration.wellbeing.support import submit

HR, SPO2, RR, TEMP, WEIGHT = "8867-4", "59408-5", "9279-1", "8310-5", "29463-7"
PHQ9_MILD = [1, 1, 1, 1, 1, 0, 0, 0, 0]


@pytest.fixture
def settings_overrides() -> dict:
    return {"access_token_ttl_seconds": 40 * 24 * 3600, "alert_check_seconds": 3600}


async def ward(app, client, person, fake_clock, clinician_with_hours) -> dict:
    """A clinician's patients, each distinguished by one facet, and someone else's patient."""
    fake_clock.now = MONDAY - timedelta(days=15)
    admin = await person("admin")
    doctor = await clinician_with_hours(name="Dr. Rivera")
    names = ("High Harper", "Medium Morgan", "Low Lou", "Alerting Alex", "Quiet Quinn",
             "Overdue Olive", "Fresh Fern")  # fmt: skip
    people = {n.split()[1].lower(): await person("patient", name=n) for n in names}
    for p in people.values():
        await assign(client, admin, doctor, p)
    elsewhere = await person("patient", name="Elsewhere Eve")
    await submit(client, people["olive"], "phq9", PHQ9_MILD)  # 15 days ago: due again

    fake_clock.now = MONDAY  # 07:00 UTC
    await submit(client, people["fern"], "phq9", PHQ9_MILD)  # today: not due
    await send(app, client, people["harper"], *vitals_set({RR: 22, HR: 115, TEMP: 38.5, SPO2: 93}))
    await send(app, client, people["morgan"], *vitals_set({RR: 22, HR: 115, TEMP: 38.5}))
    await send(app, client, people["lou"], *vitals_set({HR: 95}))  # NEWS2 1 (partial): low
    await send(app, client, elsewhere, *vitals_set({RR: 26}))
    await add_rule(client, doctor, people["alex"], kind="threshold", code=WEIGHT, op=">",
                   value=100, severity="medium")  # fmt: skip
    await send(app, client, people["alex"], vital(WEIGHT, 101))  # an alert, no NEWS2
    # Harper's visit today at 09:00 London (GMT); Morgan's a week later at 09:00 BST (08:00 UTC).
    assert (await book(client, people["harper"], doctor, "2026-03-23T09:00:00Z")).status_code == 201
    assert (await book(client, people["morgan"], doctor, "2026-03-30T08:00:00Z")).status_code == 201
    return {"doctor": doctor, "admin": admin, "elsewhere": elsewhere, **people}


async def names(client, doctor, **params) -> list[str]:
    r = await client.get("/api/care/patients", params=params, headers=doctor.headers)
    assert r.status_code == 200, r.text
    return [p["name"] for p in r.json()["patients"]]


async def test_the_list_shows_only_own_patients_with_their_facets(
    app, client, person, monday, clinician_with_hours
):
    w = await ward(app, client, person, monday, clinician_with_hours)
    r = await client.get("/api/care/patients", headers=w["doctor"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 7 and body["page"] == 1 and body["page_size"] == 25
    rows = {p["name"]: p for p in body["patients"]}
    assert "Elsewhere Eve" not in rows
    # Risk first: high, medium, then low by NEWS2 total, then none; names break ties.
    assert list(rows) == ["High Harper", "Medium Morgan", "Low Lou", "Alerting Alex",
                          "Fresh Fern", "Overdue Olive", "Quiet Quinn"]  # fmt: skip
    harper = rows["High Harper"]
    assert harper["risk"] == "high" and harper["news2"]["total"] == 7
    assert harper["news2"]["at"].startswith("2026-03-23T07:00")
    assert harper["open_alerts"] == 1 and harper["highest_severity"] == "high"
    assert harper["next_visit"].startswith("2026-03-23T09:00")
    assert rows["Low Lou"]["risk"] == "low" and rows["Low Lou"]["news2"]["total"] == 1
    assert rows["Alerting Alex"]["risk"] == "none" and rows["Alerting Alex"]["open_alerts"] == 1
    assert rows["Alerting Alex"]["highest_severity"] == "medium"
    assert rows["Overdue Olive"]["overdue_questionnaires"] == 1
    assert rows["Fresh Fern"]["overdue_questionnaires"] == 0
    quinn = rows["Quiet Quinn"]
    assert quinn["news2"] is None and quinn["open_alerts"] == 0 and quinn["next_visit"] is None


async def test_search_filters_and_sorts_tell_patients_apart(
    app, client, person, monday, clinician_with_hours
):
    w = await ward(app, client, person, monday, clinician_with_hours)
    doctor = w["doctor"]
    assert await names(client, doctor, q="  morg ") == ["Medium Morgan"]
    assert await names(client, doctor, q="ER", sort="name") == [
        "Alerting Alex", "Fresh Fern", "High Harper", "Overdue Olive",
    ]  # fmt: skip
    assert await names(client, doctor, q="nobody") == []
    assert await names(client, doctor, risk="high") == ["High Harper"]
    assert await names(client, doctor, risk="medium") == ["Medium Morgan"]
    assert await names(client, doctor, risk="low") == ["Low Lou"]
    assert await names(client, doctor, risk=["high", "low"]) == ["High Harper", "Low Lou"]
    assert await names(client, doctor, risk="none", sort="name") == [
        "Alerting Alex", "Fresh Fern", "Overdue Olive", "Quiet Quinn",
    ]  # fmt: skip
    assert await names(client, doctor, has_open_alerts="true", sort="alerts") == [
        "High Harper", "Alerting Alex", "Medium Morgan",
    ]  # fmt: skip
    assert "High Harper" not in await names(client, doctor, has_open_alerts="false")
    assert await names(client, doctor, next_visit_within_days=1) == ["High Harper"]
    assert await names(client, doctor, next_visit_within_days=7) == ["High Harper"]
    assert await names(client, doctor, next_visit_within_days=8) == [
        "High Harper", "Medium Morgan",
    ]  # fmt: skip
    assert await names(client, doctor, next_visit_within_days=8, sort="next_visit") == [
        "High Harper", "Medium Morgan",
    ]  # fmt: skip
    assert await names(client, doctor, overdue_questionnaires="true") == ["Overdue Olive"]
    assert "Overdue Olive" not in await names(client, doctor, overdue_questionnaires="false")
    assert await names(client, doctor, risk="none", overdue_questionnaires="true") == [
        "Overdue Olive"
    ]


async def test_pages_cover_the_list_once(app, client, person, monday, clinician_with_hours):
    w = await ward(app, client, person, monday, clinician_with_hours)
    seen = []
    for page in (1, 2, 3):
        r = await client.get(
            "/api/care/patients", params={"page": page, "page_size": 3, "sort": "name"},
            headers=w["doctor"].headers,
        )  # fmt: skip
        assert r.status_code == 200 and r.json()["total"] == 7
        seen += [p["name"] for p in r.json()["patients"]]
    assert seen == sorted(seen) and len(set(seen)) == 7
    assert await names(client, w["doctor"], page=9) == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("risk", "severe"), ("sort", "age"), ("page", "0"), ("page_size", "101"),
        ("next_visit_within_days", "-1"), ("has_open_alerts", "perhaps"), ("q", "x" * 101),
    ],
)  # fmt: skip
async def test_bad_parameters_answer_422_naming_the_field(client, person, param, value):
    doctor = await person("clinician")
    r = await client.get("/api/care/patients", params={param: value}, headers=doctor.headers)
    assert r.status_code == 422, r.text
    assert param in r.text


async def test_only_clinicians_list_patients_and_a_read_is_audited_once(
    app, client, person, monday, clinician_with_hours
):
    w = await ward(app, client, person, monday, clinician_with_hours)
    caregiver = await person("caregiver")
    await delegate(client, w["harper"], caregiver, ["vitals:read", "record:read"])
    for who in (w["harper"], caregiver, w["admin"]):
        r = await client.get("/api/care/patients", headers=who.headers)
        assert r.status_code == 403, r.text
    assert (await client.get("/api/care/patients")).status_code == 401

    since = await head_seq(app)
    r = await client.get("/api/care/patients", params={"page_size": 2}, headers=w["doctor"].headers)
    assert r.status_code == 200
    events = await audit_rows(app, since_seq=since)
    assert [e.action for e in events] == ["record.list"]
    assert events[0].actor_id == w["doctor"].id and events[0].patient_id is None
    detail = json.loads(events[0].detail or "{}")
    assert detail["total"] == 7 and detail["shown"] == [p["id"] for p in r.json()["patients"]]


async def test_each_facet_is_one_batched_read(app, client, person, monday, clinician_with_hours):
    """However many patients, each facet costs the same number of queries."""
    w = await ward(app, client, person, monday, clinician_with_hours)
    runtime = app.state.runtime
    patients = [w[k].patient_id for k in ("harper", "morgan", "lou", "alex", "olive", "fern")]
    costs = {}
    async with runtime.db.session() as session:
        statements: list[str] = []

        def count(*args) -> None:
            statements.append(args[2])

        engine = session.bind.sync_engine  # type: ignore[union-attr]
        event.listen(engine, "before_cursor_execute", count)
        try:
            for n in (1, len(patients)):
                for name in runtime.patient_facets.names:
                    statements.clear()
                    await runtime.patient_facets._facets[name](session, patients[:n])
                    costs.setdefault(name, set()).add(len(statements))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert set(costs) == {"news2", "alerts", "questionnaires", "next_visit"}
    assert all(len(c) == 1 for c in costs.values()), costs
    assert costs["alerts"] == costs["questionnaires"] == costs["next_visit"] == {1}
    assert costs["news2"] == {3}


async def test_the_record_summary_shows_visits_and_problems_through_the_policy(
    app, client, person, monday, clinician_with_hours
):
    w = await ward(app, client, person, monday, clinician_with_hours)
    harper = w["harper"]
    url = f"/api/care/patients/{harper.patient_id}/record-summary"
    r = await client.get(url, headers=w["doctor"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["patient"]["name"] == "High Harper" and body["patient"]["risk"] == "high"
    assert [v["status"] for v in body["visits"]] == ["booked"]
    assert body["visits"][0]["clinician_name"] == "Dr. Rivera"
    assert body["visits"][0]["encounter_id"] is None and body["problems"] == []

    stranger = await person("clinician")
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    other = f"/api/care/patients/{w['elsewhere'].patient_id}/record-summary"
    assert (await client.get(other, headers=w["doctor"].headers)).status_code == 404
    # A clinician's view: the patient reads their own record elsewhere ("My health").
    assert (await client.get(url, headers=harper.headers)).status_code == 403
    since = await head_seq(app)
    assert (await client.get(url, headers=w["doctor"].headers)).status_code == 200
    events = await audit_rows(app, since_seq=since)
    assert [(e.action, e.patient_id) for e in events] == [("record.read", harper.patient_id)]
