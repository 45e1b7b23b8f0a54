"""The fairness audit over HTTP on both databases: who may run it, the disaggregated alert
rates with intervals, small cells suppressed, a flagged disparity, the audit trail; and the
public transparency data."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from careverse.identity.models import Patient
from careverse.kernel import clock
from careverse.kernel.audit import AuditEvent
from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import Alert
from careverse.monitoring.models import Reading
from careverse.research import fairness_service


@pytest.fixture(autouse=True)
def fewer_resamples(monkeypatch):
    # The interval method is the same; fewer resamples keep the test quick on a shared machine.
    monkeypatch.setattr(fairness_service, "AUDIT_N_BOOT", 60)
    monkeypatch.setattr(fairness_service, "WAIT_SECONDS", None)  # the answer, not 202


# (sex, birth date, language, patients, of whom alerted)
POPULATION = [
    ("female", "1950-05-01", "en", 30, 18),
    ("male", "1990-05-01", "es", 30, 3),
    ("other", None, "fr", 5, 5),
]


async def seed_population(app) -> None:
    now = clock.now()
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        for sex, birth, language, count, alerted in POPULATION:
            for i in range(count):
                patient = Patient(
                    name=f"Audit {sex} {i}", birth_date=birth, sex=sex, preferred_language=language
                )
                session.add(patient)
                await session.flush()
                session.add(
                    Reading(
                        patient_id=patient.id, code="8867-4", unit="/min", value=80.0,
                        effective_at=now - timedelta(days=2), received_at=now,
                        source_id=f"audit-{uuid.uuid4().hex}",
                    )
                )  # fmt: skip
                if i < alerted:
                    opened = now - timedelta(days=1)
                    session.add(
                        Alert(
                            patient_id=patient.id, source="news2", severity="high",
                            status="acknowledged", title="NEWS2 7", why="score 7",
                            opened_at=opened, updated_at=opened, escalate_from=opened,
                            acknowledged_at=opened + timedelta(minutes=5 + i),
                        )
                    )  # fmt: skip


def _dimension(body: dict, algorithm: str, metric: str, dimension: str) -> dict:
    alg = next(a for a in body["algorithms"] if a["id"] == algorithm)
    met = next(m for m in alg["metrics"] if m["id"] == metric)
    return next(d for d in met["dimensions"] if d["dimension"] == dimension)


async def test_only_researchers_and_admins_run_the_audit(client, person):
    r = await client.get("/api/research/fairness")
    assert r.status_code == 401
    for role in ("patient", "caregiver", "clinician", "moderator"):
        someone = await person(role)
        r = await client.get("/api/research/fairness", headers=someone.headers)
        assert r.status_code == 403, role
    for role in ("researcher", "admin"):
        someone = await person(role)
        r = await client.get("/api/research/fairness", headers=someone.headers)
        assert r.status_code == 200, r.text
        assert r.json()["small_cell"] == 11


async def test_disaggregated_rates_with_intervals_suppression_and_a_flag(app, client, person):
    await seed_population(app)
    researcher = await person("researcher")
    r = await client.get("/api/research/fairness?days=30&seed=5", headers=researcher.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    sex = _dimension(body, "news2", "alert_rate", "sex")
    groups = {g["group"]: g for g in sex["groups"]}
    assert groups["female"]["n"] == 30 and groups["female"]["value"] == pytest.approx(0.6)
    assert groups["male"]["value"] == pytest.approx(0.1)
    for g in ("female", "male"):
        assert groups[g]["ci_low"] <= groups[g]["value"] <= groups[g]["ci_high"]
    # five people: suppressed, no count and no value
    assert groups["other"] == {
        "group": "other", "n": None, "value": None, "ci_low": None, "ci_high": None,
        "suppressed": True,
    }  # fmt: skip
    assert sex["ratio"] == pytest.approx(0.1 / 0.6, abs=1e-3)
    assert sex["flagged"] is True and sex["ratio_ci_high"] < 1.0
    assert (sex["lowest"], sex["highest"]) == ("male", "female")
    ages = {g["group"]: g for g in _dimension(body, "news2", "alert_rate", "age_band")["groups"]}
    assert set(ages) == {"65-79", "16-39", "not recorded"}
    assert ages["not recorded"]["suppressed"] is True
    language = _dimension(body, "news2", "alert_rate", "language")
    assert {g["group"] for g in language["groups"] if not g["suppressed"]} == {"en", "es"}
    ethnicity = _dimension(body, "news2", "alert_rate", "ethnicity")
    assert ethnicity["groups"] == [] and "not recorded" in ethnicity["note"]
    ack = _dimension(body, "news2", "minutes_to_acknowledge", "sex")
    acked = {g["group"]: g for g in ack["groups"]}
    assert acked["female"]["value"] == pytest.approx(13.5)  # median of 5..22 minutes
    assert acked["male"]["suppressed"] is True  # three alerts
    # no care-plan rule alerts: a rate of 0 everywhere, nothing flagged
    rule = _dimension(body, "care_plan", "alert_rate", "sex")
    assert rule["flagged"] is False
    crisis = next(a for a in body["algorithms"] if a["id"] == "crisis_screen")
    assert crisis["audited"] is False and crisis["metrics"] == []
    # the same seed gives the same intervals
    again = await client.get("/api/research/fairness?days=30&seed=5", headers=researcher.headers)
    assert _dimension(again.json(), "news2", "alert_rate", "sex") == sex
    async with app.state.runtime.db.session() as session:
        rows = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.action == "research.fairness_audit")
            )
        ).scalars().all()  # fmt: skip
    assert len(rows) == 2 and rows[0].actor_id == researcher.id and rows[0].purpose == "research"
    assert "Audit" not in r.text  # no names leave the audit


async def test_bad_parameters_are_422(client, person):
    admin = await person("admin")
    for query in ("days=0", "days=9999", "seed=-1", "days=abc"):
        r = await client.get(f"/api/research/fairness?{query}", headers=admin.headers)
        assert r.status_code == 422, query


async def test_transparency_is_public_and_data(client):
    r = await client.get("/api/transparency")
    assert r.status_code == 200
    body = r.json()
    ids = [a["id"] for a in body["algorithms"]]
    assert ids == ["news2", "care_plan", "crisis_screen", "mentor_matching"]
    news2 = body["algorithms"][0]
    assert news2["inputs"] and news2["limits"] and news2["purpose"]
    assert "11" in body["audit_rule"]


async def test_a_slow_audit_answers_202_then_the_result(client, person, monkeypatch):
    # Nothing waits for the bootstrap: the first call says "computing" (with Retry-After), the
    # computation goes on, and a later call gets the audit.
    monkeypatch.setattr(fairness_service, "WAIT_SECONDS", 0)
    admin = await person("admin")
    r = await client.get("/api/research/fairness?days=7&seed=11", headers=admin.headers)
    assert r.status_code == 202 and r.headers["retry-after"] == "5"
    assert r.json()["status"] == "computing"
    monkeypatch.setattr(fairness_service, "WAIT_SECONDS", None)
    r = await client.get("/api/research/fairness?days=7&seed=11", headers=admin.headers)
    assert r.status_code == 200 and r.json()["window_days"] == 7
