"""The fairness audit's demo population gives the dashboard intervals to show (both databases)."""

from __future__ import annotations

from careverse.research import fairness_service
from careverse.research.fairness_demo import DEMO_PATIENTS, seed_demo_audit


async def test_the_demo_population_fills_the_dashboard_once(app, client, person, monkeypatch):
    monkeypatch.setattr(fairness_service, "AUDIT_N_BOOT", 40)
    monkeypatch.setattr(fairness_service, "WAIT_SECONDS", None)  # the answer, not 202
    async with app.state.runtime.db.session() as session:
        await seed_demo_audit(session)
        await seed_demo_audit(session)  # a second demo start adds nothing
    admin = await person("admin")
    r = await client.get("/api/research/fairness", headers=admin.headers)
    assert r.status_code == 200, r.text
    news2 = next(a for a in r.json()["algorithms"] if a["id"] == "news2")
    rate = next(m for m in news2["metrics"] if m["id"] == "alert_rate")
    assert rate["n"] == DEMO_PATIENTS
    ages = next(d for d in rate["dimensions"] if d["dimension"] == "age_band")
    shown = [g for g in ages["groups"] if not g["suppressed"]]
    assert len(shown) >= 3 and all(g["ci_low"] is not None for g in shown)
    sex = next(d for d in rate["dimensions"] if d["dimension"] == "sex")
    assert any(g["group"] == "other" and g["suppressed"] for g in sex["groups"])
